#include "worker/control_protocol.h"

#include <fmt/format.h>

#include <cctype>

namespace mimeo::worker {

namespace {

constexpr std::string_view kUuidKey = "uuid=";

// A request as it may be shown in an error: printable, at most 40 bytes.
std::string shown(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 40)) {
    out += std::isprint(static_cast<unsigned char>(c)) != 0 ? c : '?';
  }
  return text.size() > 40 ? out + "..." : out;
}

Result<Request> parse_start(std::string_view argument) {
  Request request{Command::kStart, std::nullopt};
  if (argument.empty()) {
    return request;
  }
  if (!argument.starts_with(kUuidKey)) {
    return make_error(
        fmt::format("start takes only uuid=<8-4-4-4-12 hex digits>, not '{}'", shown(argument)));
  }
  const std::string_view text = argument.substr(kUuidKey.size());
  auto uuid = devices::Identity::parse_uuid(text);
  if (!uuid.ok()) {
    return make_error(
        fmt::format("start: '{}' is not a UUID (want 8-4-4-4-12 hex digits)", shown(text)));
  }
  request.uuid = *uuid;
  return request;
}

}  // namespace

Result<Request> parse_request(std::string_view line) {
  if (line.ends_with('\r')) {
    line.remove_suffix(1);
  }
  if (line.size() > kMaxRequestLine) {
    return make_error(fmt::format("request longer than {} bytes", kMaxRequestLine));
  }
  const size_t space = line.find(' ');
  const std::string_view word = line.substr(0, space);
  const std::string_view argument =
      space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
  if (word == "start") {
    return parse_start(argument);
  }
  const std::pair<std::string_view, Command> simple[] = {{"status", Command::kStatus},
                                                         {"pause", Command::kPause},
                                                         {"resume", Command::kResume},
                                                         {"stop", Command::kStop}};
  for (const auto& [name, command] : simple) {
    if (word != name) {
      continue;
    }
    if (space != std::string_view::npos) {
      return make_error(fmt::format("{} takes no argument", name));
    }
    return Request{command, std::nullopt};
  }
  if (line.empty()) {
    return make_error("empty request (status, start [uuid=UUID], pause, resume or stop)");
  }
  return make_error(fmt::format(
      "unknown request '{}' (status, start [uuid=UUID], pause, resume or stop)", shown(word)));
}

std::string_view state_name(CloneState state) {
  switch (state) {
    case CloneState::kWarm: return "warm";
    case CloneState::kRunning: return "running";
    case CloneState::kPaused: return "paused";
  }
  return "unknown";
}

std::string ok_reply(std::string_view what) { return fmt::format("ok {}\n", what); }

std::string error_reply(std::string_view message) {
  std::string line = "error ";
  for (char c : message) {
    line += c == '\n' || c == '\r' ? ' ' : c;
  }
  return line + "\n";
}

std::string status_reply(CloneState state, pid_t pid, std::string_view id, std::string_view uuid) {
  return fmt::format("ok {} pid={} id={}{}{}\n", state_name(state), pid, id,
                     uuid.empty() ? "" : " uuid=", uuid);
}

Status check_worker_id(std::string_view id) {
  bool valid = !id.empty() && id.size() <= 64;
  for (char c : id) {
    valid &= std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-';
  }
  if (!valid) {
    return make_error(
        fmt::format("--id '{}': an id is 1 to 64 letters, digits, '.', '_' or '-'", shown(id)));
  }
  return {};
}

}  // namespace mimeo::worker
