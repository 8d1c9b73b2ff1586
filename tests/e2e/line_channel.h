// Lines read from a pipe or socket with a deadline, for tests that talk to the
// test guest's console (docs/guest.md: one answer line per command).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "base/unique_fd.h"

namespace mimeo::e2e {

using std::chrono::milliseconds;

class LineChannel {
 public:
  LineChannel() = default;
  // One fd both ways (a socket), or lines read from `in` and sent to `out` (a
  // child's stdout and stdin).
  explicit LineChannel(UniqueFd fd);
  LineChannel(UniqueFd in, UniqueFd out);

  [[nodiscard]] int fd() const { return fd_.get(); }
  [[nodiscard]] bool valid() const { return fd_.valid(); }
  [[nodiscard]] bool eof() const { return eof_; }

  // Reads what can be read without blocking; false once the other end is closed.
  bool read_available();
  // The next complete line ('\n' and any '\r' removed), nullopt if none arrives in time
  // or the other end closed.
  std::optional<std::string> next_line(milliseconds timeout);
  // Reads until `line` arrives (true) or the time is over (false); earlier lines are skipped.
  bool wait_for_line(const std::string& line, milliseconds timeout);
  // Everything read so far, consumed or not.
  [[nodiscard]] const std::string& text() const { return all_; }

  // Writes `line` and '\n'; false when the other end is gone.
  bool send_line(const std::string& line);
  // Closes the sending side (the child's stdin; a socket is shut down for writing).
  void close_output();

 private:
  std::optional<std::string> take_line();

  [[nodiscard]] int out_fd() const { return out_.valid() ? out_.get() : fd_.get(); }

  UniqueFd fd_;
  UniqueFd out_;
  std::string pending_;
  std::string all_;
  bool eof_ = false;
};

// Sends `command` and returns its one-line answer, or "(no answer within N ms)".
std::string ask(LineChannel& channel, const std::string& command,
                milliseconds timeout = milliseconds(5000));

}  // namespace mimeo::e2e
