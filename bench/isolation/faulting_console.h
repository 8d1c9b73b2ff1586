// COM1's backend for an in-process clone: a Unix-socket chardev with a fault
// that can be armed. Armed, the next byte the guest writes makes the device
// model's output path write through a null pointer, on the vCPU thread, as a
// bug in a device model would: what that does to the other clones in the
// process is what the bench reports.
#pragma once

#include <atomic>
#include <memory>

#include "chardev/chardev.h"
#include "chardev/socket_chardev.h"

namespace mimeo::bench {

class FaultingConsole final : public chardev::Chardev {
 public:
  explicit FaultingConsole(std::unique_ptr<chardev::SocketChardev> socket)
      : Chardev(""), socket_(std::move(socket)) {}

  void write(std::span<const uint8_t> bytes) override;
  [[nodiscard]] std::string describe() const override { return socket_->describe(); }
  void notify_input_room() override { socket_->notify_input_room(); }
  [[nodiscard]] bool connected() const override { return socket_->connected(); }

  void arm() { armed_ = true; }

 protected:
  Status begin_input(InputHandler on_input, InputRoom room) override {
    return socket_->start_input(std::move(on_input), std::move(room));
  }

 private:
  std::unique_ptr<chardev::SocketChardev> socket_;
  std::atomic<bool> armed_{false};
  // Read at the fault, so the compiler cannot see that it is null.
  int* volatile target_ = nullptr;
};

}  // namespace mimeo::bench
