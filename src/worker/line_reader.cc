#include "worker/line_reader.h"

namespace mimeo::worker {

bool LineReader::overlong() const {
  const size_t end = buffer_.find('\n');
  if (end == std::string::npos) {
    // Room for the longest line and a "\r" that may follow it.
    return buffer_.size() > max_line_ + 1;
  }
  const size_t length = end > 0 && buffer_[end - 1] == '\r' ? end - 1 : end;
  return length > max_line_;
}

std::optional<std::string> LineReader::next_line() {
  const size_t end = buffer_.find('\n');
  if (end == std::string::npos) {
    return std::nullopt;
  }
  std::string line = buffer_.substr(0, end);
  buffer_.erase(0, end + 1);
  return line;
}

}  // namespace mimeo::worker
