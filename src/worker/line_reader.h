// Request lines from a stream socket: bytes in as they arrive, whole lines out,
// and a line that grows past its limit caught before it is buffered further.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mimeo::worker {

class LineReader {
 public:
  // Lines of at most `max_line` bytes, not counting "\n" or a "\r" before it.
  explicit LineReader(size_t max_line) : max_line_(max_line) {}

  void append(std::string_view bytes) { buffer_.append(bytes); }
  // True when the next line is, or can only become, longer than the limit. The
  // reader is then of no further use (the connection is closed).
  [[nodiscard]] bool overlong() const;
  // The next complete line without "\n" (a "\r" before it stays), or nullopt.
  // Check overlong() first.
  std::optional<std::string> next_line();
  [[nodiscard]] size_t buffered() const { return buffer_.size(); }
  void clear() { buffer_.clear(); }

 private:
  size_t max_line_;
  std::string buffer_;
};

}  // namespace mimeo::worker
