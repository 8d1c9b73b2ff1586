// `mimeo clone DIR` as a user runs it, several at once: each clone starts
// from the template's memory, writes privately, has an identity of its own
// (the one it prints), and the template's files never change.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <thread>

#include "e2e/template_support.h"

namespace mimeo::e2e {
namespace {

constexpr uint64_t kProbe = 0x2000000;      // 32 MiB: untouched by the template's boot
constexpr uint64_t kGuestImage = 0x100000;  // the guest's code (docs/guest.md)
constexpr milliseconds kCloneStart{10'000};

// The line a clone prints once it runs, taken apart.
struct PrintedIdentity {
  std::string uuid;
  std::string generation_id;
};

std::optional<PrintedIdentity> printed_identity(MimeoProcess& clone) {
  const std::string prefix = "mimeo clone: uuid ";
  auto line = clone.stderr_line(prefix, kCloneStart);
  if (!line) {
    return std::nullopt;
  }
  const std::string rest = line->substr(prefix.size());
  const std::string separator = " generation-id ";
  const auto at = rest.find(separator);
  if (at == std::string::npos) {
    return std::nullopt;
  }
  return PrintedIdentity{rest.substr(0, at), rest.substr(at + separator.size())};
}

// Ends a clone through the guest's `exit`, as its user would.
void exit_clone(MimeoProcess& clone, int code) {
  EXPECT_EQ(ask(clone.console(), "exit " + std::to_string(code)),
            "exiting " + std::to_string(code));
  const int status = (code << 1) | 1;
  EXPECT_EQ(clone.wait_exit(), status);
  EXPECT_TRUE(clone.stderr_text().ends_with(
      "mimeo: guest exited through isa-debug-exit with status " + std::to_string(status) + "\n"))
      << clone.stderr_text();
}

// One template of the test guest for the whole suite (it must not change).
class TemplateClone : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    parent_ = new TempDir();
    dir_ = parent_->file("guest-template");
    create_template(dir_);
    if (!::testing::Test::HasFatalFailure()) {
      files_ = snapshot_directory(dir_);
    }
  }
  static void TearDownTestSuite() {
    delete parent_;
    parent_ = nullptr;
  }
  void SetUp() override { ASSERT_EQ(files_.size(), 4U) << "no template (see SetUpTestSuite)"; }
  void TearDown() override {
    // Byte for byte, modes, sizes, times and inodes: as published.
    EXPECT_EQ(snapshot_directory(dir_), files_);
    EXPECT_EQ(files_["pc.ram"].state.mode & 07777, 0444U);
  }

  static std::unique_ptr<MimeoProcess> start_clone(const std::vector<std::string>& extra = {}) {
    return MimeoProcess::start(std::vector<std::string>{"clone", dir_} + extra);
  }

  static inline TempDir* parent_ = nullptr;
  static inline std::string dir_;
  static inline std::map<std::string, FileSnapshot> files_;
};

TEST_F(TemplateClone, FiveAtOnceEachWithItsOwnMemoryAndIdentity) {
  constexpr int kClones = 5;
  // The last clone dirties with the first one's seed: the same sum.
  const uint64_t seeds[kClones] = {101, 102, 103, 104, 101};
  const std::string ram = dir_ + "/pc.ram";
  std::vector<std::unique_ptr<MimeoProcess>> clones;
  for (int i = 0; i < kClones; ++i) {
    clones.push_back(start_clone());
    ASSERT_TRUE(clones.back());
  }
  std::vector<PrintedIdentity> printed;
  for (auto& clone : clones) {
    auto identity = printed_identity(*clone);
    ASSERT_TRUE(identity) << clone->stderr_text();
    printed.push_back(*identity);
  }
  for (auto& clone : clones) {
    EXPECT_EQ(ask(clone->console(), "ping"), "pong");
    // The template's memory, as its boot left it in the RAM file.
    EXPECT_EQ(ask(clone->console(), "read " + hex64(kGuestImage)),
              hex64(read_qword(ram, kGuestImage)));
    EXPECT_EQ(ask(clone->console(), "read " + hex64(kProbe)), hex64(0));
    EXPECT_EQ(ask(clone->console(), "sum"), "sum " + hex64(0));
  }
  // All clones write and dirty at the same time.
  for (int i = 0; i < kClones; ++i) {
    ASSERT_TRUE(
        clones[i]->console().send_line("write " + hex64(kProbe) + " " + hex64(0xc10e0000 + i)));
    ASSERT_TRUE(clones[i]->console().send_line("dirty 1 " + std::to_string(seeds[i])));
  }
  for (auto& clone : clones) {
    EXPECT_EQ(clone->console().next_line(kCloneStart), "ok");
    EXPECT_EQ(clone->console().next_line(kCloneStart), "dirtied 1 MiB");
  }
  std::set<std::string> sums;
  for (int i = 0; i < kClones; ++i) {
    LineChannel& console = clones[i]->console();
    EXPECT_EQ(ask(console, "read " + hex64(kProbe)), hex64(0xc10e0000 + i));
    const std::string sum = ask(console, "sum");
    EXPECT_EQ(sum, dirty_sum(1, seeds[i]));
    sums.insert(sum);
  }
  EXPECT_EQ(sums.size(), 4U);  // seeds 101 to 104; the fifth clone's sum is the first one's

  std::set<std::string> uuids, genids, random_seeds;
  for (int i = 0; i < kClones; ++i) {
    const std::string answer = ask(clones[i]->console(), "identity");
    auto identity = parse_identity(answer);
    ASSERT_TRUE(identity) << answer;
    EXPECT_EQ(identity->uuid, printed[i].uuid);
    EXPECT_EQ(identity->genid, printed[i].generation_id);
    EXPECT_EQ(identity->gen, "1");  // the template's counter (0) + 1
    uuids.insert(identity->uuid);
    genids.insert(identity->genid);
    random_seeds.insert(identity->seed);
  }
  EXPECT_EQ(uuids.size(), size_t{kClones});
  EXPECT_EQ(genids.size(), size_t{kClones});
  EXPECT_EQ(random_seeds.size(), size_t{kClones});

  for (int i = 0; i < kClones; ++i) {
    exit_clone(*clones[i], i);
  }
  // Nothing a clone wrote reached the template.
  EXPECT_EQ(read_qword(ram, kProbe), 0U);
  EXPECT_EQ(read_qword(ram, 16 << 20), 0U);
}

TEST_F(TemplateClone, UuidOptionFixesTheUuidTheGuestSees) {
  const std::string uuid = "12345678-9abc-4def-8123-456789abcdef";
  auto clone = start_clone({"-uuid", uuid});
  ASSERT_TRUE(clone);
  auto printed = printed_identity(*clone);
  ASSERT_TRUE(printed) << clone->stderr_text();
  EXPECT_EQ(printed->uuid, uuid);
  auto identity = parse_identity(ask(clone->console(), "identity"));
  ASSERT_TRUE(identity);
  EXPECT_EQ(identity->uuid, uuid);
  EXPECT_EQ(identity->genid, printed->generation_id);
  EXPECT_EQ(identity->gen, "1");
  exit_clone(*clone, 0);
}

TEST_F(TemplateClone, TheGuestTimerRunsOn) {
  auto clone = start_clone();
  ASSERT_TRUE(clone);
  ASSERT_TRUE(printed_identity(*clone)) << clone->stderr_text();
  EXPECT_EQ(ask(clone->console(), "ping"), "pong");
  std::this_thread::sleep_for(milliseconds(300));
  const std::string ticks = ask(clone->console(), "ticks");
  ASSERT_TRUE(ticks.starts_with("ticks ")) << ticks;
  EXPECT_GT(std::stoul(ticks.substr(6)), 0U) << ticks;
  exit_clone(*clone, 1);
}

// A template needs nothing outside its directory: moved, and with the kernel
// it was made from replaced, its clones still run the template's memory.
TEST(TemplateDirectory, ClonesNeedOnlyTheDirectory) {
  TempDir parent;
  const std::string kernel = parent.file("guest.elf");
  std::filesystem::copy_file(MIMEO_GUEST_ELF, kernel);
  const std::string made = parent.file("made-here");
  ASSERT_NO_FATAL_FAILURE(create_template(made, guest_template_options(kernel)));
  const uint64_t code = read_qword(made + "/pc.ram", kGuestImage);
  // Booting this kernel would exit at once (status 11).
  std::filesystem::remove(kernel);
  ASSERT_NO_FATAL_FAILURE(write_exiting_kernel(kernel, 5));
  const std::string moved = parent.file("moved, renamed");  // a comma, escaped in the options
  std::filesystem::rename(made, moved);

  auto clone = MimeoProcess::start({"clone", moved});
  ASSERT_TRUE(clone);
  ASSERT_TRUE(printed_identity(*clone)) << clone->stderr_text();
  EXPECT_EQ(ask(clone->console(), "ping"), "pong");
  EXPECT_EQ(ask(clone->console(), "read " + hex64(kGuestImage)), hex64(code));
  exit_clone(*clone, 2);
  auto inspect = run_mimeo({"template", "inspect", moved});
  EXPECT_EQ(inspect.status, 0) << inspect.err;
  EXPECT_NE(inspect.out.find("file " + moved + "/pc.ram (fingerprint matches)"), std::string::npos)
      << inspect.out;
}

// The templating document: "If multiple memory backends are used (vNUMA,
// DIMMs), configure all memory backends accordingly." Each becomes a file.
TEST(TemplateDirectory, EveryMemoryBackendIsAFileOfTheTemplate) {
  TempDir parent;
  const std::string dir = parent.file("numa");
  ASSERT_NO_FATAL_FAILURE(create_template(
      dir, guest_args() + std::vector<std::string>{
                              "-object", "memory-backend-ram,id=node0,size=32M", "-object",
                              "memory-backend-memfd,id=node1,size=32M", "-numa",
                              "node,memdev=node0", "-numa", "node,memdev=node1"}));
  auto files = directory_state(dir);
  EXPECT_EQ(files.size(), 4U);
  EXPECT_EQ(files["node0"].size, 32U << 20);
  EXPECT_EQ(files["node1"].size, 32U << 20);
  const auto before = snapshot_directory(dir);
  auto inspect = run_mimeo({"template", "inspect", dir});
  EXPECT_EQ(inspect.status, 0) << inspect.err;
  for (const char* node : {"node0", "node1"}) {
    EXPECT_NE(inspect.out.find("file " + dir + "/" + node + " (fingerprint matches)"),
              std::string::npos)
        << inspect.out;
  }

  // Node 1 starts at 1 GiB (docs/memory.md); a clone writes both nodes privately.
  auto clone = MimeoProcess::start({"clone", dir});
  ASSERT_TRUE(clone);
  ASSERT_TRUE(printed_identity(*clone)) << clone->stderr_text();
  EXPECT_EQ(ask(clone->console(), "read " + hex64(kGuestImage)),
            hex64(read_qword(dir + "/node0", kGuestImage)));
  for (uint64_t address : {kProbe - (16 << 20), uint64_t{0x40000000}, uint64_t{0x41fffff8}}) {
    EXPECT_EQ(ask(clone->console(), "write " + hex64(address) + " 0x5151"), "ok");
    EXPECT_EQ(ask(clone->console(), "read " + hex64(address)), hex64(0x5151));
  }
  exit_clone(*clone, 0);
  EXPECT_EQ(snapshot_directory(dir), before);
}

}  // namespace
}  // namespace mimeo::e2e
