// QEMU's -m [size=]megs[,slots=n,maxmem=size] and how it meets
// -machine memory-backend=<id>.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "memory/backend_options.h"

namespace mimeo::memory {

inline constexpr uint64_t kDefaultRamSize = 128ULL << 20;  // MachineClass default_ram_size
inline constexpr uint64_t kMaxRamSlots = 256;              // x86 ACPI_MAX_RAM_SLOTS

struct MemorySize {
  uint64_t size = kDefaultRamSize;      // bytes, rounded up to 8 KiB as QEMU does
  bool size_given = false;              // QEMU's have_custom_ram_size: -m had a non-zero size
  uint64_t max_size = kDefaultRamSize;  // maxmem=, or size when absent
  uint64_t slots = 0;

  // Empty, or one line saying that slots=/maxmem= were accepted but that mimeo has no
  // memory hotplug, so the room above size stays unused.
  [[nodiscard]] std::string hotplug_note() const;
};

// A bare number (or size=) means MiB, suffixes B/K/M/G/T/P/E as given; maxmem= is a
// size in bytes unless suffixed; slots= a number. QEMU's checks of machine_set_mem()
// and pc_memory_init() apply. "-m 0" means the default 128 MiB, as in QEMU.
Result<MemorySize> parse_memory_option(std::string_view text);

// QEMU's rule (machine_run_board_init()) when -machine memory-backend= is used: -m
// with a size must equal the backend's size ("Machine memory size does not match the
// size of the memory backend"). Without a -m size the backend's size is the RAM size.
// Returns the guest RAM size.
Result<uint64_t> machine_ram_size(const std::optional<MemorySize>& memory,
                                  const BackendOptions& memory_backend);

}  // namespace mimeo::memory
