// Everything a VM is made of, as plain validated values. Front ends build it
// from their own syntax (QEMU-style options, REST bodies); the core never
// parses text.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arch/x86/cpu_model.h"
#include "chardev/chardev.h"
#include "devices/debug_exit.h"
#include "devices/identity.h"
#include "memory/backend_options.h"
#include "memory/prealloc.h"

namespace mimeo::vmm {

struct MachineConfig {
  // [0] is the boot RAM (-machine memory-backend= or the RAM -m makes), then
  // one backend per -numa node, in node order.
  std::vector<memory::BackendOptions> memory;
  uint32_t vcpus = 1;
  x86::CpuModel cpu;
  std::string kernel_path;  // -kernel: a PVH ELF or a bzImage with a 64-bit entry
  // The VM's state will come from a state stream (-incoming): no kernel is
  // loaded and the vCPUs get their state from restore_state().
  bool incoming = false;
  std::string cmdline;      // -append
  std::string initrd_path;  // -initrd
  std::optional<devices::DebugExitConfig> debug_exit;
  bool start_paused = false;  // -S
  // -uuid; otherwise every VM (every clone) gets a fresh random one.
  std::optional<devices::Uuid> uuid;
};

// The host side a machine is connected to.
struct MachineIo {
  // COM1's backend; null leaves COM1 unconnected (output dropped, no input).
  std::shared_ptr<chardev::Chardev> serial;
  // Progress of prealloc=on, for a progress bar.
  memory::ProgressFn prealloc_progress;
  // Called once when the VM stops, for whatever reason, from the thread that
  // stops it (often a vCPU thread, with device locks held): it must not block
  // or call into the machine. E.g. write to an eventfd a poll loop watches.
  std::function<void()> on_stop;
};

}  // namespace mimeo::vmm
