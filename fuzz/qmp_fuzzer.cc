// Feeds arbitrary bytes to a QMP session, as a client would send them, with a backend
// that needs no VM. Checks that every line the session sends is one JSON object of a
// QMP kind (greeting, return, error or event), and that cutting the input differently
// (all at once, or byte by byte) changes nothing but the events' timestamps.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "qmp/qmp_session.h"

namespace mimeo::qmp {
namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "qmp_fuzzer: %s: %s\n", what, detail.c_str());
  std::abort();
}

// Moves between run states as MachineBackend does; URIs containing "fail" fail.
class FuzzBackend : public QmpBackend {
 public:
  [[nodiscard]] RunStatus run_status() const override { return status_; }
  Status stop() override {
    status_ = RunStatus::kPaused;
    return {};
  }
  Status cont() override {
    status_ = RunStatus::kRunning;
    return {};
  }
  void quit() override { status_ = RunStatus::kShutdown; }
  Result<MigrationStats> migrate(const MigrationUri& uri, const MigrationCaps& caps) override {
    if (uri.target.find("fail") != std::string::npos) {
      return make_error("exec:" + uri.target + ": the command exited with status 1");
    }
    status_ = RunStatus::kPostmigrate;
    return MigrationStats{uri.target.size() * 1000, caps.ignore_shared ? 0U : 1U << 26,
                          caps.ignore_shared ? 1U << 26 : 0U, std::chrono::microseconds(1234)};
  }
  Status migrate_incoming(const MigrationUri& uri) override {
    if (uri.target.find("fail") != std::string::npos) {
      incoming_ = {IncomingState::kFailed, "state stream: bad magic"};
      return make_error("state stream: bad magic");
    }
    incoming_ = {IncomingState::kCompleted, {}};
    status_ = RunStatus::kPaused;
    return {};
  }
  [[nodiscard]] IncomingStatus incoming_status() const override { return incoming_; }
  [[nodiscard]] std::string uuid() const override { return "c0ffee00-1111-4222-8333-444455556666"; }
  void abort_migration() override {}

  // The first input byte picks the start: running, -S, or -incoming defer.
  void set_start(uint8_t selector) {
    if (selector % 3 == 1) {
      status_ = RunStatus::kPrelaunch;
    } else if (selector % 3 == 2) {
      status_ = RunStatus::kInmigrate;
      incoming_ = {IncomingState::kWaiting, {}};
    }
  }

 private:
  RunStatus status_ = RunStatus::kRunning;
  IncomingStatus incoming_;
};

// Parses and checks one output line; returns it without the timestamp.
std::string checked(const std::string& line) {
  Json message;
  try {
    message = Json::parse(line);
  } catch (const Json::exception&) {
    fail("output is not JSON", line);
  }
  if (!message.is_object()) {
    fail("output is not an object", line);
  }
  const int kinds =
      static_cast<int>(message.contains("QMP")) + static_cast<int>(message.contains("return")) +
      static_cast<int>(message.contains("error")) + static_cast<int>(message.contains("event"));
  if (kinds != 1) {
    fail("output is not one QMP message", line);
  }
  if (message.contains("error") &&
      (!message["error"]["class"].is_string() || !message["error"]["desc"].is_string())) {
    fail("error without class and desc", line);
  }
  if (message.contains("event")) {
    if (!message["timestamp"]["seconds"].is_number_integer()) {
      fail("event without timestamp", line);
    }
    message.erase("timestamp");
  }
  return to_text(message);
}

std::vector<std::string> run(std::string_view input, uint8_t start, bool byte_by_byte) {
  FuzzBackend backend;
  backend.set_start(start);
  QmpSession session(backend);
  std::vector<std::string> out;
  out.push_back(checked(session.connect()));
  auto take = [&](const std::vector<std::string>& lines) {
    for (const auto& line : lines) {
      out.push_back(checked(line));
    }
  };
  if (byte_by_byte) {
    for (char c : input) {
      take(session.feed(std::string_view(&c, 1)));
    }
  } else {
    take(session.feed(input));
  }
  take(session.feed("\n"));  // ends a trailing bare token
  take(session.vm_stopped({true, "guest-shutdown"}));
  return out;
}

}  // namespace
}  // namespace mimeo::qmp

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using mimeo::qmp::run;
  if (size == 0) {
    return 0;
  }
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto whole = run(input, data[0], false);
  auto pieces = run(input, data[0], true);
  if (whole != pieces) {
    mimeo::qmp::fail(
        "the output depends on how the input is cut",
        std::to_string(whole.size()) + " vs " + std::to_string(pieces.size()) + " lines");
  }
  return 0;
}
