#include "memory/memory_size.h"

#include <fmt/format.h>

#include "base/keyval.h"
#include "memory/page_size.h"

namespace mimeo::memory {

namespace {

constexpr uint64_t kRamSizeAlignment = 8 * kKiB;  // QEMU_ALIGN_UP(size, 8192)

Error m_error(const std::string& message) { return make_error("-m: " + message); }

Result<std::optional<uint64_t>> size_value(const KeyValues& kv, std::string_view key,
                                           uint64_t default_unit) {
  auto text = kv.get(key);
  if (!text) {
    return std::optional<uint64_t>{};
  }
  auto value = parse_size(*text, default_unit);
  if (!value) {
    return m_error("Parameter '" + std::string(key) +
                   "' expects a non-negative number below 2^64 with an optional suffix k, M, "
                   "G, T, P or E");
  }
  return std::optional<uint64_t>{*value};
}

// machine_set_mem() and, for x86, pc_memory_init().
Status check_hotplug_options(const MemorySize& m, bool has_max, bool has_slots) {
  if (!has_max) {
    if (has_slots) {
      return m_error("slots specified but no max-size");
    }
    return {};
  }
  if (m.max_size < m.size) {
    return m_error(fmt::format(
        "invalid value of maxmem: maximum memory size ({:#x}) must be at least the initial "
        "memory size ({:#x})",
        m.max_size, m.size));
  }
  if (has_slots && m.slots != 0 && m.max_size == m.size) {
    return m_error(fmt::format(
        "invalid value of maxmem: memory slots were specified but maximum memory size ({:#x}) "
        "is equal to the initial memory size ({:#x})",
        m.max_size, m.size));
  }
  if (m.slots > kMaxRamSlots) {
    return m_error(fmt::format("unsupported amount of memory slots: {}", m.slots));
  }
  if (m.max_size % host_page_size() != 0) {
    return m_error(fmt::format("maximum memory size must by aligned to multiple of {} bytes",
                               host_page_size()));
  }
  return {};
}

}  // namespace

std::string MemorySize::hotplug_note() const {
  if (slots == 0 && max_size == size) {
    return {};
  }
  return fmt::format(
      "-m: slots={},maxmem={:#x} accepted, but mimeo does not support memory hotplug: the "
      "guest has {:#x} bytes of RAM",
      slots, max_size, size);
}

Result<MemorySize> parse_memory_option(std::string_view text) {
  MIMEO_ASSIGN_OR_RETURN(KeyValues kv, KeyValues::parse(text, "-m", "size"));
  for (const auto& [key, value] : kv.pairs()) {
    if (key != "size" && key != "slots" && key != "maxmem") {
      return m_error("Invalid parameter '" + key + "'");
    }
  }
  MemorySize m;
  // parse_memory_options(): a size without suffix is in MiB.
  MIMEO_ASSIGN_OR_RETURN(std::optional<uint64_t> size, size_value(kv, "size", kMiB));
  if (size && *size != 0) {
    if (*size > UINT64_MAX - kRamSizeAlignment) {
      return m_error(fmt::format("ram size {} exceeds permitted maximum", *size));
    }
    m.size = align_up(*size, kRamSizeAlignment);
    m.size_given = true;
  }
  MIMEO_ASSIGN_OR_RETURN(std::optional<uint64_t> max_size, size_value(kv, "maxmem", 1));
  m.max_size = max_size.value_or(m.size);
  auto slots_text = kv.get("slots");
  if (slots_text) {
    auto slots = parse_uint(*slots_text);
    if (!slots) {
      return m_error("Parameter 'slots' expects a number");
    }
    m.slots = *slots;
  }
  MIMEO_TRY(check_hotplug_options(m, max_size.has_value(), slots_text.has_value()));
  return m;
}

Result<uint64_t> machine_ram_size(const std::optional<MemorySize>& memory,
                                  const BackendOptions& memory_backend) {
  if (!memory || !memory->size_given) {
    return memory_backend.size();  // qemu_resolve_machine_memdev()
  }
  if (memory->size != memory_backend.size()) {
    return make_error(
        fmt::format("Machine memory size does not match the size of the memory backend (-m {:#x}, "
                    "memory backend '{}' size {:#x})",
                    memory->size, memory_backend.id(), memory_backend.size()));
  }
  return memory->size;
}

}  // namespace mimeo::memory
