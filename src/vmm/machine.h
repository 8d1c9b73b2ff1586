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
#include "snapshot/byte_sink.h"
#include "snapshot/stream_types.h"
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

struct SaveOptions {
  // QEMU's x-ignore-shared: RAM in memory-backend-file,share=on stays in its
  // file and the stream only refers to it (path, size, fingerprint).
  bool ignore_shared = false;
};

struct SaveReport {
  uint64_t ram_bytes_in_stream = 0;  // backends written into the stream
  uint64_t ram_bytes_in_files = 0;   // backends left in their files
  std::chrono::microseconds duration{0};
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

  // Writes the whole VM to `sink` as a state stream (docs/state-stream.md);
  // the VM must be paused or not yet started.
  [[nodiscard]] Result<SaveReport> save_state(const SaveOptions& options, snapshot::ByteSink& sink);
  // Makes this machine (created with config.incoming, not started) continue
  // where the saved one stopped. The stream is untrusted: anything that does
  // not fit this machine and host fails with one error naming it.
  [[nodiscard]] Status restore_state(const snapshot::DecodedStream& stream);

  // The guest's kvmclock in nanoseconds (KVM_GET_CLOCK).
  [[nodiscard]] Result<uint64_t> guest_clock_ns() const;

  [[nodiscard]] const memory::GuestMemory& memory() const { return memory_; }
  // The identity the guest sees through the identity device (docs/identity.md).
  [[nodiscard]] devices::Identity identity() const { return identity_->identity(); }
  // Gives the VM another UUID (as -uuid would have), e.g. a restored clone
  // kept paused until it is handed out. Only before the guest first runs, so
  // that it never sees two UUIDs; fails after.
  [[nodiscard]] Status set_uuid(const devices::Uuid& uuid);
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
  [[nodiscard]] snapshot::HostFacts host_facts() const;
  [[nodiscard]] Result<snapshot::MemoryLayout> memory_layout(bool ignore_shared) const;

  MachineIo io_;
  // Declaration order is destruction order, reversed: the vCPU threads end
  // first, then the devices, the vCPUs, the memory slots, the VM, and last the
  // guest memory mappings (a slot is removed before its mapping is unmapped).
  memory::GuestMemory memory_;
  kvm::Kvm kvm_;
  kvm::VmFd vm_;
  std::vector<kvm::MemorySlot> slots_;
  std::vector<std::unique_ptr<kvm::VcpuFd>> vcpus_;
  std::vector<uint32_t> saved_msrs_;           // found on the first save
  std::vector<kvm_cpuid_entry2> guest_cpuid_;  // vCPU 0's, as built at creation
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
  std::atomic<bool> ran_{false};  // the vCPUs were let run (start() unpaused, or resume())
};

}  // namespace mimeo::vmm
