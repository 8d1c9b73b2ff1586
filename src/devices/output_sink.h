// Where a device sends the bytes the guest writes (a character backend, a test recorder).
// Called from vCPU threads with the device's lock held: implementations must not call back
// into the device and should not block for long.
#pragma once

#include <cstdint>
#include <span>

namespace mimeo::devices {

class OutputSink {
 public:
  // Inline so that chardev (which implements this) need not link mimeo_devices.
  virtual ~OutputSink() = default;
  virtual void write(std::span<const uint8_t> bytes) = 0;
};

}  // namespace mimeo::devices
