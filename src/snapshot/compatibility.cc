#include "snapshot/compatibility.h"

#include <fmt/format.h>

#include "snapshot/size_text.h"

namespace mimeo::snapshot {
namespace {

// KVM leaves a TSC frequency within this of the host's unscaled (tsc_tolerance_ppm in
// arch/x86/kvm/x86.c), so such a difference does not change what the guest sees.
constexpr uint64_t kTscTolerancePpm = 250;

std::string leaf_name(const CpuidEntry& e) {
  if (e.index == 0) {
    return fmt::format("CPUID leaf 0x{:x}", e.function);
  }
  return fmt::format("CPUID leaf 0x{:x} subleaf {}", e.function, e.index);
}

const CpuidEntry* find_leaf(const std::vector<CpuidEntry>& entries, const CpuidEntry& like) {
  for (const auto& e : entries) {
    if (e.function == like.function && e.index == like.index) {
      return &e;
    }
  }
  return nullptr;
}

Status compare_cpuid(const std::vector<CpuidEntry>& saved, const std::vector<CpuidEntry>& here) {
  for (const auto& s : saved) {
    const CpuidEntry* h = find_leaf(here, s);
    if (h == nullptr) {
      return make_error(fmt::format("{} was in the saved CPUID but is missing here", leaf_name(s)));
    }
    const struct {
      const char* name;
      uint32_t saved, here;
    } regs[] = {{"eax", s.eax, h->eax},
                {"ebx", s.ebx, h->ebx},
                {"ecx", s.ecx, h->ecx},
                {"edx", s.edx, h->edx},
                {"flags", s.flags, h->flags}};
    for (const auto& reg : regs) {
      if (reg.saved != reg.here) {
        return make_error(fmt::format("{} {} differs: saved 0x{:08x}, here 0x{:08x}", leaf_name(s),
                                      reg.name, reg.saved, reg.here));
      }
    }
  }
  for (const auto& h : here) {
    if (find_leaf(saved, h) == nullptr) {
      return make_error(fmt::format("{} exists here but not in the saved CPUID", leaf_name(h)));
    }
  }
  return {};
}

uint64_t capability_value(const std::vector<KvmCapability>& caps, uint32_t number) {
  for (const auto& c : caps) {
    if (c.number == number) {
      return c.value;
    }
  }
  return 0;
}

std::string storage_name(RamStorage storage) {
  return storage == RamStorage::kInStream ? "stored in the state stream" : "a shared file";
}

}  // namespace

Status check_compatible(const HostFacts& saved, const HostFacts& here) {
  if (saved.cpu_vendor != here.cpu_vendor) {
    return make_error(fmt::format("state stream was saved on a {} CPU, this host is {}",
                                  saved.cpu_vendor, here.cpu_vendor));
  }
  uint64_t diff =
      saved.tsc_khz > here.tsc_khz ? saved.tsc_khz - here.tsc_khz : here.tsc_khz - saved.tsc_khz;
  if (diff * 1'000'000 > uint64_t{saved.tsc_khz} * kTscTolerancePpm) {
    return make_error(
        fmt::format("state stream was saved with a TSC frequency of {} kHz, this host's is {} kHz",
                    saved.tsc_khz, here.tsc_khz));
  }
  MIMEO_TRY(compare_cpuid(saved.cpuid, here.cpuid));
  for (const auto& cap : saved.kvm_capabilities) {
    uint64_t value = capability_value(here.kvm_capabilities, cap.number);
    if (value != cap.value) {
      return make_error(
          fmt::format("KVM capability {}: saved value {}, here {}", cap.number, cap.value, value));
    }
  }
  return {};
}

Status check_layout(const MemoryLayout& saved, const MemoryLayout& configured) {
  for (const auto& s : saved.backends) {
    const MemoryBackendInfo* c = nullptr;
    for (const auto& b : configured.backends) {
      if (b.id == s.id) {
        c = &b;
      }
    }
    if (c == nullptr) {
      return make_error(
          fmt::format("memory backend '{}' is in the state stream but not configured", s.id));
    }
    if (s.size != c->size) {
      return make_error(fmt::format("memory backend '{}': saved size {}, configured {}", s.id,
                                    describe_size(s.size), describe_size(c->size)));
    }
    if (s.gpa != c->gpa) {
      return make_error(
          fmt::format("memory backend '{}': saved at guest-physical 0x{:x}, configured at 0x{:x}",
                      s.id, s.gpa, c->gpa));
    }
    if (s.storage != c->storage) {
      return make_error(fmt::format("memory backend '{}': saved as {}, configured as {}", s.id,
                                    storage_name(s.storage), storage_name(c->storage)));
    }
  }
  for (const auto& c : configured.backends) {
    bool known = false;
    for (const auto& s : saved.backends) {
      known = known || s.id == c.id;
    }
    if (!known) {
      return make_error(
          fmt::format("memory backend '{}' is configured but not in the state stream", c.id));
    }
  }
  return {};
}

}  // namespace mimeo::snapshot
