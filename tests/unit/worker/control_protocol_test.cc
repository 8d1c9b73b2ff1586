#include "worker/control_protocol.h"

#include <gtest/gtest.h>

#include <string>

namespace mimeo::worker {
namespace {

Request parsed(const std::string& line) {
  auto request = parse_request(line);
  EXPECT_TRUE(request.ok()) << line << ": " << request.error().describe();
  return request.ok() ? *request : Request{};
}

std::string error_of(const std::string& line) {
  auto request = parse_request(line);
  EXPECT_FALSE(request.ok()) << line;
  return request.ok() ? "" : request.error().describe();
}

TEST(ControlProtocol, ParsesEachCommand) {
  EXPECT_EQ(parsed("status"), (Request{Command::kStatus, std::nullopt}));
  EXPECT_EQ(parsed("start"), (Request{Command::kStart, std::nullopt}));
  EXPECT_EQ(parsed("pause"), (Request{Command::kPause, std::nullopt}));
  EXPECT_EQ(parsed("resume"), (Request{Command::kResume, std::nullopt}));
  EXPECT_EQ(parsed("stop"), (Request{Command::kStop, std::nullopt}));
}

TEST(ControlProtocol, IgnoresATrailingCarriageReturn) {
  EXPECT_EQ(parsed("status\r"), (Request{Command::kStatus, std::nullopt}));
}

TEST(ControlProtocol, StartTakesAUuid) {
  const Request request = parsed("start uuid=12345678-9ABC-4def-8123-456789abcdef");
  EXPECT_EQ(request.command, Command::kStart);
  ASSERT_TRUE(request.uuid);
  const devices::Uuid expected = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0x4d, 0xef,
                                  0x81, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
  EXPECT_EQ(*request.uuid, expected);
}

TEST(ControlProtocol, RefusesABadUuidNamingIt) {
  EXPECT_EQ(error_of("start uuid=1234"),
            "start: '1234' is not a UUID (want 8-4-4-4-12 hex digits)");
  EXPECT_EQ(error_of("start uuid=12345678-9abc-4def-8123-456789abcdeg"),
            "start: '12345678-9abc-4def-8123-456789abcdeg' is not a UUID (want 8-4-4-4-12 hex "
            "digits)");
  EXPECT_EQ(error_of("start 12345678-9abc-4def-8123-456789abcdef"),
            "start takes only uuid=<8-4-4-4-12 hex digits>, not "
            "'12345678-9abc-4def-8123-456789abcdef'");
  EXPECT_EQ(error_of("start uuid="), "start: '' is not a UUID (want 8-4-4-4-12 hex digits)");
}

TEST(ControlProtocol, RefusesArgumentsToCommandsWithoutAny) {
  EXPECT_EQ(error_of("status now"), "status takes no argument");
  EXPECT_EQ(error_of("stop "), "stop takes no argument");
  EXPECT_EQ(error_of("pause 1"), "pause takes no argument");
}

TEST(ControlProtocol, RefusesUnknownAndEmptyRequests) {
  EXPECT_EQ(error_of("cont"),
            "unknown request 'cont' (status, start [uuid=UUID], pause, resume or stop)");
  EXPECT_EQ(error_of("STATUS"),
            "unknown request 'STATUS' (status, start [uuid=UUID], pause, resume or stop)");
  EXPECT_EQ(error_of(""), "empty request (status, start [uuid=UUID], pause, resume or stop)");
  EXPECT_EQ(error_of(" status"),
            "unknown request '' (status, start [uuid=UUID], pause, resume or stop)");
}

TEST(ControlProtocol, ShowsOnlyPrintableBytesOfABadRequest) {
  EXPECT_EQ(error_of(std::string("st\x01\xff")),
            "unknown request 'st\?\?' (status, start [uuid=UUID], pause, resume or stop)");
  EXPECT_EQ(error_of(std::string(60, 'x')),
            "unknown request '" + std::string(40, 'x') +
                "...' (status, start [uuid=UUID], pause, resume or stop)");
}

TEST(ControlProtocol, RefusesALineLongerThanTheLimit) {
  EXPECT_EQ(error_of("status" + std::string(kMaxRequestLine, ' ')),
            "request longer than 256 bytes");
}

TEST(ControlProtocol, FormatsReplies) {
  EXPECT_EQ(ok_reply("running"), "ok running\n");
  EXPECT_EQ(error_reply("no\nway\r"), "error no way \n");
  EXPECT_EQ(status_reply(CloneState::kWarm, 42, "0123456789ab"),
            "ok warm pid=42 id=0123456789ab\n");
  EXPECT_EQ(status_reply(CloneState::kRunning, 7, "a"), "ok running pid=7 id=a\n");
  EXPECT_EQ(status_reply(CloneState::kPaused, 7, "a"), "ok paused pid=7 id=a\n");
  EXPECT_EQ(status_reply(CloneState::kRunning, 7, "a", "12345678-9abc-def0-1234-56789abcdef0"),
            "ok running pid=7 id=a uuid=12345678-9abc-def0-1234-56789abcdef0\n");
}

TEST(ControlProtocol, WorkerIdsAreShortAndPlain) {
  EXPECT_TRUE(check_worker_id("0123456789ab").ok());
  EXPECT_TRUE(check_worker_id("clone-1.test_A").ok());
  EXPECT_TRUE(check_worker_id(std::string(64, 'a')).ok());
  EXPECT_FALSE(check_worker_id("").ok());
  EXPECT_FALSE(check_worker_id(std::string(65, 'a')).ok());
  EXPECT_FALSE(check_worker_id("a b").ok());
  EXPECT_FALSE(check_worker_id("a/b").ok());
  EXPECT_EQ(check_worker_id("a=b").error().describe(),
            "--id 'a=b': an id is 1 to 64 letters, digits, '.', '_' or '-'");
}

}  // namespace
}  // namespace mimeo::worker
