// The guest-physical memory map: the backends (boot RAM first, then one per further
// NUMA node) placed at guest-physical addresses by plan_guest_ranges()
// (memory/guest_layout.h), with bounds-checked access for the VMM.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "memory/backend.h"

namespace mimeo::memory {

struct GuestRegion {
  uint64_t gpa;
  uint64_t size;
  uint8_t* host;        // host address of the region's first byte
  bool guest_readonly;  // rom: KVM_MEM_READONLY; the host mapping is PROT_READ
  std::string backend_id;
  uint64_t backend_offset;  // host == backend.host() + backend_offset
  int numa_node;            // index of the backend: 0 for the boot RAM

  [[nodiscard]] uint64_t end() const { return gpa + size; }
};

class GuestMemory {
 public:
  // backends[0] is the boot RAM (the machine's memory-backend, or the implicit RAM of
  // -m); backends[i] for i > 0 is NUMA node i.
  static Result<GuestMemory> layout(std::vector<Backend> backends);

  GuestMemory(GuestMemory&&) noexcept = default;
  GuestMemory& operator=(GuestMemory&&) noexcept = default;
  GuestMemory(const GuestMemory&) = delete;
  GuestMemory& operator=(const GuestMemory&) = delete;

  // In GPA order; a boot RAM above 3 GiB gives two regions (below and above the hole).
  [[nodiscard]] const std::vector<GuestRegion>& regions() const { return regions_; }
  [[nodiscard]] const std::vector<Backend>& backends() const { return backends_; }
  // One past the highest guest-physical RAM address.
  [[nodiscard]] uint64_t ram_end() const;
  // The region holding `gpa`, or nullptr.
  [[nodiscard]] const GuestRegion* find(uint64_t gpa) const;
  // Host address of [gpa, gpa + len) when that lies in one region, else nullptr.
  [[nodiscard]] uint8_t* host_ptr(uint64_t gpa, uint64_t len) const;

  // Copies between guest RAM and the host. The range may run across regions that
  // follow each other without a gap; an unbacked GPA, or for write() a read-only
  // (rom) region, fails naming the GPA. Nothing is copied on failure.
  Status write(uint64_t gpa, std::span<const uint8_t> data);
  Status read(uint64_t gpa, std::span<uint8_t> out) const;

 private:
  GuestMemory() = default;
  // Checks that [gpa, gpa+len) is backed (and writable if `for_write`).
  [[nodiscard]] Status check_range(uint64_t gpa, uint64_t len, bool for_write) const;

  std::vector<Backend> backends_;
  std::vector<GuestRegion> regions_;
};

}  // namespace mimeo::memory
