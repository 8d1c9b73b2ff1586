#include "devices/i8042.h"

#include <algorithm>

namespace mimeo::devices {

namespace {

// One of the controller's two ports as a bus device.
class I8042Port final : public BusDevice {
 public:
  I8042Port(std::shared_ptr<I8042> controller, uint16_t port)
      : controller_(std::move(controller)), port_(port) {}

  void read(uint64_t offset, std::span<uint8_t> data) override {
    std::fill(data.begin(), data.end(), uint8_t{0xff});
    if (offset == 0 && !data.empty()) {
      data[0] = controller_->read_port(port_);
    }
  }
  void write(uint64_t offset, std::span<const uint8_t> data) override {
    if (offset == 0 && !data.empty()) {
      controller_->write_port(port_, data[0]);
    }
  }

 private:
  std::shared_ptr<I8042> controller_;
  uint16_t port_;
};

}  // namespace

I8042::I8042(std::function<void()> request_reset) : request_reset_(std::move(request_reset)) {}

uint8_t I8042::read_port(uint16_t /*port*/) {
  // Data: nothing was ever received. Status: output buffer empty (bit 0), input buffer
  // empty (bit 1), so a guest waiting to send a command proceeds at once.
  return 0;
}

void I8042::write_port(uint16_t port, uint8_t value) {
  // Commands 0xf0-0xff pulse the output port lines whose bits are 0 in the low nibble;
  // line 0 is the CPU reset (0xfe is the usual form).
  if (port == kCommandPort && (value & 0xf0) == 0xf0 && (value & 0x01) == 0) {
    if (request_reset_) {
      request_reset_();
    }
  }
}

Status I8042::attach(IoBus& pio, const std::shared_ptr<I8042>& controller) {
  MIMEO_TRY(
      pio.insert(kDataPort, 1, std::make_shared<I8042Port>(controller, kDataPort), "i8042 data"));
  return pio.insert(kCommandPort, 1, std::make_shared<I8042Port>(controller, kCommandPort),
                    "i8042 command");
}

}  // namespace mimeo::devices
