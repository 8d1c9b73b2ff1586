// The QMP conversation as QEMU 7.2 holds it: greeting, capabilities negotiation, request
// shape, ids, and QEMU's error classes and wording.
#include <gtest/gtest.h>

#include "base/version.h"
#include "fake_backend.h"

namespace mimeo::qmp::testing {
namespace {

class Protocol : public ::testing::Test {
 protected:
  FakeBackend backend;
  Conversation qmp{backend};
};

TEST_F(Protocol, GreetingIsQemu72sWithMimeosPackage) {
  EXPECT_EQ(to_text(qmp.greeting()),
            std::string(R"({"QMP":{"version":{"qemu":{"micro":0,"minor":2,"major":7},)") +
                R"("package":"mimeo-)" + kVersion + R"("},"capabilities":["oob"]}})");
}

TEST_F(Protocol, EveryCommandWaitsForCapabilitiesNegotiation) {
  const Json expecting =
      error_reply("CommandNotFound", "Expecting capabilities negotiation with 'qmp_capabilities'");
  EXPECT_EQ(qmp.reply(R"({"execute": "query-status"})"), expecting);
  EXPECT_EQ(qmp.reply(R"({"execute": "no-such-command"})"), expecting);
  EXPECT_EQ(qmp.reply(R"({"execute": "stop"})"), expecting);
  EXPECT_TRUE(backend.calls.empty());
  // Other errors keep their wording.
  EXPECT_EQ(qmp.reply(R"({"exec": "stop"})"),
            generic_error("QMP input member 'exec' is unexpected"));
  qmp.negotiate();
  EXPECT_EQ(qmp.execute("stop"), Json::parse(R"({"return": {}})"));
}

TEST_F(Protocol, NegotiatingTwiceIsCommandNotFound) {
  qmp.negotiate();
  EXPECT_EQ(qmp.execute("qmp_capabilities"),
            error_reply("CommandNotFound",
                        "Capabilities negotiation is already complete, command ignored"));
}

TEST_F(Protocol, NegotiationStartsAgainForEachClient) {
  qmp.negotiate();
  (void)qmp.session().connect();
  EXPECT_FALSE(qmp.session().negotiated());
  EXPECT_EQ(qmp.execute("query-status")["error"]["class"], "CommandNotFound");
}

TEST_F(Protocol, OobCanBeEnabledButNoCommandRunsOutOfBand) {
  EXPECT_EQ(qmp.execute("qmp_capabilities", {{"enable", {"oob"}}}),
            Json::parse(R"({"return": {}})"));
  EXPECT_EQ(qmp.reply(R"({"exec-oob": "query-status", "id": 1})"),
            Json::parse(R"({"error": {"class": "GenericError",
                           "desc": "The command query-status does not support OOB"}, "id": 1})"));
}

TEST_F(Protocol, OobMustBeEnabledToUseExecOob) {
  qmp.negotiate();
  EXPECT_EQ(qmp.reply(R"({"exec-oob": "query-status"})"),
            generic_error("QMP input member 'exec-oob' is unexpected"));
}

TEST_F(Protocol, QmpCapabilitiesChecksItsArguments) {
  EXPECT_EQ(qmp.execute("qmp_capabilities", {{"enable", {"foo"}}}),
            generic_error("Parameter 'null' does not accept value 'foo'"));
  EXPECT_EQ(qmp.execute("qmp_capabilities", {{"enable", {1}}}),
            generic_error("Invalid parameter type for 'enable[0]', expected: string"));
  EXPECT_EQ(qmp.execute("qmp_capabilities", {{"enable", "oob"}}),
            generic_error("Invalid parameter type for 'enable', expected: array"));
  EXPECT_FALSE(qmp.session().negotiated());
}

TEST_F(Protocol, OobIsRefusedWhenNotOffered) {
  FakeBackend other;
  Conversation plain(other, {.offer_oob = false});
  EXPECT_EQ(plain.greeting()["QMP"]["capabilities"], Json::array());
  EXPECT_EQ(plain.execute("qmp_capabilities", {{"enable", {"oob"}}}),
            generic_error("Capability oob not available"));
}

TEST_F(Protocol, IdIsEchoedInRepliesAndErrors) {
  EXPECT_EQ(qmp.reply(R"({"execute": "qmp_capabilities", "id": "a1"})"),
            Json::parse(R"({"return": {}, "id": "a1"})"));
  EXPECT_EQ(qmp.reply(R"({"execute": "nope", "id": {"n": [1, 2]}})"),
            Json::parse(R"({"error": {"class": "CommandNotFound",
                           "desc": "The command nope has not been found"}, "id": {"n": [1, 2]}})"));
  EXPECT_EQ(qmp.reply(R"({"id": 7})"), Json::parse(R"({"error": {"class": "GenericError",
                           "desc": "QMP input lacks member 'execute'"}, "id": 7})"));
}

TEST_F(Protocol, MalformedRequestsGetQemusErrors) {
  qmp.negotiate();
  auto parse_error = qmp.reply("{\"execute\": nonsense}");
  EXPECT_EQ(parse_error["error"]["class"], "GenericError");
  EXPECT_TRUE(parse_error["error"]["desc"].get<std::string>().starts_with("JSON parse error, "))
      << parse_error;
  EXPECT_EQ(qmp.reply("[1, 2]"), generic_error("QMP input must be a JSON object"));
  EXPECT_EQ(qmp.reply("42 "), generic_error("QMP input must be a JSON object"));
  EXPECT_EQ(qmp.reply(R"({"arguments": {}})"), generic_error("QMP input lacks member 'execute'"));
  EXPECT_EQ(qmp.reply(R"({"execute": 1})"),
            generic_error("QMP input member 'execute' must be a string"));
  EXPECT_EQ(qmp.reply(R"({"execute": "stop", "arguments": []})"),
            generic_error("QMP input member 'arguments' must be an object"));
  EXPECT_EQ(qmp.reply(R"({"execute": "stop", "bogus": 1})"),
            generic_error("QMP input member 'bogus' is unexpected"));
  EXPECT_EQ(qmp.reply(R"({"execute": "foo"})"),
            error_reply("CommandNotFound", "The command foo has not been found"));
}

TEST_F(Protocol, ArgumentsAreCheckedAsQemusInputVisitorDoes) {
  qmp.negotiate();
  EXPECT_EQ(qmp.execute("migrate"), generic_error("Parameter 'uri' is missing"));
  EXPECT_EQ(qmp.execute("migrate", {{"uri", 5}}),
            generic_error("Invalid parameter type for 'uri', expected: string"));
  EXPECT_EQ(qmp.execute("migrate", {{"uri", "file:/x"}, {"bogus", 1}}),
            generic_error("Parameter 'bogus' is unexpected"));
  EXPECT_EQ(qmp.execute("migrate", {{"bogus", 1}}), generic_error("Parameter 'uri' is missing"));
  EXPECT_EQ(qmp.execute("migrate", {{"uri", "file:/x"}, {"detach", "yes"}}),
            generic_error("Invalid parameter type for 'detach', expected: boolean"));
  EXPECT_EQ(qmp.execute("query-status", {{"verbose", true}}),
            generic_error("Parameter 'verbose' is unexpected"));
  EXPECT_EQ(qmp.execute("migrate-incoming"), generic_error("Parameter 'uri' is missing"));
  EXPECT_TRUE(backend.calls.empty());
}

TEST_F(Protocol, ObjectsNeedNoLineEndAndMaySpanReads) {
  qmp.negotiate();
  auto replies = qmp.send(R"({"execute": "query-name"}{"execute": "query-uuid", "id": 2})");
  ASSERT_EQ(replies.size(), 2U);
  EXPECT_EQ(replies[0], Json::parse(R"({"return": {}})"));
  EXPECT_EQ(
      replies[1],
      Json::parse(R"({"return": {"UUID": "c0ffee00-1111-4222-8333-444455556666"}, "id": 2})"));
  EXPECT_TRUE(qmp.send(R"({"execute": "query-)").empty());
  EXPECT_EQ(qmp.send(R"(version"})").size(), 1U);
}

TEST_F(Protocol, QueryVersionNameAndCommands) {
  FakeBackend other;
  Conversation named(other, {.package = "test-pkg", .name = "clone-7"});
  named.negotiate();
  EXPECT_EQ(named.execute("query-version"),
            Json::parse(R"({"return": {"qemu": {"micro": 0, "minor": 2, "major": 7},
                                       "package": "test-pkg"}})"));
  EXPECT_EQ(named.execute("query-name"), Json::parse(R"({"return": {"name": "clone-7"}})"));
  auto commands = named.execute("query-commands")["return"];
  std::vector<std::string> names;
  for (const auto& c : commands) {
    names.push_back(c["name"].get<std::string>());
  }
  for (const char* expected :
       {"qmp_capabilities", "query-status", "stop", "cont", "quit", "migrate", "migrate-incoming",
        "migrate-set-capabilities", "query-migrate", "query-migrate-capabilities", "query-version",
        "query-commands", "query-name", "query-uuid"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }
}

TEST_F(Protocol, SplitterLimitsAreGenericErrors) {
  qmp.negotiate();
  auto replies = qmp.send(std::string(2000, '['));
  ASSERT_EQ(replies.size(), 1U);
  EXPECT_EQ(replies[0], generic_error("JSON nesting depth limit exceeded"));
}

TEST_F(Protocol, InvalidUtf8InInputNeverBreaksTheReply) {
  qmp.negotiate();
  auto replies = qmp.send("{\"execute\": \"\xff\xfe\"}");
  ASSERT_EQ(replies.size(), 1U);
  EXPECT_EQ(replies[0]["error"]["class"], "GenericError");
}

}  // namespace
}  // namespace mimeo::qmp::testing
