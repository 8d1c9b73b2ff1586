// A console sink that keeps what the guest printed as lines and lets a caller
// wait for a line: how `mimeo demo`, `template create --ready-on-serial` and
// the in-process tests talk to a guest.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "chardev/chardev.h"

namespace mimeo::vmm {

class LineConsole final : public chardev::Chardev {
 public:
  // `tee`, when set, also receives every byte (e.g. to show it on a terminal).
  explicit LineConsole(std::function<void(std::span<const uint8_t>)> tee = {});

  void write(std::span<const uint8_t> bytes) override;
  [[nodiscard]] std::string describe() const override { return "in-process console"; }
  void notify_input_room() override;

  // Queues `text` as input for the guest; it flows in as the UART has room.
  void send(const std::string& text);

  // Waits for the next complete line not yet taken that satisfies `match`
  // (lines before it are consumed); nullopt on timeout.
  std::optional<std::string> wait_for_line(const std::function<bool(const std::string&)>& match,
                                           std::chrono::milliseconds timeout);
  // The next complete line, whatever it says.
  std::optional<std::string> next_line(std::chrono::milliseconds timeout);
  // Time of the first byte ever written, if any.
  std::optional<std::chrono::steady_clock::time_point> first_byte_time() const;
  // Everything printed so far.
  std::string transcript() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::function<void(std::span<const uint8_t>)> tee_;
  std::vector<std::string> lines_;
  size_t next_ = 0;
  std::string partial_;
  std::string transcript_;
  std::optional<std::chrono::steady_clock::time_point> first_byte_;

  Status begin_input(InputHandler on_input, InputRoom room) override;
  void flush_input();
  std::mutex input_mutex_;
  InputHandler on_input_;
  InputRoom room_;
  std::string pending_input_;
};

}  // namespace mimeo::vmm
