#include "cli/run_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "arch/x86/cpu_model.h"
#include "base/keyval.h"
#include "cli/option_error.h"
#include "devices/debug_exit.h"
#include "devices/identity.h"
#include "memory/memory_size.h"

namespace mimeo::cli {

namespace {

// Devices that VM templating cannot work with (../shared/spec/vm-templating.rst,
// "Incompatible features"); mimeo has none of them and says why.
std::optional<std::string> templating_incompatible_reason(const std::string& driver) {
  if (driver.starts_with("virtio-balloon")) {
    return "virtio-balloon inflation and free page reporting cannot discard RAM that is a "
           "private file mapping (VM templating)";
  }
  if (driver.starts_with("virtio-mem")) {
    return "virtio-mem cannot discard RAM that is a private file mapping (VM templating)";
  }
  if (driver.starts_with("vhost-user")) {
    return "vhost-user needs RAM shared with another process, which VMs started from a "
           "template do not have (share=off)";
  }
  return std::nullopt;
}

// KeyValues::parse and check_allowed, their errors naming the option's whole value.
Result<KeyValues> parse_option(const std::string& text, const std::string& option,
                               std::string_view implied_key,
                               const std::vector<std::string_view>& allowed) {
  auto kv = KeyValues::parse(text, option, implied_key);
  if (!kv.ok()) {
    return with_option(kv.error(), option, text);
  }
  if (auto checked = kv->check_allowed(allowed); !checked.ok()) {
    return with_option(checked.error(), option, text);
  }
  return kv;
}

// A memory backend named by -machine memory-backend= or -numa memdev=, and
// the option that names it (for "not defined" errors).
struct BackendUse {
  std::string id;
  std::string option;
};

Status add_objects(const RunOptions& options,
                   std::map<std::string, memory::BackendOptions>& backends,
                   std::vector<std::string>& order) {
  for (const auto& text : options.objects) {
    auto parsed = KeyValues::parse(text, "-object", "qom-type");
    if (!parsed.ok()) {
      return with_option(parsed.error(), "-object", text);
    }
    const KeyValues& kv = *parsed;
    auto type = kv.get("qom-type").value_or("");
    if (!type.starts_with("memory-backend-")) {
      return make_error("-object " + text + ": object type '" + type +
                        "' is not supported (mimeo has memory-backend-ram, memory-backend-file "
                        "and memory-backend-memfd)");
    }
    auto backend = memory::BackendOptions::from_keyvalues(kv);
    if (!backend.ok()) {
      // The memory layer's messages start with the backend id, which the text names.
      Error error = backend.error();
      if (auto id = kv.get("id"); id && error.message.starts_with(*id + ": ")) {
        error.message.erase(0, id->size() + 2);
      }
      return with_option(error, "-object", text);
    }
    if (backends.contains(backend->id())) {
      return make_error("-object " + text + ": id '" + backend->id() +
                        "' is already used by an earlier -object");
    }
    order.push_back(backend->id());
    backends.emplace(backend->id(), std::move(backend.value()));
  }
  return {};
}

Result<std::optional<std::string>> parse_machine(const RunOptions& options) {
  if (!options.machine) {
    return std::optional<std::string>{};
  }
  MIMEO_ASSIGN_OR_RETURN(auto kv, parse_option(*options.machine, "-machine", "type",
                                               {"type", "memory-backend", "accel"}));
  auto type = kv.get("type");
  if (type && *type != "microvm") {
    return make_error("-machine " + *type +
                      ": mimeo has one machine type, microvm (x86-64, no PCI, no firmware)");
  }
  if (auto accel = kv.get("accel"); accel && *accel != "kvm") {
    return make_error("-machine accel=" + *accel + ": mimeo runs only on KVM");
  }
  return kv.get("memory-backend");
}

Result<uint32_t> parse_smp(const std::optional<std::string>& text) {
  if (!text) {
    return 1U;
  }
  MIMEO_ASSIGN_OR_RETURN(auto kv, parse_option(*text, "-smp", "cpus", {"cpus", "maxcpus"}));
  auto cpus = kv.get_uint("cpus");
  auto maxcpus = kv.get_uint("maxcpus");
  if (!cpus.ok() || !maxcpus.ok()) {
    return with_option(cpus.ok() ? maxcpus.error() : cpus.error(), "-smp", *text);
  }
  uint64_t n = cpus->value_or(maxcpus->value_or(1));
  if (n == 0 || n > 255) {
    return make_error(fmt::format("-smp {}: the number of vCPUs must be 1 to 255", *text));
  }
  if (*maxcpus && **maxcpus != n) {
    return make_error("-smp " + *text + ": maxcpus must equal cpus (mimeo has no CPU hotplug)");
  }
  return static_cast<uint32_t>(n);
}

// Boot RAM first (-machine memory-backend=, else node 0's memdev, else the RAM
// -m makes), then the other NUMA nodes in order. -m, when given, must equal
// the total, as QEMU requires.
Status plan_memory(const RunOptions& options, RunPlan& plan) {
  std::optional<memory::MemorySize> size;
  if (options.memory) {
    auto parsed = memory::parse_memory_option(*options.memory);
    if (!parsed.ok()) {
      return with_option(parsed.error(), "-m", *options.memory);
    }
    size = *parsed;
    if (auto note = size->hotplug_note(); !note.empty()) {
      plan.notes.push_back(note);
    }
  }
  std::map<std::string, memory::BackendOptions> backends;
  std::vector<std::string> order;
  MIMEO_TRY(add_objects(options, backends, order));
  MIMEO_ASSIGN_OR_RETURN(auto boot_backend, parse_machine(options));

  std::vector<BackendUse> used;
  auto is_used = [&used](const std::string& id) {
    return std::any_of(used.begin(), used.end(), [&id](const auto& use) { return use.id == id; });
  };
  if (boot_backend) {
    used.push_back({*boot_backend, "-machine " + *options.machine});
  }
  for (const auto& text : options.numa) {
    auto type = KeyValues::parse(text, "-numa", "type");
    if (type.ok() && type->get("type") != "node") {
      return make_error("-numa " + text + ": only 'node' is supported");
    }
    MIMEO_ASSIGN_OR_RETURN(auto kv,
                           parse_option(text, "-numa", "type", {"type", "memdev", "nodeid"}));
    auto memdev = kv.get("memdev");
    if (!memdev) {
      return make_error("-numa " + text +
                        ": memdev= is required (mimeo has no NUMA node "
                        "without its own memory backend)");
    }
    if (is_used(*memdev)) {
      if (boot_backend && *memdev == *boot_backend && used.size() == 1) {
        continue;  // node 0 named with the machine's own backend
      }
      return make_error("-numa " + text + ": memory backend '" + *memdev +
                        "' is used more than once");
    }
    used.push_back({*memdev, "-numa " + text});
  }
  uint64_t total = 0;
  for (const auto& [id, option] : used) {
    auto found = backends.find(id);
    if (found == backends.end()) {
      return make_error(option + ": memory backend '" + id +
                        "' is not defined (no -object with id=" + id + ")");
    }
    total += found->second.size();
    plan.machine.memory.push_back(found->second);
  }
  for (const auto& id : order) {
    if (!is_used(id)) {
      plan.notes.push_back("memory backend '" + id +
                           "' is used by neither -machine memory-backend= nor -numa memdev=; "
                           "it is not created");
    }
  }
  if (used.empty()) {
    auto ram = memory::BackendOptions::implicit_ram(size ? size->size : memory::kDefaultRamSize);
    if (!ram.ok()) {
      return ram.error().context("-m");
    }
    plan.machine.memory.push_back(std::move(ram.value()));
    return {};
  }
  if (size && size->size_given && size->size != total) {
    return make_error(fmt::format(
        "-m {}: machine memory size (0x{:x}) does not match the total size of its memory "
        "backends (0x{:x})",
        *options.memory, size->size, total));
  }
  return {};
}

Status plan_devices(const RunOptions& options, RunPlan& plan) {
  for (const auto& text : options.devices) {
    MIMEO_ASSIGN_OR_RETURN(auto kv, KeyValues::parse(text, "-device", "driver"));
    auto driver = kv.get("driver").value_or("");
    if (auto reason = templating_incompatible_reason(driver)) {
      return make_error("-device " + driver + ": refused: " + *reason);
    }
    if (driver != "isa-debug-exit") {
      return make_error("-device " + driver +
                        ": not supported by mimeo (it has isa-debug-exit; COM1 is built in)");
    }
    if (plan.machine.debug_exit) {
      return make_error("-device isa-debug-exit given more than once");
    }
    auto config = devices::parse_debug_exit_device(kv);
    if (!config.ok()) {
      return config.error();
    }
    plan.machine.debug_exit = *config;
  }
  return {};
}

Status plan_serial(const RunOptions& options, RunPlan& plan) {
  std::map<std::string, chardev::ChardevSpec> chardevs;
  for (const auto& text : options.chardevs) {
    MIMEO_ASSIGN_OR_RETURN(auto spec, chardev::parse_chardev_option(text));
    if (chardevs.contains(spec.id)) {
      return make_error("-chardev " + text + ": duplicate chardev id '" + spec.id + "'");
    }
    chardevs.emplace(spec.id, spec);
  }
  if (options.serials.size() > 1) {
    return make_error("-serial given " + std::to_string(options.serials.size()) +
                      " times: mimeo's machine has one serial port (COM1)");
  }
  if (options.serials.empty()) {
    // Like QEMU with -nographic: COM1 on the terminal.
    chardev::ChardevSpec stdio;
    stdio.backend = chardev::Backend::kStdio;
    plan.serial = stdio;
    return {};
  }
  MIMEO_ASSIGN_OR_RETURN(auto serial, chardev::parse_serial_option(options.serials.front()));
  switch (serial.kind) {
    case chardev::SerialSpec::Kind::kNone: plan.serial.reset(); break;
    case chardev::SerialSpec::Kind::kBackend: plan.serial = serial.backend; break;
    case chardev::SerialSpec::Kind::kChardevRef: {
      auto found = chardevs.find(serial.chardev_id);
      if (found == chardevs.end()) {
        return make_error("-serial chardev:" + serial.chardev_id +
                          ": no -chardev with id=" + serial.chardev_id);
      }
      plan.serial = found->second;
      break;
    }
  }
  return {};
}

}  // namespace

Result<RunPlan> build_run_plan(const RunOptions& options) {
  RunPlan plan;
  if (options.qmp) {
    auto spec = qmp::parse_qmp_option(*options.qmp);
    if (!spec.ok()) {
      return spec.error();
    }
    plan.qmp = *spec;
  }
  if (options.incoming) {
    auto uri = qmp::parse_incoming_option(*options.incoming);
    if (!uri.ok()) {
      return uri.error();
    }
    plan.incoming = true;
    plan.incoming_uri = *uri;
    plan.machine.incoming = true;
    if (!plan.incoming_uri && !plan.qmp) {
      return make_error("-incoming defer: needs -qmp (migrate-incoming is a QMP command)");
    }
  }
  plan.start_paused = options.start_paused;
  if (plan.start_paused && !plan.qmp) {
    return make_error("-S: needs -qmp (only QMP's cont can start the VM)");
  }
  plan.name = options.name;
  if (options.accel && *options.accel != "kvm") {
    return make_error("-accel " + *options.accel + ": mimeo runs only on KVM");
  }
  if (options.display && *options.display != "none") {
    return make_error("-display " + *options.display + ": mimeo has no display (use none)");
  }
  MIMEO_TRY(plan_memory(options, plan));
  MIMEO_ASSIGN_OR_RETURN(plan.machine.vcpus, parse_smp(options.smp));
  if (options.cpu) {
    auto cpu = x86::parse_cpu_option(*options.cpu);
    if (!cpu.ok()) {
      return with_option(cpu.error(), "-cpu", *options.cpu);
    }
    plan.machine.cpu = *cpu;
  }
  if (!options.kernel && !plan.incoming) {
    return make_error("no -kernel given: mimeo boots a PVH ELF kernel or a bzImage directly");
  }
  plan.machine.kernel_path = options.kernel.value_or("");
  plan.machine.cmdline = options.append.value_or("");
  plan.machine.initrd_path = options.initrd.value_or("");
  if (options.uuid) {
    auto uuid = devices::Identity::parse_uuid(*options.uuid);
    if (!uuid.ok()) {
      return uuid.error().context("-uuid");
    }
    plan.machine.uuid = *uuid;
  }
  MIMEO_TRY(plan_devices(options, plan));
  MIMEO_TRY(plan_serial(options, plan));
  return plan;
}

}  // namespace mimeo::cli
