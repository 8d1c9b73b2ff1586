#include "vmm/vcpu_runner.h"

#include <fmt/format.h>
#include <linux/kvm.h>
#include <signal.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <span>

namespace mimeo::vmm {

namespace {

// A real-time signal nobody else in the process uses; its handler does
// nothing: delivering it is what makes KVM_RUN return EINTR.
int kick_signal() { return SIGRTMIN + 1; }

void ignore_signal(int /*sig*/) {}

}  // namespace

void VcpuRunner::install_kick_signal() {
  static const bool installed = [] {
    struct sigaction action {};
    action.sa_handler = ignore_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: KVM_RUN must come back
    sigaction(kick_signal(), &action, nullptr);
    return true;
  }();
  (void)installed;
}

VcpuRunner::VcpuRunner(uint32_t index, kvm::VcpuFd& vcpu, RunControl& control,
                       VcpuExitHandlers handlers)
    : index_(index), vcpu_(vcpu), control_(control), handlers_(std::move(handlers)) {}

VcpuRunner::~VcpuRunner() { join(); }

void VcpuRunner::start() {
  install_kick_signal();
  started_ = true;
  thread_ = std::thread([this] {
    // No exception may escape a vCPU thread: it becomes the VM's stop reason.
    try {
      loop();
    } catch (const std::exception& e) {
      control_.stop({ExitKind::kInternalError, 0, index_,
                     std::string("exception in vCPU thread: ") + e.what(), 0});
    } catch (...) {
      control_.stop({ExitKind::kInternalError, 0, index_, "unknown exception in vCPU thread", 0});
    }
    control_.vcpu_exited();
  });
}

void VcpuRunner::kick() {
  vcpu_.set_immediate_exit(true);
  if (thread_.joinable()) {
    pthread_kill(thread_.native_handle(), kick_signal());
  }
}

void VcpuRunner::join() {
  if (thread_.joinable()) {
    thread_.join();
  }
}

void VcpuRunner::loop() {
  // After a port I/O or MMIO exit the instruction is complete (RAX written,
  // RIP advanced) only once KVM_RUN is entered again. A vCPU about to park
  // enters it once with immediate_exit set, so that the state a save reads,
  // or a restore replaces, has no half-done instruction (KVM's API doc,
  // KVM_CAP_IMMEDIATE_EXIT).
  bool completion_pending = false;
  const auto complete_pending_exit = [&] {
    if (completion_pending) {
      vcpu_.set_immediate_exit(true);
      (void)vcpu_.run();  // returns EINTR once the operation is complete
      completion_pending = false;
    }
  };
  while (control_.wait_until_runnable(complete_pending_exit)) {
    vcpu_.set_immediate_exit(false);
    completion_pending = false;  // entering KVM_RUN completes it
    Status ran = vcpu_.run();
    if (!ran.ok()) {
      if (ran.error().err == EINTR || ran.error().err == EAGAIN) {
        continue;  // kicked: look at the run state again
      }
      control_.stop({ExitKind::kInternalError, 0, index_, ran.error().describe(), 0});
      return;
    }
    const uint32_t reason = vcpu_.run_struct()->exit_reason;
    if (!handle_exit()) {
      return;
    }
    completion_pending = reason == KVM_EXIT_IO || reason == KVM_EXIT_MMIO;
  }
}

bool VcpuRunner::handle_exit() {
  kvm_run* run = vcpu_.run_struct();
  switch (run->exit_reason) {
    case KVM_EXIT_IO: handle_io(); return true;
    case KVM_EXIT_MMIO: handle_mmio(); return true;
    case KVM_EXIT_INTR: return true;
    case KVM_EXIT_HLT:
      // Only without an in-kernel LAPIC; mimeo always has one.
      control_.stop({ExitKind::kShutdown, 0, index_, "hlt with interrupts off", 0});
      return false;
    case KVM_EXIT_SHUTDOWN: control_.stop({ExitKind::kTripleFault, 0, index_, "", 0}); return false;
    case KVM_EXIT_SYSTEM_EVENT:
      if (run->system_event.type == KVM_SYSTEM_EVENT_RESET) {
        control_.stop({ExitKind::kReset, 0, index_, "KVM_SYSTEM_EVENT_RESET", 0});
      } else {
        control_.stop({ExitKind::kShutdown, 0, index_, "KVM_SYSTEM_EVENT", 0});
      }
      return false;
    case KVM_EXIT_INTERNAL_ERROR: {
      std::string detail = fmt::format(
          "KVM_EXIT_INTERNAL_ERROR suberror {}{}", run->internal.suberror,
          run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ? " (instruction emulation failed)"
                                                                 : "");
      if (auto r = vcpu_.get_regs(); r.ok()) {
        detail += fmt::format(" at rip 0x{:x}", r->rip);
      }
      control_.stop({ExitKind::kInternalError, 0, index_, detail, 0});
      return false;
    }
    case KVM_EXIT_FAIL_ENTRY:
      control_.stop({ExitKind::kInternalError, 0, index_,
                     fmt::format("KVM_EXIT_FAIL_ENTRY hardware reason 0x{:x}",
                                 run->fail_entry.hardware_entry_failure_reason),
                     0});
      return false;
    default:
      control_.stop({ExitKind::kInternalError, 0, index_,
                     fmt::format("unexpected KVM exit reason {}", run->exit_reason), 0});
      return false;
  }
}

void VcpuRunner::handle_io() {
  kvm_run* run = vcpu_.run_struct();
  auto* base = reinterpret_cast<uint8_t*>(run) + run->io.data_offset;
  const uint16_t port = run->io.port;
  for (uint32_t i = 0; i < run->io.count; ++i) {
    std::span<uint8_t> data(base + static_cast<size_t>(i) * run->io.size, run->io.size);
    if (run->io.direction == KVM_EXIT_IO_OUT) {
      handlers_.pio->write(port, data);
    } else if (!handlers_.pio->read(port, data)) {
      std::memset(data.data(), 0xff, data.size());  // no device: the bus floats high
    }
  }
  if (handlers_.after_pio) {
    handlers_.after_pio(port);
  }
}

void VcpuRunner::handle_mmio() {
  kvm_run* run = vcpu_.run_struct();
  const uint64_t gpa = run->mmio.phys_addr;
  std::span<uint8_t> data(run->mmio.data, run->mmio.len);
  if (run->mmio.is_write) {
    if (handlers_.is_rom && handlers_.is_rom(gpa)) {
      handlers_.on_rom_write(gpa);
      return;
    }
    handlers_.mmio->write(gpa, data);
  } else if (!handlers_.mmio->read(gpa, data)) {
    std::memset(data.data(), 0xff, data.size());
  }
}

}  // namespace mimeo::vmm
