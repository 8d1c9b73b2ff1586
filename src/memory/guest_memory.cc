#include "memory/guest_memory.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "memory/guest_layout.h"

namespace mimeo::memory {

Result<GuestMemory> GuestMemory::layout(std::vector<Backend> backends) {
  std::vector<uint64_t> sizes;
  sizes.reserve(backends.size());
  for (size_t i = 0; i < backends.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (backends[j].id() == backends[i].id()) {
        // machine_consume_memdev() / host_memory_backend_is_mapped()
        return make_error("memory backend " + backends[i].id() + " can't be used multiple times.");
      }
    }
    sizes.push_back(backends[i].size());
  }
  MIMEO_ASSIGN_OR_RETURN(std::vector<PlannedRange> ranges, plan_guest_ranges(sizes));
  GuestMemory memory;
  memory.backends_ = std::move(backends);
  for (const PlannedRange& r : ranges) {
    const Backend& b = memory.backends_[r.backend];
    memory.regions_.push_back(GuestRegion{r.gpa, r.size, b.host() + r.backend_offset,
                                          b.guest_readonly(), b.id(), r.backend_offset,
                                          static_cast<int>(r.backend)});
  }
  return memory;
}

uint64_t GuestMemory::ram_end() const { return regions_.empty() ? 0 : regions_.back().end(); }

const GuestRegion* GuestMemory::find(uint64_t gpa) const {
  // Regions are sorted and disjoint: the last one starting at or before gpa.
  auto it = std::upper_bound(regions_.begin(), regions_.end(), gpa,
                             [](uint64_t g, const GuestRegion& r) { return g < r.gpa; });
  if (it == regions_.begin()) {
    return nullptr;
  }
  --it;
  return gpa - it->gpa < it->size ? &*it : nullptr;
}

uint8_t* GuestMemory::host_ptr(uint64_t gpa, uint64_t len) const {
  const GuestRegion* r = find(gpa);
  if (r == nullptr || len > r->end() - gpa) {
    return nullptr;
  }
  return r->host + (gpa - r->gpa);
}

Status GuestMemory::check_range(uint64_t gpa, uint64_t len, bool for_write) const {
  if (len > UINT64_MAX - gpa) {
    return make_error(
        fmt::format("guest memory: range of {:#x} bytes at GPA {:#x} wraps around", len, gpa));
  }
  for (uint64_t at = gpa; at < gpa + len;) {
    const GuestRegion* r = find(at);
    if (r == nullptr) {
      return make_error(
          fmt::format("guest memory: GPA {:#x} is not RAM ({} {:#x} bytes at "
                      "GPA {:#x})",
                      at, for_write ? "writing" : "reading", len, gpa));
    }
    if (for_write && r->guest_readonly) {
      return make_error(fmt::format(
          "guest memory: GPA {:#x} is read-only memory of backend '{}' (writing {:#x} bytes at "
          "GPA {:#x})",
          at, r->backend_id, len, gpa));
    }
    at = r->end();
  }
  return {};
}

Status GuestMemory::write(uint64_t gpa, std::span<const uint8_t> data) {
  MIMEO_TRY(check_range(gpa, data.size(), true));
  for (uint64_t done = 0; done < data.size();) {
    const GuestRegion* r = find(gpa + done);
    uint64_t len = std::min<uint64_t>(data.size() - done, r->end() - (gpa + done));
    std::memcpy(r->host + (gpa + done - r->gpa), data.data() + done, len);
    done += len;
  }
  return {};
}

Status GuestMemory::read(uint64_t gpa, std::span<uint8_t> out) const {
  MIMEO_TRY(check_range(gpa, out.size(), false));
  for (uint64_t done = 0; done < out.size();) {
    const GuestRegion* r = find(gpa + done);
    uint64_t len = std::min<uint64_t>(out.size() - done, r->end() - (gpa + done));
    std::memcpy(out.data() + done, r->host + (gpa + done - r->gpa), len);
    done += len;
  }
  return {};
}

}  // namespace mimeo::memory
