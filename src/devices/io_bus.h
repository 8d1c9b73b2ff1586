// An address space (I/O ports or MMIO) made of non-overlapping ranges, each owned by a
// BusDevice. Ranges are inserted while the VM is set up; read/write may then be called from
// any number of vCPU threads at once.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "devices/bus_device.h"

namespace mimeo::devices {

class IoBus {
 public:
  struct Range {
    uint64_t base = 0;
    uint64_t len = 0;
    std::string name;
  };

  // `name` ("pio", "mmio") prefixes error messages.
  explicit IoBus(std::string name);

  // Claims [base, base + len) for `device`. Fails naming both devices when the range
  // overlaps one already inserted, and on len 0, address overflow or a null device.
  Status insert(uint64_t base, uint64_t len, std::shared_ptr<BusDevice> device, std::string name);

  // Dispatches an access that starts at `addr` to the device whose range holds `addr`
  // (the device gets the whole access, even one that runs past its range's end).
  // false when no device claims `addr`: the caller then reads all-ones / drops the write.
  bool read(uint64_t addr, std::span<uint8_t> data) const;
  bool write(uint64_t addr, std::span<const uint8_t> data) const;

  // The inserted ranges in address order (for diagnostics).
  [[nodiscard]] std::vector<Range> ranges() const;

 private:
  struct Entry {
    uint64_t len;
    std::shared_ptr<BusDevice> device;
    std::string name;
  };
  struct Hit {
    std::shared_ptr<BusDevice> device;
    uint64_t offset;
  };
  [[nodiscard]] std::optional<Hit> find(uint64_t addr) const;

  std::string name_;
  mutable std::shared_mutex mutex_;
  std::map<uint64_t, Entry> entries_;  // keyed by base
};

}  // namespace mimeo::devices
