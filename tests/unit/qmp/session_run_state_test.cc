// query-status, stop, cont and quit, with the STOP, RESUME and SHUTDOWN events.
#include <gtest/gtest.h>

#include "fake_backend.h"

namespace mimeo::qmp::testing {
namespace {

class RunState : public ::testing::Test {
 protected:
  void SetUp() override { qmp.negotiate(); }
  FakeBackend backend;
  Conversation qmp{backend};
};

Json status_reply(std::string_view status, bool running) {
  return Json{{"return", {{"status", status}, {"singlestep", false}, {"running", running}}}};
}

TEST_F(RunState, QueryStatusReportsQemusNames) {
  const std::pair<RunStatus, const char*> cases[] = {{RunStatus::kPrelaunch, "prelaunch"},
                                                     {RunStatus::kInmigrate, "inmigrate"},
                                                     {RunStatus::kRunning, "running"},
                                                     {RunStatus::kPaused, "paused"},
                                                     {RunStatus::kFinishMigrate, "finish-migrate"},
                                                     {RunStatus::kPostmigrate, "postmigrate"},
                                                     {RunStatus::kShutdown, "shutdown"}};
  for (const auto& [status, name] : cases) {
    backend.status = status;
    EXPECT_EQ(qmp.execute("query-status"), status_reply(name, status == RunStatus::kRunning));
  }
}

TEST_F(RunState, StopSendsStopBeforeItsReplyAndOnlyWhenRunning) {
  auto messages = qmp.send(R"({"execute": "stop"})");
  ASSERT_EQ(messages.size(), 2U);
  EXPECT_EQ(messages[0]["event"], "STOP");
  EXPECT_TRUE(messages[0]["timestamp"]["seconds"].is_number_integer());
  EXPECT_TRUE(messages[0]["timestamp"]["microseconds"].is_number_integer());
  EXPECT_FALSE(messages[0].contains("data"));
  EXPECT_EQ(messages[1], Json::parse(R"({"return": {}})"));
  EXPECT_EQ(qmp.execute("query-status"), status_reply("paused", false));
  // Stopping a stopped VM does nothing, as in QEMU.
  EXPECT_TRUE(qmp.events(R"({"execute": "stop"})").empty());
  EXPECT_EQ(backend.calls, std::vector<std::string>{"stop"});
}

TEST_F(RunState, ContResumesAPausedPrelaunchOrPostmigrateVm) {
  for (RunStatus status : {RunStatus::kPaused, RunStatus::kPrelaunch, RunStatus::kPostmigrate}) {
    backend.status = status;
    EXPECT_EQ(qmp.events(R"({"execute": "cont"})"), std::vector<std::string>{"RESUME"});
    EXPECT_EQ(qmp.execute("query-status"), status_reply("running", true));
  }
  EXPECT_TRUE(qmp.events(R"({"execute": "cont"})").empty());  // already running
}

TEST_F(RunState, ContRefusesWhatQemuRefuses) {
  backend.status = RunStatus::kShutdown;
  EXPECT_EQ(qmp.execute("cont"), generic_error("Resetting the Virtual Machine is required"));
  backend.status = RunStatus::kFinishMigrate;
  EXPECT_EQ(qmp.execute("cont"), generic_error("Migration is not finalized yet"));
  // While waiting for -incoming, QEMU only notes autostart.
  backend.wait_for_incoming();
  EXPECT_EQ(qmp.execute("cont"), Json::parse(R"({"return": {}})"));
  EXPECT_TRUE(backend.calls.empty());
}

TEST_F(RunState, QuitAnswersThenSendsShutdownAndStopsTheVm) {
  auto messages = qmp.send(R"({"execute": "quit", "id": "q"})");
  ASSERT_EQ(messages.size(), 2U);
  EXPECT_EQ(messages[0], Json::parse(R"({"return": {}, "id": "q"})"));
  EXPECT_EQ(messages[1]["event"], "SHUTDOWN");
  EXPECT_EQ(messages[1]["data"], Json::parse(R"({"guest": false, "reason": "host-qmp-quit"})"));
  EXPECT_EQ(backend.calls, std::vector<std::string>{"quit"});
  EXPECT_TRUE(qmp.session().quit_requested());
  // The VM's own stop afterwards is not announced a second time.
  EXPECT_TRUE(qmp.session().vm_stopped({true, "guest-shutdown"}).empty());
}

TEST_F(RunState, AVmThatStopsOnItsOwnIsAnnouncedOnce) {
  auto lines = qmp.session().vm_stopped({true, "guest-reset"});
  ASSERT_EQ(lines.size(), 1U);
  auto event = Json::parse(lines[0]);
  EXPECT_EQ(event["event"], "SHUTDOWN");
  EXPECT_EQ(event["data"], Json::parse(R"({"guest": true, "reason": "guest-reset"})"));
  EXPECT_TRUE(qmp.session().vm_stopped({true, "guest-reset"}).empty());
}

TEST_F(RunState, EventsWaitForNegotiation) {
  FakeBackend other;
  Conversation fresh(other);
  EXPECT_TRUE(fresh.session().vm_stopped({false, "host-signal"}).empty());
}

TEST(ShutdownCause, FollowsWhyTheVmStopped) {
  using vmm::ExitKind;
  auto cause = [](ExitKind kind, std::string detail = {}) {
    return shutdown_cause({kind, 0, 0, std::move(detail), 0});
  };
  EXPECT_EQ(cause(ExitKind::kGuestExit), std::nullopt);
  EXPECT_EQ(cause(ExitKind::kShutdown), (ShutdownCause{true, "guest-shutdown"}));
  EXPECT_EQ(cause(ExitKind::kReset), (ShutdownCause{true, "guest-reset"}));
  EXPECT_EQ(cause(ExitKind::kTripleFault), (ShutdownCause{true, "guest-reset"}));
  EXPECT_EQ(cause(ExitKind::kInternalError), (ShutdownCause{false, "host-error"}));
  EXPECT_EQ(cause(ExitKind::kQuit, "QMP quit"), (ShutdownCause{false, "host-qmp-quit"}));
  EXPECT_EQ(cause(ExitKind::kQuit, "SIGTERM"), (ShutdownCause{false, "host-signal"}));
  EXPECT_EQ(cause(ExitKind::kQuit, "Ctrl-a x on the console"), (ShutdownCause{false, "host-ui"}));
}

}  // namespace
}  // namespace mimeo::qmp::testing
