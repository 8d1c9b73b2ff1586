#include "vmm/line_console.h"

#include <algorithm>

namespace mimeo::vmm {

LineConsole::LineConsole(std::function<void(std::span<const uint8_t>)> tee)
    : Chardev("console"), tee_(std::move(tee)) {}

Status LineConsole::begin_input(InputHandler on_input, InputRoom room) {
  {
    std::lock_guard lock(input_mutex_);
    on_input_ = std::move(on_input);
    room_ = std::move(room);
  }
  flush_input();
  return {};
}

void LineConsole::send(const std::string& text) {
  {
    std::lock_guard lock(input_mutex_);
    pending_input_ += text;
  }
  flush_input();
}

void LineConsole::notify_input_room() { flush_input(); }

// Hands the UART as much queued input as it has room for; the rest waits for
// notify_input_room().
void LineConsole::flush_input() {
  std::lock_guard lock(input_mutex_);
  if (!on_input_ || pending_input_.empty()) {
    return;
  }
  size_t n = room_ ? std::min(room_(), pending_input_.size()) : pending_input_.size();
  if (n == 0) {
    return;
  }
  on_input_(std::span(reinterpret_cast<const uint8_t*>(pending_input_.data()), n));
  pending_input_.erase(0, n);
}

void LineConsole::write(std::span<const uint8_t> bytes) {
  if (tee_) {
    tee_(bytes);
  }
  std::lock_guard lock(mutex_);
  if (!first_byte_ && !bytes.empty()) {
    first_byte_ = std::chrono::steady_clock::now();
  }
  for (uint8_t byte : bytes) {
    transcript_ += static_cast<char>(byte);
    if (byte == '\n') {
      lines_.push_back(std::move(partial_));
      partial_.clear();
    } else if (byte != '\r') {
      partial_ += static_cast<char>(byte);
    }
  }
  changed_.notify_all();
}

std::optional<std::string> LineConsole::wait_for_line(
    const std::function<bool(const std::string&)>& match, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mutex_);
  for (;;) {
    while (next_ < lines_.size()) {
      const std::string& line = lines_[next_++];
      if (match(line)) {
        return line;
      }
    }
    if (changed_.wait_until(lock, deadline) == std::cv_status::timeout && next_ >= lines_.size()) {
      return std::nullopt;
    }
  }
}

std::optional<std::string> LineConsole::next_line(std::chrono::milliseconds timeout) {
  return wait_for_line([](const std::string&) { return true; }, timeout);
}

std::optional<std::chrono::steady_clock::time_point> LineConsole::first_byte_time() const {
  std::lock_guard lock(mutex_);
  return first_byte_;
}

std::string LineConsole::transcript() const {
  std::lock_guard lock(mutex_);
  return transcript_;
}

}  // namespace mimeo::vmm
