// The templating document's command lines (../shared/spec/vm-templating.rst)
// with mimeo's machine type: a template VM leaves its RAM in a file; VMs
// started from that file (readonly=on,rom=off) see it, write privately and
// never change it; rom=on memory ignores the guest's writes.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "e2e/mimeo_process.h"
#include "e2e/test_files.h"

namespace mimeo::e2e {
namespace {

constexpr uint64_t kMiB = 1ULL << 20;
constexpr uint64_t kRamSize = 64 * kMiB;
constexpr uint64_t kProbe = 0x2000000;  // 32 MiB: guest-physical, and so file offset
constexpr uint64_t kTemplateValue = 0x7e3b1a7e00c0ffeeULL;
constexpr uint64_t kDirtySeed = 7;
constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ULL;
const std::vector<std::string> kMachine = {"-machine", "microvm,memory-backend=pc.ram"};

std::string hex(uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%016llx", static_cast<unsigned long long>(value));
  return text;
}

std::vector<std::string> template_args(const std::string& path) {
  return guest_args() +
         std::vector<std::string>{
             "-object", "memory-backend-file,id=pc.ram,mem-path=" + path + ",size=64M,share=on"} +
         kMachine;
}

std::vector<std::string> clone_args(const std::string& path) {
  return guest_args() +
         std::vector<std::string>{"-object", "memory-backend-file,id=pc.ram,mem-path=" + path +
                                                 ",size=64M,readonly=on,rom=off"} +
         kMachine;
}

// Runs the template VM: it stores kTemplateValue at kProbe and dirties 1 MiB
// at 16 MiB, then exits.
void run_template(const std::string& path) {
  auto vm = MimeoProcess::run(template_args(path));
  ASSERT_TRUE(vm);
  ASSERT_TRUE(vm->wait_ready()) << vm->stderr_text();
  EXPECT_EQ(ask(vm->console(), "write " + hex(kProbe) + " " + hex(kTemplateValue)), "ok");
  EXPECT_EQ(ask(vm->console(), "dirty 1 " + std::to_string(kDirtySeed)), "dirtied 1 MiB");
  EXPECT_EQ(ask(vm->console(), "exit 0"), "exiting 0");
  EXPECT_EQ(vm->wait_exit(), 1);
  EXPECT_EQ(vm->stderr_text(), "mimeo: guest exited through isa-debug-exit with status 1\n");
}

TEST(Templating, TemplateRamStaysInTheFileWithWhatTheGuestWrote) {
  TempDir dir;
  const std::string path = dir.file("template");
  ASSERT_NO_FATAL_FAILURE(run_template(path));
  FileState state = file_state(path);
  ASSERT_TRUE(state.exists);
  EXPECT_EQ(state.size, kRamSize);
  EXPECT_EQ(read_qword(path, kProbe), kTemplateValue);
  // `dirty 1 7` filled 16 MiB..17 MiB with 7 * golden + 0.
  EXPECT_EQ(read_qword(path, 16 * kMiB), kDirtySeed * kGolden);
  EXPECT_EQ(read_qword(path, 17 * kMiB - 8), kDirtySeed * kGolden);
  EXPECT_EQ(read_qword(path, 17 * kMiB), 0U);
}

class Clone : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(run_template(path_));
    // A template is kept read-only; the mode must survive the clones.
    ASSERT_EQ(::chmod(path_.c_str(), 0440), 0);
    before_ = file_state(path_);
    hash_before_ = file_hash(path_);
  }

  void expect_template_unchanged() {
    EXPECT_EQ(file_state(path_), before_);
    EXPECT_EQ(file_hash(path_), hash_before_);
    EXPECT_EQ(file_state(path_).mode & 07777, 0440U);
    EXPECT_EQ(read_qword(path_, kProbe), kTemplateValue);
  }

  TempDir dir_;
  std::string path_ = dir_.file("template");
  FileState before_;
  uint64_t hash_before_ = 0;
};

TEST_F(Clone, SeesTheTemplateWritesPrivatelyAndLeavesTheFileAlone) {
  auto vm = MimeoProcess::run(clone_args(path_));
  ASSERT_TRUE(vm);
  ASSERT_TRUE(vm->wait_ready()) << vm->stderr_text();
  LineChannel& console = vm->console();
  EXPECT_EQ(ask(console, "read " + hex(kProbe)), hex(kTemplateValue));
  EXPECT_EQ(ask(console, "read " + hex(16 * kMiB)), hex(kDirtySeed * kGolden));
  EXPECT_EQ(ask(console, "write " + hex(kProbe) + " 0xc10e"), "ok");
  EXPECT_EQ(ask(console, "read " + hex(kProbe)), hex(0xc10e));
  EXPECT_EQ(ask(console, "dirty 1 9"), "dirtied 1 MiB");
  EXPECT_EQ(ask(console, "read " + hex(16 * kMiB)), hex(9 * kGolden));
  EXPECT_EQ(ask(console, "exit 3"), "exiting 3");
  EXPECT_EQ(vm->wait_exit(), 7);
  EXPECT_EQ(vm->stderr_text(), "mimeo: guest exited through isa-debug-exit with status 7\n");
  expect_template_unchanged();
}

TEST_F(Clone, TwoClonesAtOnceDoNotSeeEachOther) {
  auto first = MimeoProcess::run(clone_args(path_));
  auto second = MimeoProcess::run(clone_args(path_));
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(first->wait_ready()) << first->stderr_text();
  ASSERT_TRUE(second->wait_ready()) << second->stderr_text();
  EXPECT_EQ(ask(first->console(), "write " + hex(kProbe) + " 0x1111"), "ok");
  EXPECT_EQ(ask(second->console(), "read " + hex(kProbe)), hex(kTemplateValue));
  EXPECT_EQ(ask(second->console(), "write " + hex(kProbe) + " 0x2222"), "ok");
  EXPECT_EQ(ask(first->console(), "read " + hex(kProbe)), hex(0x1111));
  EXPECT_EQ(ask(first->console(), "exit 1"), "exiting 1");
  EXPECT_EQ(ask(second->console(), "exit 2"), "exiting 2");
  EXPECT_EQ(first->wait_exit(), 3);
  EXPECT_EQ(second->wait_exit(), 5);
  expect_template_unchanged();
}

// rom=on memory cannot hold the boot data, so it is a second NUMA node here.
TEST(RomMemory, GuestWritesAreIgnoredAndCounted) {
  TempDir dir;
  const std::string rom = dir.file("rom");
  write_text(rom, std::string(32 * kMiB, '\0'));
  write_qword(rom, 0x100, 0x0123456789abcdefULL);
  const FileState before = file_state(rom);
  const uint64_t hash_before = file_hash(rom);

  auto vm = MimeoProcess::run(
      guest_args() +
      std::vector<std::string>{
          "-object", "memory-backend-ram,id=m0,size=64M", "-object",
          "memory-backend-file,id=m1,mem-path=" + rom + ",size=32M,readonly=on,rom=on", "-numa",
          "node,memdev=m0", "-numa", "node,memdev=m1"});
  ASSERT_TRUE(vm);
  ASSERT_TRUE(vm->wait_ready()) << vm->stderr_text();
  LineChannel& console = vm->console();
  // Node 1 starts at 1 GiB (docs/memory.md, "Guest-physical layout").
  EXPECT_EQ(ask(console, "read 0x40000100"), "0x0123456789abcdef");
  EXPECT_EQ(ask(console, "write 0x40000100 0x5555"), "ok");
  EXPECT_EQ(ask(console, "read 0x40000100"), "0x0123456789abcdef");
  EXPECT_EQ(ask(console, "exit 0"), "exiting 0");
  EXPECT_EQ(vm->wait_exit(), 1);
  EXPECT_EQ(vm->stderr_text(),
            "mimeo: guest exited through isa-debug-exit with status 1 (1 guest write to "
            "read-only memory was ignored)\n");
  EXPECT_EQ(file_state(rom), before);
  EXPECT_EQ(file_hash(rom), hash_before);
}

}  // namespace
}  // namespace mimeo::e2e
