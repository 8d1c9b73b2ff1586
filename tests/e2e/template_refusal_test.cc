// What `mimeo clone` refuses: machine options (a clone's machine is the
// template's), directories that are not templates, and templates whose files
// were damaged or replaced (template.json is untrusted input; the state
// stream is checksummed; the RAM files are fingerprinted). Each refusal is one
// line on stderr naming the file or option, status 1, and no file changes.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>

#include "e2e/template_support.h"

namespace mimeo::e2e {
namespace {

using nlohmann::json;

std::string with_dir(std::string text, const std::string& dir) {
  for (size_t at; (at = text.find("DIR")) != std::string::npos;) {
    text.replace(at, 3, dir);
  }
  return text;
}

// Rewrites DIR/template.json through `edit`.
std::function<void(const std::string&)> edit_json(std::function<void(json&)> edit) {
  return [edit](const std::string& dir) {
    const std::string path = dir + "/template.json";
    json doc = json::parse(read_text(path));
    edit(doc);
    write_text(path, doc.dump(2));
  };
}

// Replaces `from` by `to` in every clone option.
std::function<void(const std::string&)> edit_clone_options(const std::string& from,
                                                           const std::string& to) {
  return edit_json([from, to](json& doc) {
    for (auto& option : doc["clone_options"]) {
      std::string text = option.get<std::string>();
      if (auto at = text.find(from); at != std::string::npos) {
        text.replace(at, from.size(), to);
      }
      option = text;
    }
  });
}

void flip_byte(const std::string& path, uint64_t offset) {
  std::string bytes = read_text(path);
  ASSERT_LT(offset, bytes.size());
  bytes[offset] = static_cast<char>(bytes[offset] ^ 0x01);
  write_text(path, bytes);
}

// A new file of the same size with other content: all zeros, as a fresh one.
void replace_with_zeros(const std::string& path) {
  const auto size = std::filesystem::file_size(path);
  std::filesystem::remove(path);
  write_text(path, "");
  std::filesystem::resize_file(path, size);
}

struct CloneRefusal {
  std::string name;
  // Damages a writable copy of the template; null: the template as published.
  std::function<void(const std::string& dir)> damage;
  std::vector<std::string> options;  // after the directory
  std::string message;               // in stderr after "mimeo clone: " ("DIR": the directory)
  bool exact = true;                 // else a prefix of the line
};
void PrintTo(const CloneRefusal& c, std::ostream* os) { *os << c.name; }

class TemplateCloneRefusal : public ::testing::TestWithParam<CloneRefusal> {
 protected:
  static void SetUpTestSuite() {
    parent_ = new TempDir();
    template_ = parent_->file("guest-template");
    create_template(template_);
  }
  static void TearDownTestSuite() {
    delete parent_;
    parent_ = nullptr;
  }

  static inline TempDir* parent_ = nullptr;
  static inline std::string template_;
};

TEST_P(TemplateCloneRefusal, OneLineNamingWhatIsWrong) {
  ASSERT_TRUE(std::filesystem::exists(template_ + "/template.json")) << "no template";
  TempDir scratch;
  std::string dir = template_;
  if (GetParam().damage) {
    dir = scratch.file("copy");
    ASSERT_NO_FATAL_FAILURE(copy_template(template_, dir));
    ASSERT_NO_FATAL_FAILURE(GetParam().damage(dir));
  }
  const auto before = std::filesystem::is_directory(dir) ? snapshot_directory(dir)
                                                         : std::map<std::string, FileSnapshot>{};
  auto result = run_mimeo(std::vector<std::string>{"clone", dir} + GetParam().options);
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(lines_of(result.err).size(), 1U) << result.err;
  const std::string expected = "mimeo clone: " + with_dir(GetParam().message, dir);
  if (GetParam().exact) {
    EXPECT_EQ(result.err, expected + "\n");
  } else {
    EXPECT_TRUE(result.err.starts_with(expected)) << result.err << "\nexpected: " << expected;
  }
  EXPECT_EQ(result.out, "");
  if (!before.empty()) {
    EXPECT_EQ(snapshot_directory(dir), before);
  }
}

const std::string kMachineIsTheTemplates =
    " is not for a clone: its machine is the template's (a clone takes only -serial, -chardev, "
    "-qmp, -uuid, -name, -S and -display/-nographic)";
const std::string kPrivateMapping =
    "DIR/template.json: memory backend 'pc.ram' of a clone must be the template's file "
    "DIR/pc.ram with readonly=on,rom=off,share=off";

INSTANTIATE_TEST_SUITE_P(
    Templates, TemplateCloneRefusal,
    ::testing::Values(
        CloneRefusal{"MemoryOption", nullptr, {"-m", "128M"}, "-m" + kMachineIsTheTemplates},
        CloneRefusal{"KernelOption",
                     nullptr,
                     {"-kernel", MIMEO_GUEST_ELF},
                     "-kernel" + kMachineIsTheTemplates},
        CloneRefusal{"ObjectOption",
                     nullptr,
                     {"-object", "memory-backend-ram,id=m1,size=64M"},
                     "-object" + kMachineIsTheTemplates},
        CloneRefusal{"DeviceOption",
                     nullptr,
                     {"-device", "isa-debug-exit,iobase=0x501,iosize=2"},
                     "-device" + kMachineIsTheTemplates},
        CloneRefusal{
            "NotATemplate",
            [](const std::string& dir) { std::filesystem::remove(dir + "/template.json"); },
            {},
            "DIR is not a mimeo template (open DIR/template.json: No such file or "
            "directory)"},
        CloneRefusal{"NotJson",
                     [](const std::string& dir) {
                       write_text(dir + "/template.json", "mimeo_template = 1\n");
                     },
                     {},
                     "DIR/template.json: not a JSON object"},
        CloneRefusal{"TruncatedJson",
                     [](const std::string& dir) {
                       const std::string text = read_text(dir + "/template.json");
                       write_text(dir + "/template.json", text.substr(0, text.size() / 2));
                     },
                     {},
                     "DIR/template.json: not a JSON object"},
        CloneRefusal{"FormatTwo",
                     edit_json([](json& doc) { doc["mimeo_template"] = 2; }),
                     {},
                     "DIR/template.json: template format 2, this mimeo reads 1"},
        CloneRefusal{"NoFormat",
                     edit_json([](json& doc) { doc.erase("mimeo_template"); }),
                     {},
                     "DIR/template.json: no \"mimeo_template\" format number"},
        CloneRefusal{"MemoryFileWithSlash",
                     edit_json([](json& doc) { doc["memory"][0]["file"] = "../pc.ram"; }),
                     {},
                     "DIR/template.json: memory file '../pc.ram' must be a plain name inside "
                     "the template"},
        CloneRefusal{"MemoryFileAbsolute",
                     edit_json([](json& doc) { doc["memory"][0]["file"] = "/etc/passwd"; }),
                     {},
                     "DIR/template.json: memory file '/etc/passwd' must be a plain name inside "
                     "the template"},
        // A share=on clone would write its memory into the template's file.
        CloneRefusal{"CloneOptionsShareOn",
                     edit_clone_options("readonly=on,rom=off", "share=on"),
                     {},
                     kPrivateMapping},
        CloneRefusal{
            "CloneOptionsRomOn", edit_clone_options("rom=off", "rom=on"), {}, kPrivateMapping},
        CloneRefusal{"CloneOptionsOtherFile",
                     edit_clone_options("{template}/pc.ram", "/etc/passwd"),
                     {},
                     kPrivateMapping},
        // A template.json must not say where a clone's console goes.
        CloneRefusal{"CloneOptionsWithSerial",
                     edit_json([](json& doc) {
                       doc["clone_options"].push_back("-serial");
                       doc["clone_options"].push_back("file:/tmp/mimeo-template-test-console");
                     }),
                     {},
                     "DIR/template.json: the clone options hold -serial, -chardev, -qmp, "
                     "-incoming, -S, -uuid or -name, which only the user gives a clone"},
        // The user's own mistake is not blamed on the template.
        CloneRefusal{"BadSerialOption",
                     nullptr,
                     {"-serial", "bogus:x"},
                     "-serial: backend 'bogus' in 'bogus:x' is not supported",
                     false},
        CloneRefusal{"StateByteFlipped",
                     [](const std::string& dir) {
                       flip_byte(dir + "/state", std::filesystem::file_size(dir + "/state") / 2);
                     },
                     {},
                     "state stream DIR/state: checksum mismatch: stored 0x",
                     false},
        CloneRefusal{"StateMissing",
                     [](const std::string& dir) { std::filesystem::remove(dir + "/state"); },
                     {},
                     "state stream DIR/state: open DIR/state: No such file or directory"},
        CloneRefusal{"RamFileReplaced",
                     [](const std::string& dir) { replace_with_zeros(dir + "/pc.ram"); },
                     {},
                     "memory backend 'pc.ram' is not the template's RAM file: DIR/pc.ram: "
                     "content differs from when the state stream was saved (sampled "
                     "fingerprint 0x",
                     false},
        CloneRefusal{
            "RamFileShorter",
            [](const std::string& dir) { std::filesystem::resize_file(dir + "/pc.ram", 32 << 20); },
            {},
            "pc.ram: backing store DIR/pc.ram size 0x2000000 is too small for 'size' "
            "option 0x4000000 plus 'offset' option 0x0"},
        CloneRefusal{"RamFileMissing",
                     [](const std::string& dir) { std::filesystem::remove(dir + "/pc.ram"); },
                     {},
                     "pc.ram: can't open backing store DIR/pc.ram for guest RAM: No such file or "
                     "directory"}),
    [](const auto& param_info) { return param_info.param.name; });

TEST(TemplateCloneRefusalPaths, NotADirectoryOrMissing) {
  TempDir parent;
  write_text(parent.file("file"), "hello\n");
  for (const std::string name : {"file", "missing"}) {
    const std::string path = parent.file(name);
    auto result = run_mimeo({"clone", path});
    EXPECT_EQ(result.status, 1) << name;
    EXPECT_EQ(lines_of(result.err).size(), 1U) << result.err;
    EXPECT_TRUE(result.err.starts_with("mimeo clone: " + path + " is not a mimeo template (open " +
                                       path + "/template.json: "))
        << result.err;
  }
  EXPECT_EQ(directory_state(parent.path()).size(), 1U);
}

// inspect names what a clone would be refused for.
TEST(TemplateInspectDamage, StateChecksumAndRamFingerprint) {
  TempDir parent;
  const std::string made = parent.file("t");
  ASSERT_NO_FATAL_FAILURE(create_template(made));

  const std::string bad_state = parent.file("bad-state");
  ASSERT_NO_FATAL_FAILURE(copy_template(made, bad_state));
  flip_byte(bad_state + "/state", std::filesystem::file_size(bad_state + "/state") / 2);
  auto state = run_mimeo({"template", "inspect", bad_state});
  EXPECT_EQ(state.status, 1);
  EXPECT_TRUE(state.err.starts_with("mimeo template inspect: state stream " + bad_state +
                                    "/state: checksum mismatch"))
      << state.err;

  const std::string bad_ram = parent.file("bad-ram");
  ASSERT_NO_FATAL_FAILURE(copy_template(made, bad_ram));
  replace_with_zeros(bad_ram + "/pc.ram");
  auto ram = run_mimeo({"template", "inspect", bad_ram});
  EXPECT_EQ(ram.status, 1);
  EXPECT_NE(ram.out.find("MISMATCH: " + bad_ram + "/pc.ram: content differs"), std::string::npos)
      << ram.out;
  EXPECT_EQ(ram.err, "mimeo template inspect: " + bad_ram +
                         ": a RAM file does not match the state stream (MISMATCH above); clones "
                         "of it would be refused\n");
}

}  // namespace
}  // namespace mimeo::e2e
