// A host-side character backend (QEMU's chardev): where a serial port's output goes and where
// its input comes from (the terminal, a file, a Unix socket, nothing).
//
// Output: write() is called by devices on vCPU threads (with the device's lock held); it
// never calls back into a device. Input: after start_input(), the chardev's own thread reads
// host bytes and hands them to the handler. Flow control is the consumer's: when a `room`
// function is given, the chardev reads no more than room() bytes at a time and, while room()
// is 0, waits for notify_input_room() instead of reading. Wiring a Serial8250:
//
//   serial->set_input_ready_callback([c = chardev.get()] { c->notify_input_room(); });
//   chardev->start_input([s = serial.get()](auto bytes) { s->enqueue_input(bytes); },
//                        [s = serial.get()] { return s->input_room(); });
//
// (clear the serial's callback before destroying the chardev). Destroying a chardev stops
// its thread without waiting for the host side.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "base/result.h"
#include "devices/output_sink.h"

namespace mimeo::chardev {

class Chardev : public devices::OutputSink {
 public:
  using InputHandler = std::function<void(std::span<const uint8_t>)>;
  using InputRoom = std::function<size_t()>;

  explicit Chardev(std::string id) : id_(std::move(id)) {}
  ~Chardev() override = default;
  Chardev(const Chardev&) = delete;
  Chardev& operator=(const Chardev&) = delete;

  // The -chardev id (empty for an inline -serial backend).
  [[nodiscard]] const std::string& id() const { return id_; }
  // The backend in QEMU's -serial spelling, for messages: "unix:/run/vm.sock,server=on".
  [[nodiscard]] virtual std::string describe() const = 0;

  // Starts delivering input to `on_input` from the chardev's thread; `room` (optional) limits
  // each delivery as described above. Backends without input (file, null) accept the call and
  // never deliver. Fails when called twice or when the thread cannot be started.
  Status start_input(InputHandler on_input, InputRoom room = {});
  // The consumer has room again: re-ask room() and resume reading. Cheap, any thread.
  virtual void notify_input_room() {}
  // Whether output reaches a reader now (false for a socket without a client).
  [[nodiscard]] virtual bool connected() const { return true; }

 protected:
  // start_input, called once.
  virtual Status begin_input(InputHandler on_input, InputRoom room) = 0;

 private:
  std::string id_;
  std::atomic<bool> input_started_{false};
};

}  // namespace mimeo::chardev
