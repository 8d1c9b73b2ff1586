// build_run_plan apart from memory: machine type, accelerator, vCPUs, -cpu,
// devices, serial port, display, kernel, and every error with its message.
#include <gtest/gtest.h>

#include "unit/cli/plan_test_util.h"

namespace mimeo::cli {
namespace {

using chardev::Backend;
using testing::Args;
using testing::plan_error;
using testing::plan_for;
using testing::plan_ok;

TEST(RunPlan, DefaultsAreOneHostVcpuAndCom1OnStdio) {
  RunPlan plan = plan_ok({});
  EXPECT_EQ(plan.machine.vcpus, 1U);
  EXPECT_EQ(plan.machine.cpu.name, "host");
  EXPECT_TRUE(plan.machine.cpu.features.empty());
  EXPECT_EQ(plan.machine.kernel_path, "k");
  EXPECT_EQ(plan.machine.cmdline, "");
  EXPECT_EQ(plan.machine.initrd_path, "");
  EXPECT_FALSE(plan.machine.debug_exit);
  EXPECT_FALSE(plan.machine.start_paused);
  ASSERT_TRUE(plan.serial);
  EXPECT_EQ(plan.serial->backend, Backend::kStdio);
  EXPECT_TRUE(plan.notes.empty());
}

TEST(RunPlan, KernelAppendAndInitrdArePassedOn) {
  RunPlan plan = plan_ok({"-append", "console=ttyS0 quiet", "-initrd", "/boot/initrd.img"});
  EXPECT_EQ(plan.machine.kernel_path, "k");
  EXPECT_EQ(plan.machine.cmdline, "console=ttyS0 quiet");
  EXPECT_EQ(plan.machine.initrd_path, "/boot/initrd.img");
}

TEST(RunPlan, Uuid) {
  EXPECT_EQ(plan_error({"-uuid", "1b4e28ba-2fa1-41d2-883f-0016d3cca427"}), "(no error)");
  EXPECT_EQ(plan_error({"-uuid", "nope"}),
            "-uuid: 'nope' is not a UUID (want 8-4-4-4-12 hex digits, e.g. "
            "1b4e28ba-2fa1-41d2-883f-0016d3cca427)");
}

TEST(RunPlan, MissingKernelIsRefused) {
  auto plan = plan_for({"-m", "64"});
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().describe(),
            "no -kernel given: mimeo boots a PVH ELF kernel or a bzImage directly");
}

TEST(RunPlan, QemuFlagsThatChangeNothingAreAccepted) {
  RunPlan plan = plan_ok({"-nographic", "-no-reboot", "-display", "none", "-name", "vm1", "-accel",
                          "kvm", "-enable-kvm", "-machine", "microvm,accel=kvm"});
  EXPECT_EQ(plan.machine.vcpus, 1U);
}

TEST(RunPlan, MachineOtherThanMicrovmIsRefused) {
  EXPECT_EQ(plan_error({"-machine", "pc"}),
            "-machine pc: mimeo has one machine type, microvm (x86-64, no PCI, no firmware)");
  EXPECT_EQ(plan_error({"-M", "q35,memory-backend=pc.ram"}),
            "-machine q35: mimeo has one machine type, microvm (x86-64, no PCI, no firmware)");
  EXPECT_EQ(plan_error({"-machine", "microvm,pit=off"}),
            "-machine microvm,pit=off: unknown parameter 'pit'");
  // ",," is a literal comma: the type is "microvm,x".
  EXPECT_EQ(plan_error({"-machine", "microvm,,x"}),
            "-machine microvm,x: mimeo has one machine type, microvm (x86-64, no PCI, no "
            "firmware)");
}

TEST(RunPlan, MachineWithoutTypeIsMicrovm) {
  EXPECT_EQ(plan_error({"-machine", "accel=kvm"}), "(no error)");
}

TEST(RunPlan, AcceleratorOtherThanKvmIsRefused) {
  EXPECT_EQ(plan_error({"-accel", "tcg"}), "-accel tcg: mimeo runs only on KVM");
  EXPECT_EQ(plan_error({"-enable-kvm", "-accel", "tcg"}), "-accel tcg: mimeo runs only on KVM");
  EXPECT_EQ(plan_error({"-machine", "microvm,accel=tcg"}),
            "-machine accel=tcg: mimeo runs only on KVM");
}

TEST(RunPlan, SmpSetsTheNumberOfVcpus) {
  EXPECT_EQ(plan_ok({"-smp", "2"}).machine.vcpus, 2U);
  EXPECT_EQ(plan_ok({"-smp", "cpus=4"}).machine.vcpus, 4U);
  EXPECT_EQ(plan_ok({"-smp", "3,maxcpus=3"}).machine.vcpus, 3U);
  EXPECT_EQ(plan_ok({"-smp", "maxcpus=2"}).machine.vcpus, 2U);
  EXPECT_EQ(plan_ok({"-smp", "1"}).machine.vcpus, 1U);
  EXPECT_EQ(plan_ok({"-smp", "255"}).machine.vcpus, 255U);
}

TEST(RunPlan, SmpOutOfBoundsIsRefused) {
  EXPECT_EQ(plan_error({"-smp", "0"}), "-smp 0: the number of vCPUs must be 1 to 255");
  EXPECT_EQ(plan_error({"-smp", "256"}), "-smp 256: the number of vCPUs must be 1 to 255");
  EXPECT_EQ(plan_error({"-smp", "cpus=1000"}),
            "-smp cpus=1000: the number of vCPUs must be 1 to 255");
}

TEST(RunPlan, SmpKeysMimeoDoesNotHaveAreRefused) {
  EXPECT_EQ(plan_error({"-smp", "2,maxcpus=4"}),
            "-smp 2,maxcpus=4: maxcpus must equal cpus (mimeo has no CPU hotplug)");
  EXPECT_EQ(plan_error({"-smp", "2,sockets=2"}), "-smp 2,sockets=2: unknown parameter 'sockets'");
  EXPECT_EQ(plan_error({"-smp", "4,cores=2,threads=2"}),
            "-smp 4,cores=2,threads=2: unknown parameter 'cores'");
  EXPECT_EQ(plan_error({"-smp", "two"}), "-smp two: cpus='two' is not a number");
  EXPECT_EQ(plan_error({"-smp", "2,maxcpus=x"}), "-smp 2,maxcpus=x: maxcpus='x' is not a number");
  EXPECT_EQ(plan_error({"-smp", "2,2"}), "-smp 2,2: '2' is not of the form key=value");
}

TEST(RunPlan, CpuHostWithFeatures) {
  RunPlan plan = plan_ok({"-cpu", "host,-avx,+avx2"});
  EXPECT_EQ(plan.machine.cpu.name, "host");
  ASSERT_EQ(plan.machine.cpu.features.size(), 2U);
  EXPECT_EQ(plan.machine.cpu.features[0].name, "avx");
  EXPECT_FALSE(plan.machine.cpu.features[0].enabled);
  EXPECT_EQ(plan.machine.cpu.features[1].name, "avx2");
  EXPECT_TRUE(plan.machine.cpu.features[1].enabled);
  EXPECT_EQ(plan_ok({"-cpu", "max"}).machine.cpu.name, "max");
}

TEST(RunPlan, CpuErrorsNameTheOptionOnce) {
  EXPECT_EQ(plan_error({"-cpu", "qemu64"}),
            "-cpu qemu64: unsupported CPU model; mimeo offers only 'host' (or its alias 'max')");
  EXPECT_EQ(plan_error({"-cpu", "host,+foo"}),
            "-cpu host,+foo: unknown CPU feature 'foo' (docs/cpuid.md lists the known ones)");
  EXPECT_EQ(plan_error({"-cpu", "host,avx=maybe"}),
            "-cpu host,avx=maybe: 'avx=maybe': 'maybe' is not on or off");
  EXPECT_EQ(plan_error({"-cpu", ",+avx"}), "-cpu ,+avx: missing CPU model (mimeo offers 'host')");
  EXPECT_EQ(plan_error({"-cpu", "host,,"}), "-cpu host,,: empty feature name in ''");
  EXPECT_EQ(plan_error({"-cpu", "host,+vmx"}),
            "-cpu host,+vmx: feature 'vmx' is not supported by mimeo: nested virtualization is "
            "not supported (mimeo does not save nested state)");
}

TEST(RunPlan, IsaDebugExit) {
  auto exit = plan_ok({"-device", "isa-debug-exit,iobase=0xf4,iosize=1"}).machine.debug_exit;
  ASSERT_TRUE(exit);
  EXPECT_EQ(exit->iobase, 0xf4);
  EXPECT_EQ(exit->iosize, 1);
  exit = plan_ok({"-device", "isa-debug-exit"}).machine.debug_exit;
  ASSERT_TRUE(exit);
  EXPECT_EQ(exit->iobase, 0x501);  // QEMU's defaults
  EXPECT_EQ(exit->iosize, 2);
  exit =
      plan_ok({"-device", "driver=isa-debug-exit,id=dbg,iobase=0x501,iosize=2"}).machine.debug_exit;
  ASSERT_TRUE(exit);
}

TEST(RunPlan, IsaDebugExitErrors) {
  EXPECT_EQ(plan_error({"-device", "isa-debug-exit", "-device", "isa-debug-exit,iobase=0xf4"}),
            "-device isa-debug-exit given more than once");
  EXPECT_EQ(plan_error({"-device", "isa-debug-exit,iobase=0x10000"}),
            "-device: isa-debug-exit: iobase='0x10000' is not an I/O port (the limit is 0xffff)");
  EXPECT_EQ(plan_error({"-device", "isa-debug-exit,iosize=3"}),
            "-device: isa-debug-exit: iosize='3' must be 1, 2 or 4");
  EXPECT_EQ(plan_error({"-device", "isa-debug-exit,bus=isa.0"}),
            "-device: unknown parameter 'bus'");
}

TEST(RunPlan, DevicesOtherThanIsaDebugExitAreRefused) {
  for (const std::string driver : {"virtio-net-pci", "virtio-blk-device", "e1000", "pci-serial",
                                   "isa-serial", "virtio-rng-pci"}) {
    EXPECT_EQ(
        plan_error({"-device", driver + ",id=d0"}),
        "-device " + driver + ": not supported by mimeo (it has isa-debug-exit; COM1 is built in)");
  }
  EXPECT_EQ(plan_error({"-device", ""}), "-device: empty option value");
}

TEST(RunPlan, TemplatingIncompatibleDevicesAreRefusedWithTheReason) {
  const std::string balloon =
      ": refused: virtio-balloon inflation and free page reporting cannot discard RAM that is "
      "a private file mapping (VM templating)";
  EXPECT_EQ(plan_error({"-device", "virtio-balloon"}), "-device virtio-balloon" + balloon);
  EXPECT_EQ(plan_error({"-device", "virtio-balloon-pci,free-page-reporting=on"}),
            "-device virtio-balloon-pci" + balloon);
  EXPECT_EQ(plan_error({"-device", "driver=virtio-balloon-device"}),
            "-device virtio-balloon-device" + balloon);
  const std::string mem =
      ": refused: virtio-mem cannot discard RAM that is a private file mapping (VM templating)";
  EXPECT_EQ(plan_error({"-device", "virtio-mem-pci,id=vm0,memdev=m1"}),
            "-device virtio-mem-pci" + mem);
  EXPECT_EQ(plan_error({"-device", "virtio-mem"}), "-device virtio-mem" + mem);
  const std::string vhost =
      ": refused: vhost-user needs RAM shared with another process, which VMs started from a "
      "template do not have (share=off)";
  for (const std::string driver :
       {"vhost-user-fs-pci", "vhost-user-blk-pci", "vhost-user-net-pci", "vhost-user-gpu"}) {
    EXPECT_EQ(plan_error({"-device", driver + ",chardev=c0"}), "-device " + driver + vhost);
  }
  // Refused even next to a valid isa-debug-exit.
  EXPECT_EQ(plan_error({"-device", "isa-debug-exit", "-device", "virtio-balloon"}),
            "-device virtio-balloon" + balloon);
}

TEST(RunPlan, SerialBackends) {
  EXPECT_EQ(plan_ok({"-serial", "stdio"}).serial->backend, Backend::kStdio);
  EXPECT_EQ(plan_ok({"-serial", "null"}).serial->backend, Backend::kNull);
  EXPECT_FALSE(plan_ok({"-serial", "none"}).serial);

  auto file = plan_ok({"-serial", "file:/tmp/console.log"}).serial;
  ASSERT_TRUE(file);
  EXPECT_EQ(file->backend, Backend::kFile);
  EXPECT_EQ(file->path, "/tmp/console.log");

  auto unix_socket = plan_ok({"-serial", "unix:/tmp/s,server=on,wait=off"}).serial;
  ASSERT_TRUE(unix_socket);
  EXPECT_EQ(unix_socket->backend, Backend::kSocket);
  EXPECT_EQ(unix_socket->path, "/tmp/s");
  EXPECT_TRUE(unix_socket->server);
  EXPECT_FALSE(unix_socket->wait);
}

TEST(RunPlan, SerialOnANamedChardev) {
  auto serial = plan_ok({"-chardev", "file,id=log,path=/tmp/l", "-chardev",
                         "socket,id=c0,path=/tmp/c0.sock,server=on", "-serial", "chardev:c0"})
                    .serial;
  ASSERT_TRUE(serial);
  EXPECT_EQ(serial->backend, Backend::kSocket);
  EXPECT_EQ(serial->id, "c0");
  EXPECT_EQ(serial->path, "/tmp/c0.sock");
  EXPECT_TRUE(serial->server);
  EXPECT_TRUE(serial->wait);
}

TEST(RunPlan, SerialErrors) {
  EXPECT_EQ(plan_error({"-serial", "stdio", "-serial", "null"}),
            "-serial given 2 times: mimeo's machine has one serial port (COM1)");
  EXPECT_EQ(plan_error({"-serial", "chardev:c0"}), "-serial chardev:c0: no -chardev with id=c0");
  EXPECT_EQ(plan_error({"-chardev", "null,id=c1", "-serial", "chardev:c0"}),
            "-serial chardev:c0: no -chardev with id=c0");
  EXPECT_EQ(plan_error({"-serial", "pty"}),
            "-serial: backend 'pty' in 'pty' is not supported (use stdio, null, none, file:PATH, "
            "unix:PATH[,server=on][,wait=off] or chardev:ID)");
  EXPECT_EQ(plan_error({"-serial", "file:"}), "-serial: file: needs a path (file:PATH)");
  EXPECT_EQ(plan_error({"-chardev", "socket,id=c0,path=/a,server=on", "-chardev", "null,id=c0"}),
            "-chardev null,id=c0: duplicate chardev id 'c0'");
  EXPECT_EQ(plan_error({"-chardev", "socket,id=c0"}), "-chardev: socket needs path=");
  EXPECT_EQ(plan_error({"-chardev", "pty,id=c0"}),
            "-chardev: backend 'pty' is not supported (use socket, file, stdio or null)");
}

TEST(RunPlan, DisplayOtherThanNoneIsRefused) {
  EXPECT_EQ(plan_error({"-display", "none"}), "(no error)");
  EXPECT_EQ(plan_error({"-display", "gtk"}), "-display gtk: mimeo has no display (use none)");
  EXPECT_EQ(plan_error({"-display", "vnc=:0"}), "-display vnc=:0: mimeo has no display (use none)");
}

TEST(RunPlan, QmpIncomingAndPausedStart) {
  EXPECT_EQ(plan_error({"-qmp", "unix:/tmp/q,server=on,wait=off"}), "(no error)");
  EXPECT_EQ(plan_error({"-incoming", "defer"}),
            "-incoming defer: needs -qmp (migrate-incoming is a QMP command)");
  EXPECT_EQ(plan_error({"-S"}), "-S: needs -qmp (only QMP's cont can start the VM)");
  EXPECT_EQ(plan_error({"-S", "-qmp", "unix:/tmp/q,server=on,wait=off"}), "(no error)");
  EXPECT_EQ(plan_error({"-incoming", "defer", "-qmp", "unix:/tmp/q,server=on,wait=off"}),
            "(no error)");
  EXPECT_EQ(plan_error({"-incoming", "file:/tmp/state"}), "(no error)");
}

TEST(RunPlan, AnIncomingVmNeedsNoKernel) {
  RunOptions options;
  options.incoming = "file:/tmp/state";
  auto plan = build_run_plan(options);
  ASSERT_TRUE(plan.ok()) << plan.error().describe();
  EXPECT_TRUE(plan->machine.incoming);
  EXPECT_TRUE(plan->incoming_uri.has_value());
}

}  // namespace
}  // namespace mimeo::cli
