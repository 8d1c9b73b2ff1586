// QEMU's isa-debug-exit (hw/misc/debugexit.c): a guest write of value V to its ports ends the
// VM with exit status (V << 1) | 1. Tests use it to report a result from inside the guest.
#pragma once

#include <cstdint>
#include <functional>

#include "base/keyval.h"
#include "base/result.h"
#include "devices/bus_device.h"

namespace mimeo::devices {

struct DebugExitConfig {
  uint16_t iobase = 0x501;  // QEMU's defaults; test setups commonly use iobase=0xf4
  uint8_t iosize = 2;       // 1, 2 or 4 ports

  bool operator==(const DebugExitConfig&) const = default;
};

// From a parsed `-device isa-debug-exit,iobase=0xf4,iosize=0x04` (KeyValues parsed with the
// implied key "driver"). Accepts the keys driver, id, iobase and iosize; fails naming an
// unknown key or a bad value (iobase beyond 16 bits, iosize other than 1, 2 or 4, a range that
// runs past port 0xffff).
Result<DebugExitConfig> parse_debug_exit_device(const KeyValues& options);

class DebugExit final : public BusDevice {
 public:
  // `request_exit` receives (V << 1) | 1; like the exit status of QEMU's process, the VMM's
  // own exit status is its low 8 bits. Called on the vCPU thread that wrote.
  DebugExit(DebugExitConfig config, std::function<void(int status)> request_exit);

  [[nodiscard]] const DebugExitConfig& config() const { return config_; }

  // Reads return 0, as in QEMU (the only way a guest can probe for the device).
  void read(uint64_t offset, std::span<uint8_t> data) override;
  // A write of 1 to 4 bytes anywhere in the range requests the exit. As QEMU's memory core
  // does, only the bytes that fall inside the range form V (an outl to a 1-port device takes
  // the low byte); bytes past the 4th are ignored.
  void write(uint64_t offset, std::span<const uint8_t> data) override;

 private:
  DebugExitConfig config_;
  std::function<void(int)> request_exit_;
};

}  // namespace mimeo::devices
