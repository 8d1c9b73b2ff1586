// `mimeo template create` and `mimeo template inspect` as a user runs them: a
// template of the test guest is a directory of read-only files that inspect
// accepts; a guest that is never ready, or stops first, leaves nothing; and
// every refused command line says why in one line and creates nothing.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "e2e/template_support.h"

namespace mimeo::e2e {
namespace {

using nlohmann::json;

std::vector<std::string> create_args(const std::string& dir, const std::vector<std::string>& flags,
                                     const std::vector<std::string>& options) {
  return std::vector<std::string>{"template", "create", dir} + flags +
         std::vector<std::string>{"--"} + options;
}

TEST(TemplateCreate, PublishesReadOnlyFilesThatInspectAccepts) {
  TempDir parent;
  const std::string dir = parent.file("guest-template");
  const auto options = guest_template_options();
  auto result =
      run_mimeo(create_args(dir, {"--ready-on-serial", kReadyText, "--timeout", "20"}, options),
                milliseconds(25'000));
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.err, "");
  // Without --quiet the guest's console comes first, then one line about the template.
  auto out = lines_of(result.out);
  ASSERT_EQ(out.size(), 2U) << result.out;
  EXPECT_EQ(out[0], kReadyText);
  EXPECT_TRUE(
      out[1].starts_with("mimeo template create: " + dir + " is ready (1 RAM file(s), state "))
      << out[1];

  // What a template holds, all read-only, and nothing else beside it.
  auto files = directory_state(dir);
  std::vector<std::string> names;
  for (const auto& [name, state] : files) {
    names.push_back(name);
    EXPECT_TRUE(S_ISREG(state.mode)) << name;
    EXPECT_EQ(state.mode & 07777, 0444U) << name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"pc.ram", "state", "template.json"}));
  EXPECT_EQ(file_state(dir).mode & 07777, 0555U);
  EXPECT_EQ(files["pc.ram"].size, kTemplateRamSize);
  EXPECT_EQ(temp_dirs_beside(dir), std::vector<std::string>{});

  json info = json::parse(read_text(dir + "/template.json"));
  EXPECT_EQ(info["mimeo_template"], 1);
  EXPECT_EQ(info["run_options"], json(options));
  EXPECT_EQ(info["memory"], json::parse(R"([{"id": "pc.ram", "size": 67108864,
                                             "file": "pc.ram"}])"));
  EXPECT_EQ(info["state_bytes"], files["state"].size);
  EXPECT_EQ(info["ready"], "console line containing 'mimeo-guest ready'");

  auto inspect = run_mimeo({"template", "inspect", dir});
  ASSERT_EQ(inspect.status, 0) << inspect.err;
  EXPECT_EQ(inspect.err, "");
  auto report = lines_of(inspect.out);
  ASSERT_FALSE(report.empty());
  EXPECT_EQ(report[0], "template   " + dir);
  auto memory_line = std::find_if(report.begin(), report.end(),
                                  [](const std::string& l) { return l.starts_with("memory "); });
  ASSERT_NE(memory_line, report.end()) << inspect.out;
  EXPECT_NE(memory_line->find("pc.ram"), std::string::npos) << *memory_line;
  EXPECT_NE(memory_line->find("64 MiB"), std::string::npos) << *memory_line;
  EXPECT_TRUE(memory_line->ends_with("file " + dir + "/pc.ram (fingerprint matches)"))
      << *memory_line;
}

TEST(TemplateCreate, ReadyAfterSeconds) {
  TempDir parent;
  const std::string dir = parent.file("t");
  auto result = run_mimeo(create_args(dir, {"--ready-after", "0.2", "--quiet", "--timeout", "20"},
                                      guest_template_options()),
                          milliseconds(25'000));
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(json::parse(read_text(dir + "/template.json"))["ready"], "0.2 s after start");
  EXPECT_EQ(run_mimeo({"template", "inspect", dir}).status, 0);
}

// "DIR/" names DIR: the temporary directory goes beside it, not into it.
TEST(TemplateCreate, TrailingSlashNamesTheDirectory) {
  TempDir parent;
  const std::string dir = parent.file("t");
  auto result = run_mimeo(create_args(dir + "/", {"--ready-on-serial", kReadyText, "--quiet"},
                                      guest_template_options()),
                          milliseconds(25'000));
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out.find("mimeo template create: " + dir + " is ready"), 0U) << result.out;
  EXPECT_EQ(directory_state(dir).size(), 3U);
  EXPECT_EQ(directory_state(parent.path()).size(), 1U);
}

// What a failed create must leave: the parent directory as it was.
void expect_nothing_created(const std::string& parent,
                            const std::map<std::string, FileState>& before) {
  EXPECT_EQ(directory_state(parent), before);
}

TEST(TemplateCreate, GuestNeverReadyTimesOutAndLeavesNothing) {
  TempDir parent;
  const std::string dir = parent.file("t");
  const auto before = directory_state(parent.path());
  auto result = run_mimeo(
      create_args(
          dir, {"--ready-on-serial", "a line the guest never prints", "--timeout", "1", "--quiet"},
          guest_template_options()),
      milliseconds(10'000));
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.err,
            "mimeo template create: the guest was not ready after 1 s (--timeout); nothing was "
            "created\n");
  EXPECT_EQ(result.out, "");
  expect_nothing_created(parent.path(), before);
}

TEST(TemplateCreate, GuestThatStopsBeforeReadyLeavesNothing) {
  TempDir parent;
  const std::string kernel = parent.file("exits-at-once.elf");
  ASSERT_NO_FATAL_FAILURE(write_exiting_kernel(kernel, 5));
  const std::string dir = parent.file("t");
  const auto before = directory_state(parent.path());
  auto result = run_mimeo(create_args(dir, {"--ready-on-serial", kReadyText, "--timeout", "10"},
                                      guest_template_options(kernel)),
                          milliseconds(15'000));
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.err,
            "mimeo template create: the VM stopped before it was ready: guest exited through "
            "isa-debug-exit with status 11; nothing was created\n");
  expect_nothing_created(parent.path(), before);
}

struct CreateRefusal {
  std::string name;
  std::vector<std::string> flags;    // before `--`
  std::vector<std::string> options;  // after `--`, added to the guest's
  std::string message;               // stderr without "mimeo template create: " ("DIR": the dir)
};
void PrintTo(const CreateRefusal& c, std::ostream* os) { *os << c.name; }

std::string with_dir(std::string text, const std::string& dir) {
  for (size_t at; (at = text.find("DIR")) != std::string::npos;) {
    text.replace(at, 3, dir);
  }
  return text;
}

const std::vector<std::string> kReady = {"--ready-on-serial", kReadyText, "--timeout", "5"};

class TemplateCreateRefusal : public ::testing::TestWithParam<CreateRefusal> {};

TEST_P(TemplateCreateRefusal, OneLineAndNothingCreated) {
  TempDir parent;
  const std::string dir = parent.file("t");
  // The "exists" case: DIR is there already, with a file in it.
  if (GetParam().name == "DirectoryExists") {
    ASSERT_TRUE(std::filesystem::create_directory(dir));
    write_text(dir + "/notes.txt", "not a template\n");
  }
  const auto before = directory_state(parent.path());
  const auto dir_before = std::filesystem::exists(dir) ? snapshot_directory(dir)
                                                       : std::map<std::string, FileSnapshot>{};
  std::vector<std::string> options = guest_template_options();
  for (const auto& option : GetParam().options) {
    options.push_back(with_dir(option, parent.path()));
  }
  auto result = run_mimeo(create_args(dir, GetParam().flags, options));
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.err, "mimeo template create: " + with_dir(GetParam().message, dir) + "\n");
  EXPECT_EQ(result.out, "");
  expect_nothing_created(parent.path(), before);
  if (!dir_before.empty()) {
    EXPECT_EQ(snapshot_directory(dir), dir_before);
  }
}

INSTANTIATE_TEST_SUITE_P(
    CommandLines, TemplateCreateRefusal,
    ::testing::Values(
        CreateRefusal{
            "DirectoryExists", kReady, {}, "DIR already exists (a template is never overwritten)"},
        CreateRefusal{"Serial",
                      kReady,
                      {"-serial", "stdio"},
                      "-serial and -chardev are not for `template create`: the template's console "
                      "is read by mimeo (--ready-on-serial) and shown on stdout"},
        CreateRefusal{"Chardev",
                      kReady,
                      {"-chardev", "stdio,id=c0"},
                      "-serial and -chardev are not for `template create`: the template's console "
                      "is read by mimeo (--ready-on-serial) and shown on stdout"},
        CreateRefusal{"Qmp",
                      kReady,
                      {"-qmp", "unix:DIR/qmp.sock,server=on,wait=off"},
                      "-qmp, -incoming and -S are not for `template create` (it runs, stops and "
                      "saves the VM itself)"},
        CreateRefusal{"StartPaused",
                      kReady,
                      {"-S"},
                      "-qmp, -incoming and -S are not for `template create` (it runs, stops and "
                      "saves the VM itself)"},
        CreateRefusal{"MemPath",
                      kReady,
                      {"-mem-path", "DIR"},
                      "-mem-path cannot be used for VM templating (it puts RAM in an unlinked "
                      "temporary file that neither survives the VM nor can be mapped privately by "
                      "new VMs); use -object memory-backend-file,...,share=on for a template and "
                      "readonly=on,rom=off for VMs started from it"},
        CreateRefusal{"Balloon",
                      kReady,
                      {"-device", "virtio-balloon-pci"},
                      "-device virtio-balloon-pci: refused: virtio-balloon inflation and free page "
                      "reporting cannot discard RAM that is a private file mapping (VM "
                      "templating)"},
        CreateRefusal{"VirtioMem",
                      kReady,
                      {"-device", "virtio-mem-pci,id=vm0"},
                      "-device virtio-mem-pci: refused: virtio-mem cannot discard RAM that is a "
                      "private file mapping (VM templating)"},
        CreateRefusal{"VhostUser",
                      kReady,
                      {"-device", "vhost-user-fs-pci"},
                      "-device vhost-user-fs-pci: refused: vhost-user needs RAM shared with "
                      "another process, which VMs started from a template do not have "
                      "(share=off)"},
        CreateRefusal{"NoReadyCondition",
                      {"--timeout", "5"},
                      {},
                      "give one of --ready-on-serial TEXT and --ready-after SECONDS (when the "
                      "template is ready to be saved)"},
        CreateRefusal{"BothReadyConditions",
                      {"--ready-on-serial", kReadyText, "--ready-after", "1"},
                      {},
                      "give one of --ready-on-serial TEXT and --ready-after SECONDS (when the "
                      "template is ready to be saved)"}),
    [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace mimeo::e2e
