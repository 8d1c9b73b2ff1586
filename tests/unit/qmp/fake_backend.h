// A QmpBackend without a VM, for the protocol tests: it records the calls and moves
// between run states the way MachineBackend does, with results the test chooses.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "qmp/qmp_backend.h"
#include "qmp/qmp_json.h"
#include "qmp/qmp_session.h"

namespace mimeo::qmp::testing {

class FakeBackend : public QmpBackend {
 public:
  RunStatus status = RunStatus::kRunning;
  IncomingStatus incoming;
  Result<MigrationStats> migrate_result = MigrationStats{};
  Status incoming_result;
  bool incoming_opens_source = true;  // a failing migrate_incoming had read a stream

  std::vector<std::string> calls;
  MigrationUri last_uri;
  MigrationCaps last_caps;

  [[nodiscard]] RunStatus run_status() const override { return status; }
  Status stop() override {
    calls.push_back("stop");
    status = RunStatus::kPaused;
    return {};
  }
  Status cont() override {
    calls.push_back("cont");
    status = RunStatus::kRunning;
    return {};
  }
  void quit() override {
    calls.push_back("quit");
    status = RunStatus::kShutdown;
  }
  Result<MigrationStats> migrate(const MigrationUri& uri, const MigrationCaps& caps) override {
    calls.push_back("migrate " + uri.text);
    last_uri = uri;
    last_caps = caps;
    if (migrate_result.ok()) {
      status = RunStatus::kPostmigrate;
    }
    return migrate_result;
  }
  Status migrate_incoming(const MigrationUri& uri) override {
    calls.push_back("migrate-incoming " + uri.text);
    last_uri = uri;
    if (incoming_result.ok()) {
      incoming = {IncomingState::kCompleted, {}};
      status = RunStatus::kPaused;
    } else if (incoming_opens_source) {
      incoming = {IncomingState::kFailed, incoming_result.error().describe()};
    }
    return incoming_result;
  }
  [[nodiscard]] IncomingStatus incoming_status() const override { return incoming; }
  [[nodiscard]] std::string uuid() const override { return "c0ffee00-1111-4222-8333-444455556666"; }
  void abort_migration() override { calls.push_back("abort"); }

  // A VM waiting for -incoming defer.
  void wait_for_incoming() {
    status = RunStatus::kInmigrate;
    incoming = {IncomingState::kWaiting, {}};
  }
};

// Runs a session and parses what it sends.
class Conversation {
 public:
  explicit Conversation(QmpBackend& backend, SessionOptions options = {})
      : session_(backend, std::move(options)) {
    greeting_ = Json::parse(session_.connect());
  }

  // Sends `input` and returns every message the session sent back, parsed.
  std::vector<Json> send(std::string_view input) {
    std::vector<Json> messages;
    for (const auto& line : session_.feed(input)) {
      messages.push_back(Json::parse(line));
    }
    return messages;
  }
  // The one reply (not an event) to `input`.
  Json reply(std::string_view input) {
    Json found;
    int replies = 0;
    for (auto& message : send(input)) {
      if (!message.contains("event")) {
        found = std::move(message);
        ++replies;
      }
    }
    EXPECT_EQ(replies, 1) << input;
    return found;
  }
  // The reply to {"execute": name, "arguments": args}.
  Json execute(std::string_view name, const Json& args = Json::object()) {
    return reply(to_text(Json{{"execute", name}, {"arguments", args}}));
  }
  // The event names (in order) of what `input` caused.
  std::vector<std::string> events(std::string_view input) {
    std::vector<std::string> names;
    for (auto& message : send(input)) {
      if (message.contains("event")) {
        names.push_back(message["event"].get<std::string>());
      }
    }
    return names;
  }
  void negotiate() {
    EXPECT_EQ(reply(R"({"execute": "qmp_capabilities"})"), Json::parse(R"({"return": {}})"));
  }

  QmpSession& session() { return session_; }
  const Json& greeting() const { return greeting_; }

 private:
  QmpSession session_;
  Json greeting_;
};

// {"error": {"class": cls, "desc": desc}}
inline Json error_reply(std::string_view cls, std::string_view desc) {
  return Json{{"error", {{"class", cls}, {"desc", desc}}}};
}

inline Json generic_error(std::string_view desc) { return error_reply("GenericError", desc); }

}  // namespace mimeo::qmp::testing
