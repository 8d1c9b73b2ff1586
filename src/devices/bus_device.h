// A device on an IoBus (port I/O or MMIO). Offsets are relative to the base the device was
// inserted at. Each device protects its own state: vCPU threads and host I/O threads call
// in concurrently.
#pragma once

#include <cstdint>
#include <span>

namespace mimeo::devices {

class BusDevice {
 public:
  virtual ~BusDevice() = default;
  // Fills `data` (1, 2, 4 or 8 bytes, little-endian) with what the guest reads at `offset`.
  virtual void read(uint64_t offset, std::span<uint8_t> data) = 0;
  // Handles a guest write of `data` at `offset`.
  virtual void write(uint64_t offset, std::span<const uint8_t> data) = 0;
};

}  // namespace mimeo::devices
