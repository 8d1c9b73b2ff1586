// A running x86-64 VM: guest memory, the KVM VM with its in-kernel LAPIC and
// IOAPIC, vCPU threads, and the devices of mimeo's microvm machine (COM1,
// i8042 reset, optional isa-debug-exit).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include "arch/x86/vcpu_state.h"
#include "base/result.h"
#include "devices/identity_device.h"
#include "devices/io_bus.h"
#include "devices/serial_8250.h"
#include "kvm/kvm.h"
#include "kvm/memory_slot.h"
#include "kvm/vcpu_fd.h"
#include "kvm/vm_fd.h"
#include "memory/guest_memory.h"
#include "vmm/exit_report.h"
#include "vmm/machine_config.h"
#include "vmm/run_control.h"
#include "vmm/vcpu_runner.h"

namespace mimeo::vmm {

// Where the time of Machine::create went, for benchmarks and `--timings`.
struct CreateTimings {
  std::chrono::microseconds memory{0};
  std::chrono::microseconds kernel{0};
  std::chrono::microseconds vm{0};
  std::chrono::microseconds slots{0};
  std::chrono::microseconds irqchip{0};
  std::chrono::microseconds vcpus{0};
  std::chrono::microseconds devices{0};
};

class Machine {
 public:
  static Result<std::unique_ptr<Machine>> create(const MachineConfig& config, MachineIo io);
  ~Machine();
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;

  // Starts the vCPU threads (parked at once with config.start_paused).
  Status start();
  // Every vCPU out of KVM_RUN and parked; fails if the VM has stopped.
  Status pause();
  Status resume();
  // Stops the VM (ExitKind::kQuit with `reason`); wait() then returns.
  void request_stop(const std::string& reason);
  // Blocks until the VM stops and its vCPU threads have ended.
  ExitReport wait();
  [[nodiscard]] RunState state() const { return control_.state(); }

  // The state of every vCPU; the VM must be paused (or not started).
  [[nodiscard]] Result<std::vector<x86::VcpuState>> save_vcpus();
  // Writes vCPU state back; the VM must be paused (or not started).
  [[nodiscard]] Status restore_vcpus(const std::vector<x86::VcpuState>& states);

  [[nodiscard]] const memory::GuestMemory& memory() const { return memory_; }
  // The identity the guest sees through the identity device (docs/identity.md).
  [[nodiscard]] devices::Identity identity() const { return identity_->identity(); }
  [[nodiscard]] const CreateTimings& timings() const { return timings_; }

 private:
  Machine(const MachineConfig& config, MachineIo io, memory::GuestMemory memory, kvm::Kvm kvm,
          kvm::VmFd vm);
  Status create_memory_slots();
  Status create_vcpus(const MachineConfig& config, std::span<const uint8_t> kernel,
                      std::span<const uint8_t> initrd);
  Status create_devices(const MachineConfig& config);
  void kick_all();
  [[nodiscard]] Status require_not_running(const char* what) const;

  MachineIo io_;
  // Declaration order is destruction order, reversed: the vCPU threads end
  // first, then the devices, the vCPUs, the memory slots, the VM, and last the
  // guest memory mappings (a slot is removed before its mapping is unmapped).
  memory::GuestMemory memory_;
  kvm::Kvm kvm_;
  kvm::VmFd vm_;
  std::vector<kvm::MemorySlot> slots_;
  std::vector<std::unique_ptr<kvm::VcpuFd>> vcpus_;
  std::vector<uint32_t> saved_msrs_;  // found on the first save
  devices::IoBus pio_{"pio bus"};
  devices::IoBus mmio_{"mmio bus"};
  std::shared_ptr<devices::Serial8250> serial_;
  std::shared_ptr<devices::IdentityDevice> identity_;
  RunControl control_;
  std::atomic<uint64_t> rom_writes_{0};
  std::vector<std::unique_ptr<VcpuRunner>> runners_;
  CreateTimings timings_;
  bool started_ = false;
  bool start_paused_ = false;
};

}  // namespace mimeo::vmm
