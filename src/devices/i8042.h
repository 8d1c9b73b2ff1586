// The part of the PS/2 (8042) keyboard controller a Linux guest touches without a keyboard:
// the reset line. Linux reboots (reboot=k, and as a fallback of the default) by waiting for
// the input buffer to drain (status port 0x64, bit 1) and then writing command 0xfe, which
// pulses the CPU reset line.
//
// Not modelled: the keyboard and aux (mouse) ports, the controller command byte and every
// command that answers through the output buffer (0x20 read CTR, 0xaa self test, ...), the
// output port (0xd1, A20 gate), interrupts. The status register always reads 0 (no data,
// input buffer empty), so Linux's i8042 driver, if it probes at all (i8042.nopnp on a machine
// without ACPI), times out on its first command and gives up: boot with i8042.noaux
// i8042.nomux i8042.nopnp i8042.dumbkbd or rely on the absence of PNP entries.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "base/result.h"
#include "devices/bus_device.h"
#include "devices/io_bus.h"

namespace mimeo::devices {

class I8042 {
 public:
  static constexpr uint16_t kDataPort = 0x60;
  static constexpr uint16_t kCommandPort = 0x64;  // write: command, read: status
  static constexpr uint8_t kCmdPulseReset = 0xfe;

  // `request_reset` is called on the vCPU thread that wrote the reset command.
  explicit I8042(std::function<void()> request_reset);

  // Port-level access (port is kDataPort or kCommandPort).
  uint8_t read_port(uint16_t port);
  void write_port(uint16_t port, uint8_t value);

  // Inserts the data and command/status ports (one port each, so the neighbouring ports
  // 0x61-0x63 stay free for other devices) into `pio`.
  static Status attach(IoBus& pio, const std::shared_ptr<I8042>& controller);

 private:
  std::function<void()> request_reset_;
};

}  // namespace mimeo::devices
