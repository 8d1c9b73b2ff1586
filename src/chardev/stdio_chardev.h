// -serial stdio / -chardev stdio: guest output to standard output, input from standard input.
// When the input is a terminal it is put in raw mode (see RawTerminal) and the escape keys
// of EscapeFilter apply: Ctrl-a x calls on_quit. Input that is not a terminal (a pipe, a file)
// is passed on verbatim until its end. At end of input, or on a read error, reading stops.
// Output is written through at once, whole (EINTR and partial writes retried).
// Only one stdio chardev may exist at a time.
#pragma once

#include <unistd.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "chardev/chardev.h"
#include "chardev/escape_filter.h"
#include "chardev/raw_terminal.h"
#include "chardev/wake_fd.h"

namespace mimeo::chardev {

struct StdioOptions {
  int in_fd = STDIN_FILENO;  // not owned
  int out_fd = STDOUT_FILENO;
  bool signal = true;             // QEMU's signal=on: ^C still interrupts mimeo
  std::function<void()> on_quit;  // Ctrl-a x; called on the chardev's thread
};

class StdioChardev final : public Chardev {
 public:
  static Result<std::unique_ptr<StdioChardev>> open(std::string id, StdioOptions options);
  ~StdioChardev() override;

  void write(std::span<const uint8_t> bytes) override;
  [[nodiscard]] std::string describe() const override { return "stdio"; }
  void notify_input_room() override { wake_.notify(); }
  [[nodiscard]] bool is_terminal() const { return raw_terminal_ != nullptr; }

 protected:
  Status begin_input(InputHandler on_input, InputRoom room) override;

 private:
  StdioChardev(std::string id, StdioOptions options, WakeFd wake,
               std::unique_ptr<RawTerminal> raw_terminal);
  void run();
  // Reads once and delivers; false when input has ended or Ctrl-a x was typed.
  bool read_input(size_t room);

  StdioOptions options_;
  WakeFd wake_;
  std::unique_ptr<RawTerminal> raw_terminal_;  // set when in_fd is a terminal
  EscapeFilter escape_;
  std::mutex output_mutex_;
  InputHandler on_input_;
  InputRoom room_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace mimeo::chardev
