// 1000 create/delete cycles through the daemon leak nothing: the daemon's
// file descriptors, threads and memory, clone processes and KVM VMs come
// back to where they were.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "common/temp_dir.h"
#include "daemon/api_server.h"
#include "e2e/daemon_support.h"

namespace mimeo::e2e {
namespace {

size_t entries_in(const std::string& dir) {
  size_t count = 0;
  std::error_code error;
  for (auto it = std::filesystem::directory_iterator(dir, error);
       it != std::filesystem::directory_iterator(); it.increment(error)) {
    ++count;
  }
  return count;
}

uint64_t rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmRSS:")) {
      return std::stoull(line.substr(6));
    }
  }
  return 0;
}

// KVM VMs held by the daemon and its clones (processes whose command line
// names the state directory; other tests may run VMs meanwhile): their fds
// that are "anon_inode:kvm-vm".
size_t kvm_vms(const std::string& state) {
  size_t count = 0;
  std::error_code error;
  for (const auto& process : std::filesystem::directory_iterator("/proc", error)) {
    std::ifstream cmdline(process.path() / "cmdline");
    const std::string text((std::istreambuf_iterator<char>(cmdline)),
                           std::istreambuf_iterator<char>());
    if (text.find(state) == std::string::npos) {
      continue;
    }
    const std::string fd_dir = process.path().string() + "/fd";
    std::error_code ignored;
    for (auto it = std::filesystem::directory_iterator(fd_dir, ignored);
         !ignored && it != std::filesystem::directory_iterator(); it.increment(ignored)) {
      std::error_code link_error;
      if (std::filesystem::read_symlink(it->path(), link_error).string() == "anon_inode:kvm-vm") {
        ++count;
      }
    }
  }
  return count;
}

struct Usage {
  size_t fds = 0;
  size_t threads = 0;
  uint64_t rss_kib = 0;
  size_t vms = 0;
  size_t clone_dirs = 0;
};

Usage usage_of(pid_t daemon, const std::string& state) {
  const std::string proc = "/proc/" + std::to_string(daemon);
  return {entries_in(proc + "/fd"), entries_in(proc + "/task"), rss_kib(daemon), kvm_vms(state),
          entries_in(state + "/clones")};
}

TEST(DaemonLoad, AThousandCreateDeleteCyclesLeakNothing) {
  testing::TempDir dir;
  const std::string state = dir.path() + "/state";
  auto daemon = DaemonProcess::start(dir.path() + "/api.sock", state, 2);
  ASSERT_NE(daemon, nullptr);
  ASSERT_EQ(daemon->create_guest_template("guest", 2).status, 201);
  const pid_t pid = daemon->process().pid();

  auto cycle = [&](int i) {
    auto created = daemon->call("POST", "/clones", Json{{"template", "guest"}});
    ASSERT_EQ(created.status, 201) << "cycle " << i << ": " << created.body;
    const std::string id = created.body["clones"][0]["id"];
    ASSERT_EQ(daemon->call("DELETE", "/clones/" + id).status, 204) << "cycle " << i;
  };
  // Warm up (SQLite's page cache, the allocator's arenas), then settle: the
  // pool full again, the API server's connection threads back to its spare
  // ones (more end once idle for spare_thread_linger).
  auto settle = [&] {
    EXPECT_TRUE(daemon->wait_pool("guest", 2));
    std::this_thread::sleep_for(daemon::ApiServerOptions{}.spare_thread_linger + milliseconds(500));
  };
  for (int i = 0; i < 50; ++i) {
    cycle(i);
  }
  settle();
  const Usage before = usage_of(pid, state);

  constexpr int kCycles = 1000;
  for (int i = 0; i < kCycles; ++i) {
    cycle(i);
    if (::testing::Test::HasFatalFailure()) {
      return;
    }
    if ((i + 1) % 250 == 0) {
      std::fprintf(stderr, "[          ] %d of %d cycles\n", i + 1, kCycles);
    }
  }
  settle();
  const Usage after = usage_of(pid, state);

  EXPECT_EQ(after.fds, before.fds);
  EXPECT_EQ(after.threads, before.threads);
  EXPECT_EQ(after.vms, before.vms);  // only the pool's two clones hold VMs
  EXPECT_EQ(after.clone_dirs, 2u);
  EXPECT_LT(after.rss_kib, before.rss_kib + 8 * 1024)
      << "the daemon grew from " << before.rss_kib << " KiB to " << after.rss_kib << " KiB";
  EXPECT_EQ(daemon->call("GET", "/clones").body["clones"].size(), 0u);
}

}  // namespace
}  // namespace mimeo::e2e
