// An interrupt line a device drives. The VMM core implements it (KVM_IRQ_LINE);
// tests record the transitions. Devices call set_level only when the level changes.
#pragma once

namespace mimeo::devices {

class IrqLine {
 public:
  // Inline so that layers that only use the interface need not link mimeo_devices.
  virtual ~IrqLine() = default;
  // true: the device asserts the line; false: it releases it.
  virtual void set_level(bool asserted) = 0;
};

}  // namespace mimeo::devices
