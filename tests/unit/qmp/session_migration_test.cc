// migrate-set-capabilities, migrate, migrate-incoming and query-migrate, as a templating
// tool drives them (Kata Containers' VM factory, the templating document's steps).
#include <gtest/gtest.h>

#include "fake_backend.h"

namespace mimeo::qmp::testing {
namespace {

using namespace std::chrono_literals;

const Json kOk = Json::parse(R"({"return": {}})");

class Migration : public ::testing::Test {
 protected:
  void SetUp() override { qmp.negotiate(); }

  Json set_caps(const Json& list) {
    return qmp.execute("migrate-set-capabilities", {{"capabilities", list}});
  }
  bool cap_state(std::string_view name) {
    const Json reply = qmp.execute("query-migrate-capabilities");
    for (const auto& entry : reply["return"]) {
      if (entry["capability"].get<std::string>() == name) {
        return entry["state"].get<bool>();
      }
    }
    ADD_FAILURE() << name << " not listed";
    return false;
  }

  FakeBackend backend;
  Conversation qmp{backend};
};

TEST_F(Migration, IgnoreSharedAndEventsAreSetAndReported) {
  EXPECT_FALSE(cap_state("x-ignore-shared"));
  EXPECT_EQ(set_caps(Json::parse(R"([{"capability": "x-ignore-shared", "state": true},
                                     {"capability": "events", "state": true}])")),
            kOk);
  EXPECT_TRUE(cap_state("x-ignore-shared"));
  EXPECT_TRUE(cap_state("events"));
  EXPECT_FALSE(cap_state("postcopy-ram"));
  EXPECT_EQ(qmp.execute("query-migrate-capabilities")["return"].size(), 21U);
}

TEST_F(Migration, TemplatingRulesOutPostcopyAndReleaseRam) {
  for (const char* name : {"postcopy-ram", "release-ram", "x-release-ram"}) {
    auto reply = set_caps(Json::array({{{"capability", "x-ignore-shared"}, {"state", true}},
                                       {{"capability", name}, {"state", true}}}));
    ASSERT_EQ(reply["error"]["class"], "GenericError") << name;
    const std::string desc = reply["error"]["desc"];
    EXPECT_TRUE(desc.starts_with("Capability '" + std::string(name) + "' is not supported: "))
        << desc;
    EXPECT_NE(desc.find("discard"), std::string::npos) << desc;
    EXPECT_NE(desc.find("template"), std::string::npos) << desc;
  }
  // Nothing of a refused list is applied.
  EXPECT_FALSE(cap_state("x-ignore-shared"));
  // Turning them off is fine.
  EXPECT_EQ(set_caps(Json::parse(R"([{"capability": "postcopy-ram", "state": false}])")), kOk);
}

TEST_F(Migration, OtherQemuCapabilitiesCannotBeTurnedOn) {
  auto reply = set_caps(Json::parse(R"([{"capability": "xbzrle", "state": true}])"));
  EXPECT_EQ(reply, generic_error("Capability 'xbzrle' is not supported by mimeo (it supports "
                                 "x-ignore-shared and events)"));
}

TEST_F(Migration, CapabilityArgumentsAreCheckedLikeQemu) {
  EXPECT_EQ(set_caps(Json::parse(R"([{"capability": "foo", "state": true}])")),
            generic_error("Parameter 'capability' does not accept value 'foo'"));
  EXPECT_EQ(set_caps(Json::parse(R"([{"capability": "events"}])")),
            generic_error("Parameter 'capabilities[0].state' is missing"));
  EXPECT_EQ(set_caps(Json::parse(R"([{"capability": "events", "state": true}, 3])")),
            generic_error("Invalid parameter type for 'capabilities[1]', expected: object"));
  EXPECT_EQ(
      set_caps(Json::parse(R"([{"capability": 1, "state": true}])")),
      generic_error("Invalid parameter type for 'capabilities[0].capability', expected: string"));
  EXPECT_EQ(set_caps(Json::parse(R"([{"capability": "events", "state": "on"}])")),
            generic_error("Invalid parameter type for 'capabilities[0].state', expected: boolean"));
  EXPECT_EQ(set_caps(Json::parse(R"([{"capability": "events", "state": true, "x": 1}])")),
            generic_error("Parameter 'capabilities[0].x' is unexpected"));
  EXPECT_EQ(qmp.execute("migrate-set-capabilities"),
            generic_error("Parameter 'capabilities' is missing"));
}

TEST_F(Migration, QueryMigrateIsEmptyBeforeAnyMigration) {
  EXPECT_EQ(qmp.execute("query-migrate"), kOk);
}

TEST_F(Migration, MigrateSavesWithTheCapabilitiesAndReportsCompleted) {
  ASSERT_EQ(set_caps(Json::parse(R"([{"capability": "x-ignore-shared", "state": true}])")), kOk);
  backend.status = RunStatus::kPaused;
  backend.migrate_result = MigrationStats{12345, 4096, 64 << 20, 2500us};
  EXPECT_EQ(qmp.execute("migrate", {{"uri", "exec:cat > /tmp/state"}}), kOk);
  EXPECT_EQ(backend.last_uri.kind, MigrationUri::Kind::kExec);
  EXPECT_EQ(backend.last_uri.target, "cat > /tmp/state");
  EXPECT_TRUE(backend.last_caps.ignore_shared);

  auto info = qmp.execute("query-migrate")["return"];
  EXPECT_EQ(info["status"], "completed");
  EXPECT_EQ(info["total-time"], 3);
  EXPECT_EQ(info["ram"]["transferred"], 12345);
  EXPECT_EQ(info["ram"]["total"], 4096);
  EXPECT_EQ(info["ram"]["remaining"], 0);
  EXPECT_EQ(qmp.execute("query-status")["return"]["status"], "postmigrate");
  // As QEMU: no second migration before `cont`.
  EXPECT_EQ(qmp.execute("migrate", {{"uri", "file:/tmp/again"}}),
            generic_error("Can't migrate the vm that was paused due to previous migration"));
}

TEST_F(Migration, MigrationEventsNeedTheEventsCapability) {
  backend.status = RunStatus::kPaused;
  EXPECT_TRUE(qmp.events(R"({"execute": "migrate", "arguments": {"uri": "file:/a"}})").empty());
  backend.status = RunStatus::kPaused;
  ASSERT_EQ(set_caps(Json::parse(R"([{"capability": "events", "state": true}])")), kOk);
  auto messages = qmp.send(R"({"execute": "migrate", "arguments": {"uri": "file:/b"}})");
  ASSERT_EQ(messages.size(), 4U);
  EXPECT_EQ(messages[0], kOk);
  std::vector<std::string> statuses;
  for (size_t i = 1; i < messages.size(); ++i) {
    EXPECT_EQ(messages[i]["event"], "MIGRATION");
    EXPECT_TRUE(messages[i].contains("timestamp"));
    statuses.push_back(messages[i]["data"]["status"]);
  }
  EXPECT_EQ(statuses, (std::vector<std::string>{"setup", "active", "completed"}));
}

TEST_F(Migration, MigratingARunningVmSendsStopAfterTheReply) {
  EXPECT_EQ(qmp.events(R"({"execute": "migrate", "arguments": {"uri": "file:/a"}})"),
            std::vector<std::string>{"STOP"});
}

TEST_F(Migration, AFailedMigrationIsAnErrorAndReportedFailed) {
  backend.status = RunStatus::kPaused;
  backend.migrate_result = make_error("exec:false: the command exited with status 1");
  EXPECT_EQ(qmp.execute("migrate", {{"uri", "exec:false"}}),
            generic_error("exec:false: the command exited with status 1"));
  EXPECT_EQ(qmp.execute("query-migrate"), Json::parse(R"({"return": {"status": "failed",
                "error-desc": "exec:false: the command exited with status 1"}})"));
}

TEST_F(Migration, UnsupportedUrisAreRefusedAsQemuWordsIt) {
  backend.status = RunStatus::kPaused;
  EXPECT_EQ(qmp.execute("migrate", {{"uri", "tcp:127.0.0.1:4444"}}),
            generic_error("Parameter 'uri' expects a valid migration protocol (mimeo supports "
                          "file:PATH and exec:COMMAND)"));
  EXPECT_EQ(qmp.execute("query-migrate")["return"]["status"], "failed");
  EXPECT_EQ(qmp.execute("migrate", {{"uri", "file:"}}),
            generic_error("migration URI 'file:' needs a path (file:PATH)"));
  EXPECT_EQ(qmp.execute("migrate", {{"uri", "file:/x"}, {"resume", true}}),
            generic_error("Cannot resume if there is no paused migration"));
  EXPECT_TRUE(backend.calls.empty());
}

TEST_F(Migration, MigrateWhileWaitingForIncomingIsRefused) {
  backend.wait_for_incoming();
  EXPECT_EQ(qmp.execute("migrate", {{"uri", "file:/x"}}),
            generic_error("Guest is waiting for an incoming migration"));
}

TEST_F(Migration, MigrateIncomingRestoresAVmStartedWithIncomingDefer) {
  backend.wait_for_incoming();
  EXPECT_EQ(qmp.execute("query-migrate"), kOk);
  EXPECT_EQ(qmp.execute("migrate-set-capabilities",
                        {{"capabilities", {{{"capability", "x-ignore-shared"}, {"state", true}}}}}),
            kOk);
  EXPECT_EQ(qmp.execute("migrate-incoming", {{"uri", "exec:cat /tmp/state"}}), kOk);
  EXPECT_EQ(backend.calls, std::vector<std::string>{"migrate-incoming exec:cat /tmp/state"});
  EXPECT_EQ(qmp.execute("query-migrate"), Json::parse(R"({"return": {"status": "completed"}})"));
  EXPECT_EQ(qmp.execute("query-status")["return"]["status"], "paused");
  EXPECT_EQ(qmp.execute("migrate-incoming", {{"uri", "file:/tmp/state"}}),
            generic_error("The incoming migration has already been started"));
  EXPECT_EQ(qmp.events(R"({"execute": "cont"})"), std::vector<std::string>{"RESUME"});
}

TEST_F(Migration, MigrateIncomingNeedsIncomingOnTheCommandLine) {
  EXPECT_EQ(qmp.execute("migrate-incoming", {{"uri", "file:/tmp/state"}}),
            generic_error("'-incoming' was not specified on the command line"));
  backend.wait_for_incoming();
  EXPECT_EQ(qmp.execute("migrate-incoming", {{"uri", "tcp:0:4444"}}),
            generic_error("unknown migration protocol: tcp:0:4444 (mimeo supports file:PATH and "
                          "exec:COMMAND)"));
  EXPECT_TRUE(backend.calls.empty());
}

TEST_F(Migration, AFailedIncomingMigrationIsFinalOnceAStreamWasRead) {
  backend.wait_for_incoming();
  ASSERT_EQ(set_caps(Json::parse(R"([{"capability": "events", "state": true}])")), kOk);
  backend.incoming_result = make_error("state stream: bad magic");
  auto messages = qmp.send(R"({"execute": "migrate-incoming", "arguments": {"uri": "file:/s"}})");
  ASSERT_EQ(messages.size(), 4U);
  EXPECT_EQ(messages[0], generic_error("state stream: bad magic"));
  EXPECT_EQ(messages[3]["data"]["status"], "failed");
  EXPECT_EQ(
      qmp.execute("query-migrate"),
      Json::parse(R"({"return": {"status": "failed", "error-desc": "state stream: bad magic"}})"));
  EXPECT_EQ(qmp.execute("query-status")["return"]["status"], "inmigrate");
  EXPECT_EQ(qmp.execute("migrate-incoming", {{"uri", "file:/other"}}),
            generic_error("The incoming migration has already been started"));
}

TEST_F(Migration, AnIncomingSourceThatCannotBeOpenedMayBeRetried) {
  backend.wait_for_incoming();
  backend.incoming_opens_source = false;
  backend.incoming_result = make_error("open /nope: No such file or directory");
  EXPECT_EQ(qmp.execute("migrate-incoming", {{"uri", "file:/nope"}}),
            generic_error("open /nope: No such file or directory"));
  backend.incoming_result = {};
  EXPECT_EQ(qmp.execute("migrate-incoming", {{"uri", "file:/yes"}}), kOk);
}

}  // namespace
}  // namespace mimeo::qmp::testing
