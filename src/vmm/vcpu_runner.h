// One vCPU thread: KVM_RUN in a loop, dispatching port I/O and MMIO exits to
// the device buses and turning every other exit into a reason to stop the VM.
#pragma once

#include <pthread.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>

#include "devices/io_bus.h"
#include "kvm/vcpu_fd.h"
#include "vmm/run_control.h"

namespace mimeo::vmm {

struct VcpuExitHandlers {
  devices::IoBus* pio = nullptr;
  devices::IoBus* mmio = nullptr;
  // True when a guest write at `gpa` hit read-only guest RAM (rom=on): it is
  // reported, never applied.
  std::function<bool(uint64_t gpa)> is_rom;
  std::function<void(uint64_t gpa)> on_rom_write;
  // Called after every port I/O exit on the console's ports, so queued input
  // can flow into the UART as the guest drains it.
  std::function<void(uint16_t port)> after_pio;
};

class VcpuRunner {
 public:
  VcpuRunner(uint32_t index, kvm::VcpuFd& vcpu, RunControl& control, VcpuExitHandlers handlers);
  ~VcpuRunner();
  VcpuRunner(const VcpuRunner&) = delete;
  VcpuRunner& operator=(const VcpuRunner&) = delete;

  void start();
  // Forces the thread out of KVM_RUN (immediate_exit and a signal; either alone
  // races with the thread entering the kernel).
  void kick();
  void join();

  // Installs the no-op signal handler used by kick(); once per process.
  static void install_kick_signal();

 private:
  void loop();
  // Returns false when the VM must stop.
  bool handle_exit();
  void handle_io();
  void handle_mmio();

  uint32_t index_;
  kvm::VcpuFd& vcpu_;
  RunControl& control_;
  VcpuExitHandlers handlers_;
  std::thread thread_;
  std::atomic<bool> started_{false};
};

}  // namespace mimeo::vmm
