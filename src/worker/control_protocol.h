// The control protocol of a clone worker (`mimeo worker`, docs/worker.md): one
// request per line, one reply line per request, both ending in "\n".
//   status                      -> ok <warm|running|paused> pid=<pid> id=<id> [uuid=<uuid>]
//   start [uuid=<8-4-4-4-12>]   -> ok running        (only while warm)
//   pause                       -> ok paused
//   resume                      -> ok running
//   stop                        -> ok stopping       (then the worker exits)
// Anything else is answered `error <message>`.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "devices/identity.h"

namespace mimeo::worker {

// The longest request line, without its "\n". A longer one closes the connection.
inline constexpr size_t kMaxRequestLine = 256;

enum class Command { kStatus, kStart, kPause, kResume, kStop };

struct Request {
  Command command = Command::kStatus;
  std::optional<devices::Uuid> uuid;  // start uuid=...

  bool operator==(const Request&) const = default;
};

// A request line without its "\n" (a trailing "\r" is ignored). Errors say what
// is wrong with the line, for the `error` reply.
[[nodiscard]] Result<Request> parse_request(std::string_view line);

// What the worker's clone is doing, as `status` names it.
enum class CloneState { kWarm, kRunning, kPaused };
[[nodiscard]] std::string_view state_name(CloneState state);

// "ok <what>\n".
[[nodiscard]] std::string ok_reply(std::string_view what);
// "error <message>\n", the message on one line (line breaks become spaces).
[[nodiscard]] std::string error_reply(std::string_view message);
// "ok <state> pid=<pid> id=<id>\n", and " uuid=<uuid>" before the "\n" when
// uuid is not empty (a started clone: a restarted daemon learns from it which
// clone it handed out, see Supervisor::recover_clone()).
[[nodiscard]] std::string status_reply(CloneState state, pid_t pid, std::string_view id,
                                       std::string_view uuid = {});

// A worker id is echoed in `status`: 1 to 64 of [A-Za-z0-9._-]. The error names the value.
[[nodiscard]] Status check_worker_id(std::string_view id);

}  // namespace mimeo::worker
