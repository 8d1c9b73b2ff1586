// A daemon killed with SIGKILL and started again on its state directory:
// the catalog is consistent, clones that still run are reattached, clones
// that died meanwhile are reported lost, the last daemon's warm clones are
// stopped, no template is damaged and nothing half-made is left.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "common/temp_dir.h"
#include "e2e/daemon_support.h"
#include "e2e/line_channel.h"
#include "e2e/template_support.h"
#include "e2e/unix_sockets.h"

namespace mimeo::e2e {
namespace {

bool eventually(const std::function<bool()>& condition,
                milliseconds timeout = milliseconds(10000)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) {
      return true;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  return condition();
}

class DaemonRecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    socket_ = dir_.path() + "/api.sock";
    state_ = dir_.path() + "/state";
  }
  void TearDown() override {
    for (pid_t pid : workers_of(state_)) {
      ::kill(pid, SIGKILL);
    }
  }
  void kill_daemon(std::unique_ptr<DaemonProcess>& daemon) {
    ASSERT_TRUE(daemon->process().signal(SIGKILL));
    (void)daemon->process().wait_exit();
    daemon.reset();
  }

  testing::TempDir dir_;
  std::string socket_;
  std::string state_;
};

TEST_F(DaemonRecoveryTest, RestartReattachesRunningClonesAndReportsLostOnes) {
  auto daemon = DaemonProcess::start(socket_, state_, 2);
  ASSERT_NE(daemon, nullptr);
  ASSERT_EQ(daemon->create_guest_template("guest", 2).status, 201);
  ASSERT_TRUE(daemon->wait_pool("guest", 2));
  auto doomed = daemon->call("POST", "/clones", Json{{"template", "guest"}});
  auto kept = daemon->call("POST", "/clones", Json{{"template", "guest"}, {"name", "kept"}});
  ASSERT_EQ(doomed.status, 201);
  ASSERT_EQ(kept.status, 201);
  const Json doomed_clone = doomed.body["clones"][0];
  const Json kept_clone = kept.body["clones"][0];
  ASSERT_TRUE(daemon->wait_pool("guest", 2));
  const auto template_files = snapshot_directory(state_ + "/templates/guest");
  std::vector<pid_t> old_warm;
  for (pid_t pid : workers_of(state_)) {
    if (pid != doomed_clone["pid"].get<pid_t>() && pid != kept_clone["pid"].get<pid_t>()) {
      old_warm.push_back(pid);
    }
  }
  EXPECT_EQ(old_warm.size(), 2u);

  kill_daemon(daemon);
  ASSERT_EQ(::kill(doomed_clone["pid"].get<pid_t>(), SIGKILL), 0);
  ASSERT_TRUE(eventually([&] { return !process_alive(doomed_clone["pid"].get<pid_t>()); }));
  EXPECT_TRUE(guest_answers(kept_clone["console_socket"]));  // clones outlive the daemon

  daemon = DaemonProcess::start(socket_, state_, 2);  // the stale socket is replaced
  ASSERT_NE(daemon, nullptr);
  auto kept_now = daemon->call("GET", "/clones/kept");
  ASSERT_EQ(kept_now.status, 200);
  EXPECT_EQ(kept_now.body["state"], "running");
  EXPECT_EQ(kept_now.body["pid"], kept_clone["pid"]);
  EXPECT_TRUE(guest_answers(kept_now.body["console_socket"]));
  auto lost = daemon->call("GET", "/clones/" + doomed_clone["id"].get<std::string>());
  ASSERT_EQ(lost.status, 200);
  EXPECT_EQ(lost.body["state"], "lost");
  EXPECT_NE(lost.body["reason"].get<std::string>().find("gone"), std::string::npos) << lost.body;
  for (pid_t pid : old_warm) {
    EXPECT_TRUE(eventually([&] { return !process_alive(pid); })) << "warm worker " << pid;
  }
  EXPECT_TRUE(daemon->wait_pool("guest", 2));

  // The template is as it was, and still makes clones.
  EXPECT_EQ(snapshot_directory(state_ + "/templates/guest"), template_files);
  EXPECT_EQ(run_mimeo({"template", "inspect", state_ + "/templates/guest"}).status, 0);
  auto fresh = daemon->call("POST", "/clones", Json{{"template", "guest"}});
  ASSERT_EQ(fresh.status, 201);
  EXPECT_TRUE(guest_answers(fresh.body["clones"][0]["console_socket"]));

  // The reattached clone is the daemon's again: pause, delete.
  EXPECT_EQ(daemon->call("POST", "/clones/kept/pause").body["state"], "paused");
  EXPECT_EQ(daemon->call("DELETE", "/clones/kept").status, 204);
  EXPECT_FALSE(process_alive(kept_clone["pid"].get<pid_t>()));
  EXPECT_EQ(daemon->call("DELETE", "/clones/" + doomed_clone["id"].get<std::string>()).status, 204);
}

// The daemon records a clone handed out without a name after it has answered
// (docs/daemon.md): killed in between, it leaves a started worker that its
// catalog still calls warm. Made here by starting the warm worker as the
// daemon does, after killing the daemon. The restarted daemon must reattach
// it as the running clone the user got, not stop it as a spare.
TEST_F(DaemonRecoveryTest, ACloneHandedOutButNotYetRecordedIsReattached) {
  auto daemon = DaemonProcess::start(socket_, state_, 1);
  ASSERT_NE(daemon, nullptr);
  ASSERT_EQ(daemon->create_guest_template("guest", 1).status, 201);
  ASSERT_TRUE(daemon->wait_pool("guest", 1));
  const auto warm = workers_of(state_);
  ASSERT_EQ(warm.size(), 1u);
  std::vector<std::string> ids;
  for (const auto& entry : std::filesystem::directory_iterator(state_ + "/clones")) {
    ids.push_back(entry.path().filename().string());
  }
  ASSERT_EQ(ids.size(), 1u);
  kill_daemon(daemon);

  const std::string uuid = "12345678-9abc-def0-1234-56789abcdef0";
  LineChannel control(
      connect_unix(state_ + "/clones/" + ids[0] + "/control.sock", milliseconds(5000)));
  ASSERT_TRUE(control.valid());
  ASSERT_TRUE(control.send_line("start uuid=" + uuid));
  EXPECT_EQ(control.next_line(milliseconds(5000)), "ok running");
  control = LineChannel();

  daemon = DaemonProcess::start(socket_, state_, 1);
  ASSERT_NE(daemon, nullptr);
  auto clone = daemon->call("GET", "/clones/" + ids[0]);
  ASSERT_EQ(clone.status, 200) << clone.body;
  EXPECT_EQ(clone.body["state"], "running");
  EXPECT_EQ(clone.body["uuid"], uuid);
  EXPECT_EQ(clone.body["pid"], warm[0]);
  EXPECT_TRUE(guest_answers(clone.body["console_socket"]));
  EXPECT_EQ(daemon->call("GET", "/clones").body.size(), 1u);
  EXPECT_TRUE(daemon->wait_pool("guest", 1));  // a new spare, beside the reattached clone
  EXPECT_EQ(daemon->call("DELETE", "/clones/" + ids[0]).status, 204);
  EXPECT_FALSE(process_alive(warm[0]));
}

TEST_F(DaemonRecoveryTest, KilledWhileMakingATemplateLeavesNothingHalfMade) {
  auto daemon = DaemonProcess::start(socket_, state_, 1);
  ASSERT_NE(daemon, nullptr);
  // A template whose guest never says the ready text: creation runs until killed.
  std::thread request([&] {
    daemon::Client client(socket_, std::chrono::seconds(30));
    (void)client.request("POST", "/templates",
                         Json{{"name", "slow"},
                              {"kernel", MIMEO_GUEST_ELF},
                              {"memory", "64M"},
                              {"ready", {{"serial", "a line the guest never prints"}}},
                              {"timeout_seconds", 30}}
                             .dump());
  });
  ASSERT_TRUE(eventually([&] {
    for (const auto& entry : std::filesystem::directory_iterator(state_ + "/templates")) {
      if (entry.path().filename().string().starts_with("slow.tmp-")) {
        return true;
      }
    }
    return false;
  }));
  kill_daemon(daemon);
  request.join();

  daemon = DaemonProcess::start(socket_, state_, 1);
  ASSERT_NE(daemon, nullptr);
  EXPECT_EQ(daemon->call("GET", "/templates").body["templates"].size(), 0u);
  EXPECT_EQ(daemon->call("GET", "/templates/slow").status, 404);
  // The `template create` child died with its daemon; nothing of it is left.
  EXPECT_TRUE(eventually([&] { return std::filesystem::is_empty(state_ + "/templates"); }));
  EXPECT_EQ(daemon->create_guest_template("slow", 0).status, 201);  // the name is free again
}

TEST_F(DaemonRecoveryTest, AFullDiskWhileMakingATemplateLeavesNothingHalfMade) {
  std::filesystem::create_directory(state_);
  if (::mount("tmpfs", state_.c_str(), "tmpfs", 0, "size=4m,mode=0700") != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs here: " << std::strerror(errno);
  }
  {
    auto daemon = DaemonProcess::start(socket_, state_, 1);
    ASSERT_NE(daemon, nullptr);
    // Fill the disk but for a little room: enough for the catalog's rows, not
    // for the template's RAM file and state.
    const auto space = std::filesystem::space(state_);
    const uintmax_t room = 32 * 1024;
    ASSERT_GT(space.available, room);
    {
      std::ofstream filler(state_ + "/filler", std::ios::binary);
      const std::string block(4096, 'x');
      for (uintmax_t written = 0; written + room < space.available; written += block.size()) {
        filler.write(block.data(), static_cast<std::streamsize>(block.size()));
      }
    }
    auto full = daemon->create_guest_template("big", 1);
    EXPECT_EQ(full.status, 507) << full.body;
    EXPECT_EQ(full.body["error"]["code"], "no_space") << full.body;
    EXPECT_TRUE(std::filesystem::is_empty(state_ + "/templates"));
    EXPECT_EQ(daemon->call("GET", "/templates").body["templates"].size(), 0u);
    EXPECT_EQ(daemon->call("GET", "/health").status, 200);
    std::filesystem::remove(state_ + "/filler");
    // Still a working daemon: a template made elsewhere can be imported.
    const std::string local = dir_.path() + "/local-template";
    create_template(local);
    EXPECT_EQ(daemon->call("POST", "/templates/import", Json{{"name", "elsewhere"}, {"dir", local}})
                  .status,
              201);
  }
  ::umount2(state_.c_str(), MNT_DETACH);
}

}  // namespace
}  // namespace mimeo::e2e
