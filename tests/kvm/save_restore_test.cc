// A template saved with x-ignore-shared and clones restored from it, in-process
// on real KVM: the clone continues where the template stopped, its writes stay
// private, and the template's RAM file never changes.
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "guest_session.h"
#include "snapshot/byte_sink.h"
#include "snapshot/stream_file.h"
#include "test_files.h"
#include "vmm/state_codec.h"

namespace mimeo::testing {
namespace {

class SaveRestore : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_kvm()) {
      GTEST_SKIP() << "/dev/kvm is not available";
    }
  }

  // Boots a template with its RAM in dir/ram, writes a marker, dirties 1 MiB,
  // and saves it to dir/state. Returns the template's `sum` answer.
  std::string make_template(const std::string& dir, bool ignore_shared) {
    GuestSession guest;
    EXPECT_TRUE(guest
                    .boot(guest_args(
                        {"-object",
                         "memory-backend-file,id=pc.ram,size=64M,share=on,mem-path=" + dir + "/ram",
                         "-machine", "microvm,memory-backend=pc.ram"}))
                    .ok());
    EXPECT_EQ(guest.ask("write 0x3000000 0x5eed"), "ok");
    EXPECT_EQ(guest.ask("dirty 1 9"), "dirtied 1 MiB");
    std::string sum = guest.ask("sum");
    EXPECT_TRUE(guest.machine->pause().ok());
    snapshot::VectorSink sink;
    auto report = guest.machine->save_state({.ignore_shared = ignore_shared}, sink);
    EXPECT_TRUE(report.ok()) << report.error().describe();
    auto bytes = sink.take();
    std::ofstream(dir + "/state", std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    return sum;
  }

  // A clone of dir's template restored into a fresh machine, not yet started.
  Status restore_clone(GuestSession& clone, const std::string& dir, const std::string& backend) {
    auto options = cli::parse_run_options(
        guest_args({"-object", backend, "-machine", "microvm,memory-backend=pc.ram"}));
    if (!options.ok()) {
      return options.error();
    }
    auto plan = cli::build_run_plan(*options);
    if (!plan.ok()) {
      return plan.error();
    }
    plan->machine.incoming = true;
    vmm::MachineIo io;
    io.serial = clone.console;
    MIMEO_ASSIGN_OR_RETURN(clone.machine, vmm::Machine::create(plan->machine, io));
    MIMEO_ASSIGN_OR_RETURN(auto stream, snapshot::read_stream_file(dir + "/state"));
    return clone.machine->restore_state(stream.stream());
  }
};

TEST_F(SaveRestore, ClonesContinueFromTheTemplateAndWritePrivately) {
  TempDir dir;
  const std::string sum = make_template(dir.path(), /*ignore_shared=*/true);
  EXPECT_LT(std::filesystem::file_size(dir.path() + "/state"), 64U * 1024);
  ::chmod((dir.path() + "/ram").c_str(), 0444);
  const std::string ram_before = file_bytes(dir.path() + "/ram");
  const std::string clone_backend =
      "memory-backend-file,id=pc.ram,size=64M,readonly=on,rom=off,"
      "mem-path=" +
      dir.path() + "/ram";
  for (int i = 0; i < 2; ++i) {
    GuestSession clone;
    auto restored = restore_clone(clone, dir.path(), clone_backend);
    ASSERT_TRUE(restored.ok()) << restored.error().describe();
    ASSERT_TRUE(clone.machine->start().ok());
    EXPECT_EQ(clone.ask("ping"), "pong");
    EXPECT_EQ(clone.ask("read 0x3000000"), "0x0000000000005eed");
    EXPECT_EQ(clone.ask("sum"), sum);
    EXPECT_EQ(clone.ask(fmt::format("write 0x1000000 0x{:x}", 100 + i)), "ok");
    EXPECT_EQ(clone.ask("read 0x1000000"), fmt::format("0x{:016x}", 100 + i));
  }
  EXPECT_TRUE(file_bytes(dir.path() + "/ram") == ram_before);
}

TEST_F(SaveRestore, RamInTheStreamRestoresIntoAnonymousMemory) {
  TempDir dir;
  const std::string sum = make_template(dir.path(), /*ignore_shared=*/false);
  GuestSession clone;
  auto restored = restore_clone(clone, dir.path(), "memory-backend-ram,id=pc.ram,size=64M");
  ASSERT_TRUE(restored.ok()) << restored.error().describe();
  ASSERT_TRUE(clone.machine->start().ok());
  EXPECT_EQ(clone.ask("read 0x3000000"), "0x0000000000005eed");
  EXPECT_EQ(clone.ask("sum"), sum);
}

TEST_F(SaveRestore, AMismatchedLayoutOrChangedFileIsRefused) {
  TempDir dir;
  make_template(dir.path(), /*ignore_shared=*/true);
  {
    GuestSession clone;
    auto restored = restore_clone(clone, dir.path(), "memory-backend-ram,id=pc.ram,size=32M");
    ASSERT_FALSE(restored.ok());
    EXPECT_NE(restored.error().describe().find("pc.ram"), std::string::npos)
        << restored.error().describe();
  }
  {
    int fd = ::open((dir.path() + "/ram").c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::pwrite(fd, "x", 1, 0), 1);
    ::close(fd);
    GuestSession clone;
    auto restored = restore_clone(
        clone, dir.path(),
        "memory-backend-file,id=pc.ram,size=64M,readonly=on,rom=off,mem-path=" + dir.path() +
            "/ram");
    ASSERT_FALSE(restored.ok());
    EXPECT_NE(restored.error().describe().find("is not the template's RAM file"), std::string::npos)
        << restored.error().describe();
  }
}

// A clone is a VM like any other: saved again (its private RAM goes into the
// stream) and restored again, it answers exactly as before.
TEST_F(SaveRestore, AClonesSavedAgainAndRestoredAgainBehavesIdentically) {
  TempDir dir;
  make_template(dir.path(), /*ignore_shared=*/true);
  TempDir second;
  std::string sum;
  {
    GuestSession clone;
    auto restored = restore_clone(
        clone, dir.path(),
        "memory-backend-file,id=pc.ram,size=64M,readonly=on,rom=off,mem-path=" + dir.path() +
            "/ram");
    ASSERT_TRUE(restored.ok()) << restored.error().describe();
    ASSERT_TRUE(clone.machine->start().ok());
    EXPECT_EQ(clone.ask("write 0x3000000 0x77"), "ok");
    EXPECT_EQ(clone.ask("dirty 1 21"), "dirtied 1 MiB");
    sum = clone.ask("sum");
    ASSERT_TRUE(clone.machine->pause().ok());
    snapshot::VectorSink sink;
    auto report = clone.machine->save_state({.ignore_shared = true}, sink);
    ASSERT_TRUE(report.ok()) << report.error().describe();
    EXPECT_EQ(report->ram_bytes_in_stream, 64U << 20);  // a private mapping is not shared
    auto bytes = sink.take();
    std::ofstream(second.path() + "/state", std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  }
  GuestSession again;
  auto restored = restore_clone(again, second.path(), "memory-backend-ram,id=pc.ram,size=64M");
  ASSERT_TRUE(restored.ok()) << restored.error().describe();
  ASSERT_TRUE(again.machine->start().ok());
  EXPECT_EQ(again.ask("read 0x3000000"), "0x0000000000000077");
  EXPECT_EQ(again.ask("sum"), sum);
  EXPECT_EQ(again.ask("ping"), "pong");
}

// docs/templating.md's clock policy: a clone's kvmclock continues from the
// template's plus the real time since the save (never backwards).
TEST_F(SaveRestore, TheGuestClockAdvancesByTheTimeSinceTheSave) {
  TempDir dir;
  make_template(dir.path(), /*ignore_shared=*/true);
  auto stream = snapshot::read_stream_file(dir.path() + "/state");
  ASSERT_TRUE(stream.ok());
  const auto* vm = stream->stream().find_section("vm");
  ASSERT_NE(vm, nullptr);
  auto saved = vmm::decode_vm(vm->payload);
  ASSERT_TRUE(saved.ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  GuestSession clone;
  auto restored = restore_clone(
      clone, dir.path(),
      "memory-backend-file,id=pc.ram,size=64M,readonly=on,rom=off,mem-path=" + dir.path() + "/ram");
  ASSERT_TRUE(restored.ok()) << restored.error().describe();
  auto now = clone.machine->guest_clock_ns();
  ASSERT_TRUE(now.ok());
  EXPECT_GE(*now, saved->clock.clock + 300'000'000ULL);
  EXPECT_LT(*now, saved->clock.clock + 60'000'000'000ULL);
}

TEST_F(SaveRestore, ARunningVmIsNotSaved) {
  GuestSession guest;
  ASSERT_TRUE(guest.boot(guest_args({"-m", "64M"})).ok());
  snapshot::VectorSink sink;
  auto report = guest.machine->save_state({}, sink);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().message, "save: the VM is running; pause it first");
}

}  // namespace
}  // namespace mimeo::testing
