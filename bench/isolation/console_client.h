// The user's end of a clone's COM1 on a Unix socket: send a line, wait for a
// line. Everything is bounded by a deadline.
#pragma once

#include <chrono>
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"

namespace mimeo::bench {

using Clock = std::chrono::steady_clock;

class ConsoleClient {
 public:
  static Result<ConsoleClient> connect(const std::string& path);

  [[nodiscard]] Status send(const std::string& text);
  // Reads lines until one equals `line`; fails at the deadline or when the
  // clone hangs up.
  [[nodiscard]] Status wait_for_line(const std::string& line, Clock::time_point deadline);
  // send("ping\n") and wait for "pong".
  [[nodiscard]] Status ping(std::chrono::milliseconds timeout);

 private:
  ConsoleClient(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}

  UniqueFd fd_;
  std::string path_;
  std::string buffer_;
};

}  // namespace mimeo::bench
