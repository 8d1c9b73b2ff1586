#include "vmm/machine.h"

#include <fmt/format.h>
#include <linux/kvm.h>

#include "arch/x86/boot.h"
#include "arch/x86/cpuid.h"
#include "arch/x86/guest_ram.h"
#include "arch/x86/vcpu_setup.h"
#include "base/read_file.h"
#include "devices/debug_exit.h"
#include "devices/i8042.h"
#include "vmm/kvm_irq_line.h"

namespace mimeo::vmm {

namespace {

using Clock = std::chrono::steady_clock;

std::chrono::microseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
}

constexpr uint16_t kCom1Base = 0x3f8;
constexpr uint32_t kCom1Gsi = 4;
// KVM on Intel needs three pages for the real-mode TSS and one for the EPT
// identity map below 4 GiB, outside RAM; QEMU and Firecracker use these.
constexpr uint64_t kTssAddress = 0xfffbd000;
constexpr uint64_t kIdentityMapAddress = 0xfffbc000;

// The loaders' view of guest memory: all of it is RAM in the guest's memory
// map (rom=on memory too, as in QEMU: only writes are refused), and a way to
// copy bytes in (which fails, naming the address, for read-only memory).
x86::GuestRam guest_ram_of(memory::GuestMemory& memory) {
  x86::GuestRam ram;
  for (const auto& region : memory.regions()) {
    ram.ram.push_back({region.gpa, region.size});
  }
  ram.write = [&memory](uint64_t gpa, std::span<const uint8_t> bytes) {
    return memory.write(gpa, bytes);
  };
  return ram;
}

}  // namespace

// Creating a VM, in the one order that is both correct and cheap:
//  1. The kernel and initrd are read before anything else exists, so a bad
//     -kernel creates no file and no VM.
//  2. Guest memory: every backend opened, mapped (and populated when
//     prealloc=on) and laid out in guest-physical space. Independent of KVM.
//  3. KVM_CREATE_VM, then the TSS and identity-map pages.
//  4. One memory slot per region BEFORE the irqchip: on nested hosts
//     KVM_SET_USER_MEMORY_REGION costs ~0.3 ms before KVM_CREATE_IRQCHIP and
//     ~7 ms after it (shared/notes/kvm-here.md).
//  5. KVM_CREATE_IRQCHIP: in-kernel PIC, IOAPIC and per-vCPU LAPICs (no PIT:
//     it makes closing the VM cost 10-15 ms, and mimeo's guests use the LAPIC
//     timer).
//  6. vCPUs: CPUID first (KVM checks MSRs against it), then the common state,
//     then the boot protocol's entry state on vCPU 0; the kernel is loaded into
//     guest memory on the way.
//  7. Devices on the port-I/O bus.
Result<std::unique_ptr<Machine>> Machine::create(const MachineConfig& config, MachineIo io) {
  if (config.memory.empty()) {
    return make_error("machine has no memory backend");
  }
  CreateTimings timings;
  auto start = Clock::now();
  Result<std::vector<uint8_t>> kernel = std::vector<uint8_t>{};
  if (!config.incoming) {
    kernel = read_whole_file(config.kernel_path);
  }
  if (!kernel.ok()) {
    return kernel.error().context("-kernel");
  }
  std::vector<uint8_t> initrd;
  if (!config.incoming && !config.initrd_path.empty()) {
    auto loaded = read_whole_file(config.initrd_path);
    if (!loaded.ok()) {
      return loaded.error().context("-initrd");
    }
    initrd = std::move(loaded.value());
  }
  timings.kernel = since(start);

  start = Clock::now();
  std::vector<memory::Backend> backends;
  for (const auto& options : config.memory) {
    MIMEO_ASSIGN_OR_RETURN(auto backend, memory::Backend::create(options, io.prealloc_progress));
    backends.push_back(std::move(backend));
  }
  MIMEO_ASSIGN_OR_RETURN(auto guest_memory, memory::GuestMemory::layout(std::move(backends)));
  timings.memory = since(start);

  start = Clock::now();
  MIMEO_ASSIGN_OR_RETURN(auto kvm, kvm::Kvm::open());
  MIMEO_ASSIGN_OR_RETURN(auto vm, kvm.create_vm());
  MIMEO_TRY(vm.set_tss_addr(kTssAddress));
  MIMEO_TRY(vm.set_identity_map_addr(kIdentityMapAddress));
  timings.vm = since(start);

  std::unique_ptr<Machine> machine(
      new Machine(config, std::move(io), std::move(guest_memory), std::move(kvm), std::move(vm)));
  machine->timings_ = timings;
  start = Clock::now();
  MIMEO_TRY(machine->create_memory_slots());
  machine->timings_.slots = since(start);

  start = Clock::now();
  MIMEO_TRY(machine->vm_.create_irqchip());
  machine->timings_.irqchip = since(start);

  start = Clock::now();
  MIMEO_TRY(machine->create_vcpus(config, *kernel, initrd));
  machine->timings_.vcpus = since(start);

  start = Clock::now();
  MIMEO_TRY(machine->create_devices(config));
  machine->timings_.devices = since(start);
  return machine;
}

Machine::Machine(const MachineConfig& config, MachineIo io, memory::GuestMemory memory,
                 kvm::Kvm kvm, kvm::VmFd vm)
    : io_(std::move(io)),
      memory_(std::move(memory)),
      kvm_(std::move(kvm)),
      vm_(std::move(vm)),
      control_(config.vcpus, io_.on_stop),
      start_paused_(config.start_paused) {}

Machine::~Machine() {
  if (started_) {
    control_.stop({ExitKind::kQuit, 0, 0, "machine destroyed", 0});
    kick_all();
    for (auto& runner : runners_) {
      runner->join();
    }
  }
  if (serial_) {
    serial_->set_input_ready_callback({});
  }
  // Tear-down: closing the VM frees every slot at once; removing them one by
  // one first would cost milliseconds each on nested hosts. The VM (all its
  // fds) is gone before the mappings are unmapped below.
  for (auto& slot : slots_) {
    slot.release();
  }
}

Status Machine::create_memory_slots() {
  uint32_t index = 0;
  for (const auto& region : memory_.regions()) {
    auto slot =
        vm_.add_memory_slot(index, region.gpa, region.size, region.host, region.guest_readonly);
    if (!slot.ok()) {
      return slot.error().context("memory backend '" + region.backend_id + "'");
    }
    slots_.push_back(std::move(slot.value()));
    ++index;
  }
  return {};
}

Status Machine::create_vcpus(const MachineConfig& config, std::span<const uint8_t> kernel,
                             std::span<const uint8_t> initrd) {
  MIMEO_ASSIGN_OR_RETURN(auto supported, kvm_.supported_cpuid());
  x86::CpuidConfig cpuid_config;
  cpuid_config.model = config.cpu;
  cpuid_config.vcpu_count = config.vcpus;
  auto deadline = kvm_.check_extension(KVM_CAP_TSC_DEADLINE_TIMER);
  cpuid_config.tsc_deadline_timer = deadline.ok() && *deadline > 0;
  auto cpuid = x86::build_cpuid(supported, cpuid_config);
  if (!cpuid.ok()) {
    return cpuid.error().context("-cpu");
  }
  MIMEO_ASSIGN_OR_RETURN(size_t mmap_size, kvm_.vcpu_mmap_size());

  guest_cpuid_ = x86::cpuid_for_vcpu(*cpuid, x86::apic_id_of_vcpu(0));
  if (config.incoming) {
    // restore_state() sets CPUID and everything else from the stream.
    for (uint32_t index = 0; index < config.vcpus; ++index) {
      MIMEO_ASSIGN_OR_RETURN(auto vcpu, vm_.create_vcpu(x86::apic_id_of_vcpu(index), mmap_size));
      vcpus_.push_back(std::make_unique<kvm::VcpuFd>(std::move(vcpu)));
    }
    return {};
  }
  x86::GuestRam ram = guest_ram_of(memory_);
  x86::BootOptions boot_options{config.cmdline, initrd};
  auto boot = x86::load_kernel(kernel, boot_options, ram);
  if (!boot.ok()) {
    return boot.error().context("-kernel " + config.kernel_path);
  }
  for (uint32_t index = 0; index < config.vcpus; ++index) {
    const uint32_t apic_id = x86::apic_id_of_vcpu(index);
    MIMEO_ASSIGN_OR_RETURN(auto vcpu, vm_.create_vcpu(apic_id, mmap_size));
    MIMEO_TRY(vcpu.set_cpuid2(x86::cpuid_for_vcpu(*cpuid, apic_id)));
    const bool bsp = index == 0;
    MIMEO_TRY(x86::setup_common_vcpu_state(vcpu, bsp));
    if (bsp) {
      MIMEO_TRY(x86::setup_boot_vcpu(vcpu, ram, *boot));
    }
    vcpus_.push_back(std::make_unique<kvm::VcpuFd>(std::move(vcpu)));
  }
  return {};
}

Status Machine::create_devices(const MachineConfig& config) {
  std::shared_ptr<devices::OutputSink> sink = io_.serial;
  if (!sink) {
    // No backend: output goes nowhere, as with QEMU's -serial null.
    struct Discard final : devices::OutputSink {
      void write(std::span<const uint8_t> /*bytes*/) override {}
    };
    sink = std::make_shared<Discard>();
  }
  serial_ = std::make_shared<devices::Serial8250>(std::make_shared<KvmIrqLine>(vm_, kCom1Gsi),
                                                  std::move(sink));
  MIMEO_TRY(pio_.insert(kCom1Base, devices::Serial8250::kRegisterCount, serial_, "serial0"));

  auto i8042 = std::make_shared<devices::I8042>([this] {
    control_.stop({ExitKind::kReset, 0, 0, "reset through the i8042 keyboard controller", 0});
  });
  MIMEO_TRY(devices::I8042::attach(pio_, i8042));

  auto identity = devices::Identity::fresh(0);
  if (!identity.ok()) {
    return identity.error().context("identity device");
  }
  if (config.uuid) {
    identity->uuid = *config.uuid;
  }
  identity_ = std::make_shared<devices::IdentityDevice>(*identity);
  MIMEO_TRY(devices::IdentityDevice::attach(pio_, identity_));

  if (config.debug_exit) {
    auto exit_device = std::make_shared<devices::DebugExit>(*config.debug_exit, [this](int status) {
      control_.stop({ExitKind::kGuestExit, status, 0, "", 0});
    });
    auto inserted = pio_.insert(config.debug_exit->iobase, config.debug_exit->iosize, exit_device,
                                "isa-debug-exit");
    if (!inserted.ok()) {
      return inserted.error().context("-device isa-debug-exit");
    }
  }
  return {};
}

Status Machine::start() {
  if (started_) {
    return make_error("machine already started");
  }
  if (io_.serial) {
    serial_->set_input_ready_callback([c = io_.serial.get()] { c->notify_input_room(); });
    MIMEO_TRY(io_.serial->start_input(
        [s = serial_.get()](std::span<const uint8_t> bytes) { s->enqueue_input(bytes); },
        [s = serial_.get()] { return s->input_room(); }));
  }
  VcpuExitHandlers handlers;
  handlers.pio = &pio_;
  handlers.mmio = &mmio_;
  handlers.is_rom = [this](uint64_t gpa) {
    const auto* region = memory_.find(gpa);
    return region != nullptr && region->guest_readonly;
  };
  handlers.on_rom_write = [this](uint64_t /*gpa*/) { ++rom_writes_; };
  for (uint32_t index = 0; index < vcpus_.size(); ++index) {
    runners_.push_back(std::make_unique<VcpuRunner>(index, *vcpus_[index], control_, handlers));
  }
  if (start_paused_) {
    control_.start_paused();
  } else {
    ran_ = true;
    control_.set_running();
  }
  started_ = true;
  for (auto& runner : runners_) {
    runner->start();
  }
  return {};
}

void Machine::kick_all() {
  for (auto& runner : runners_) {
    runner->kick();
  }
}

Status Machine::pause() {
  if (!control_.pause([this] { kick_all(); })) {
    return make_error("the VM has stopped");
  }
  return {};
}

Status Machine::resume() {
  if (control_.stopping()) {
    return make_error("the VM has stopped");
  }
  ran_ = true;
  control_.resume();
  return {};
}

Status Machine::set_uuid(const devices::Uuid& uuid) {
  if (ran_) {
    return make_error("the VM UUID can only be set before the guest runs");
  }
  devices::Identity identity = identity_->identity();
  identity.uuid = uuid;
  identity_->set_identity(identity);
  return {};
}

Status Machine::require_not_running(const char* what) const {
  if (started_ && state() == RunState::kRunning) {
    return make_error(std::string(what) + ": the VM is running; pause it first");
  }
  return {};
}

Result<std::vector<x86::VcpuState>> Machine::save_vcpus() {
  MIMEO_TRY(require_not_running("save"));
  if (saved_msrs_.empty()) {
    MIMEO_ASSIGN_OR_RETURN(auto candidates, kvm_.msr_index_list());
    MIMEO_ASSIGN_OR_RETURN(saved_msrs_, x86::readable_msrs(*vcpus_.front(), candidates));
  }
  std::vector<x86::VcpuState> states;
  for (const auto& vcpu : vcpus_) {
    auto state = x86::save_vcpu(*vcpu, saved_msrs_);
    if (!state.ok()) {
      return state.error().context(fmt::format("save vCPU {}", vcpu->id()));
    }
    states.push_back(std::move(state.value()));
  }
  return states;
}

Status Machine::restore_vcpus(const std::vector<x86::VcpuState>& states) {
  MIMEO_TRY(require_not_running("restore"));
  if (states.size() != vcpus_.size()) {
    return make_error(fmt::format("restore: the state has {} vCPUs, the machine {}", states.size(),
                                  vcpus_.size()));
  }
  for (size_t i = 0; i < states.size(); ++i) {
    auto restored = x86::restore_vcpu(*vcpus_[i], states[i]);
    if (!restored.ok()) {
      return restored.error().context(fmt::format("restore vCPU {}", i));
    }
  }
  return {};
}

Result<uint64_t> Machine::guest_clock_ns() const {
  MIMEO_ASSIGN_OR_RETURN(auto clock, vm_.get_clock());
  return static_cast<uint64_t>(clock.clock);
}

void Machine::request_stop(const std::string& reason) {
  control_.stop({ExitKind::kQuit, 0, 0, reason, 0});
  kick_all();
}

ExitReport Machine::wait() {
  ExitReport report = control_.wait_for_stop();
  kick_all();
  for (auto& runner : runners_) {
    runner->join();
  }
  report.ignored_rom_writes = rom_writes_;
  return report;
}

}  // namespace mimeo::vmm
