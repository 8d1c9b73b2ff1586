// Machine::save_state and Machine::restore_state: the one place where the
// order of saving and restoring a VM's components is decided.
#include <fmt/format.h>
#include <linux/kvm.h>

#include <cstring>

#include "base/version.h"
#include "snapshot/compatibility.h"
#include "snapshot/file_fingerprint.h"
#include "snapshot/ram_runs.h"
#include "snapshot/stream_encoder.h"
#include "vmm/machine.h"
#include "vmm/state_codec.h"

namespace mimeo::vmm {

namespace {

using Clock = std::chrono::steady_clock;

// The KVM capabilities whose presence a restored VM depends on.
constexpr std::array<uint32_t, 4> kCapabilitiesUsed = {
    KVM_CAP_IRQCHIP, KVM_CAP_READONLY_MEM, KVM_CAP_IMMEDIATE_EXIT, KVM_CAP_ADJUST_CLOCK};

// Where a backend starts in guest-physical space (its first region).
uint64_t backend_gpa(const memory::GuestMemory& memory, const std::string& id) {
  for (const auto& region : memory.regions()) {
    if (region.backend_id == id && region.backend_offset == 0) {
      return region.gpa;
    }
  }
  return 0;
}

std::string vcpu_section(size_t index) { return fmt::format("vcpu{}", index); }
constexpr const char* kVmSection = "vm";
constexpr const char* kSerialSection = "serial0";
constexpr const char* kIdentitySection = "identity0";

std::string cpu_vendor(const std::vector<kvm_cpuid_entry2>& cpuid) {
  for (const auto& e : cpuid) {
    if (e.function == 0) {
      char vendor[13] = {};
      std::memcpy(vendor, &e.ebx, 4);
      std::memcpy(vendor + 4, &e.edx, 4);
      std::memcpy(vendor + 8, &e.ecx, 4);
      return vendor;
    }
  }
  return "unknown";
}

bool is_shared_file(const memory::Backend& backend) {
  return backend.options().type() == memory::BackendType::kFile && backend.options().share();
}

const snapshot::Section* require_section(const snapshot::DecodedStream& stream,
                                         const std::string& name, uint32_t version, Error& error) {
  const auto* section = stream.find_section(name);
  if (section == nullptr) {
    error = make_error("state stream has no '" + name + "' section");
  } else if (section->version != version) {
    error = make_error(fmt::format("state stream: section '{}' has version {}, this mimeo reads {}",
                                   name, section->version, version));
    section = nullptr;
  }
  return section;
}

}  // namespace

snapshot::HostFacts Machine::host_facts() const {
  snapshot::HostFacts facts;
  facts.cpu_vendor = cpu_vendor(guest_cpuid_);
  for (const auto& e : guest_cpuid_) {
    facts.cpuid.push_back({e.function, e.index, e.flags, e.eax, e.ebx, e.ecx, e.edx});
  }
  if (auto khz = vcpus_.front()->get_tsc_khz(); khz.ok()) {
    facts.tsc_khz = *khz;
  }
  for (uint32_t cap : kCapabilitiesUsed) {
    auto value = kvm_.check_extension(cap);
    facts.kvm_capabilities.push_back({cap, value.ok() ? static_cast<uint64_t>(*value) : 0});
  }
  return facts;
}

Result<snapshot::MemoryLayout> Machine::memory_layout(bool ignore_shared) const {
  snapshot::MemoryLayout layout;
  for (const auto& backend : memory_.backends()) {
    snapshot::MemoryBackendInfo info;
    info.id = backend.id();
    info.size = backend.size();
    info.gpa = backend_gpa(memory_, backend.id());
    if (ignore_shared && is_shared_file(backend)) {
      info.storage = snapshot::RamStorage::kSharedFile;
      info.file_path = backend.options().mem_path();
      auto fingerprint = snapshot::compute_file_fingerprint(info.file_path);
      if (!fingerprint.ok()) {
        return fingerprint.error().context("memory backend '" + backend.id() + "'");
      }
      info.fingerprint = *fingerprint;
    }
    layout.backends.push_back(std::move(info));
  }
  return layout;
}

// Saving, in this order, with every vCPU parked outside KVM_RUN:
//  1. host facts and the memory layout (shared RAM files are fingerprinted
//     now, after the guest's last write reached them);
//  2. the VM: kvmclock and the PIC/IOAPIC;
//  3. each vCPU (registers, XSAVE, MSRs, LAPIC, events, MP state);
//  4. devices: COM1, the identity device;
//  5. RAM that does not stay in a shared file, read in place from the guest
//     mapping as the stream is written.
Result<SaveReport> Machine::save_state(const SaveOptions& options, snapshot::ByteSink& sink) {
  const auto start = Clock::now();
  MIMEO_TRY(require_not_running("save"));
  snapshot::StateStream stream;
  stream.program_version = kVersion;
  stream.host = host_facts();
  MIMEO_ASSIGN_OR_RETURN(stream.layout, memory_layout(options.ignore_shared));

  MIMEO_ASSIGN_OR_RETURN(auto vm_state, x86::save_vm(vm_));
  stream.sections.push_back({kVmSection, kVmSectionVersion, encode_vm(vm_state)});
  MIMEO_ASSIGN_OR_RETURN(auto vcpu_states, save_vcpus());
  for (size_t i = 0; i < vcpu_states.size(); ++i) {
    stream.sections.push_back({vcpu_section(i), kVcpuSectionVersion, encode_vcpu(vcpu_states[i])});
  }
  stream.sections.push_back(
      {kSerialSection, kSerialSectionVersion, encode_serial(serial_->save())});
  stream.sections.push_back(
      {kIdentitySection, kIdentitySectionVersion, encode_identity(identity_->save())});

  SaveReport report;
  for (size_t i = 0; i < stream.layout.backends.size(); ++i) {
    const auto& backend = memory_.backends()[i];
    if (stream.layout.backends[i].storage == snapshot::RamStorage::kSharedFile) {
      report.ram_bytes_in_files += backend.size();
      continue;
    }
    stream.ram.push_back({backend.id(), std::span<const uint8_t>(backend.host(), backend.size())});
    report.ram_bytes_in_stream += backend.size();
  }
  MIMEO_TRY(snapshot::write_stream(stream, sink));
  report.duration = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
  return report;
}

// Restoring, in this order, before any vCPU thread runs:
//  1. checks that cost nothing to undo: host facts (CPU vendor, the CPUID the
//     guest saw, TSC frequency, KVM capabilities), memory layout, the
//     fingerprint of every template RAM file this machine maps, and that
//     every section is there and decodes;
//  2. RAM kept in the stream is copied into guest memory;
//  3. vCPUs (CPUID first; the LAPIC needs the in-kernel irqchip, which exists);
//  4. devices: COM1 (its IRQ line follows), the identity device (which keeps
//     this VM's fresh identity and bumps the generation counter);
//  5. last the VM: PIC/IOAPIC and the kvmclock, so the clock advances by the
//     time that really passed (docs/snapshot.md).
Status Machine::restore_state(const snapshot::DecodedStream& stream) {
  if (started_) {
    return make_error("restore: the VM has already started");
  }
  MIMEO_TRY(snapshot::check_compatible(stream.host, host_facts()));
  snapshot::MemoryLayout configured;
  for (size_t i = 0; i < memory_.backends().size(); ++i) {
    const auto& backend = memory_.backends()[i];
    snapshot::MemoryBackendInfo info;
    info.id = backend.id();
    info.size = backend.size();
    info.gpa = backend_gpa(memory_, backend.id());
    // A backend saved as a shared file is restored from a file backend
    // mapping that file (normally readonly=on,rom=off: copy-on-write).
    const snapshot::MemoryBackendInfo* saved = nullptr;
    for (const auto& b : stream.layout.backends) {
      if (b.id == info.id) {
        saved = &b;
      }
    }
    if (saved != nullptr && saved->storage == snapshot::RamStorage::kSharedFile &&
        backend.options().type() == memory::BackendType::kFile) {
      info.storage = snapshot::RamStorage::kSharedFile;
      info.file_path = saved->file_path;
      info.fingerprint = saved->fingerprint;
    }
    configured.backends.push_back(std::move(info));
  }
  MIMEO_TRY(snapshot::check_layout(stream.layout, configured));
  for (size_t i = 0; i < configured.backends.size(); ++i) {
    if (configured.backends[i].storage == snapshot::RamStorage::kSharedFile) {
      const auto& path = memory_.backends()[i].options().mem_path();
      auto same = snapshot::check_file_fingerprint(path, configured.backends[i].fingerprint);
      if (!same.ok()) {
        return same.error().context("memory backend '" + configured.backends[i].id +
                                    "' is not the template's RAM file");
      }
    }
  }

  Error error;
  std::vector<x86::VcpuState> vcpu_states;
  for (size_t i = 0; i < vcpus_.size(); ++i) {
    const auto* section = require_section(stream, vcpu_section(i), kVcpuSectionVersion, error);
    if (section == nullptr) {
      return error;
    }
    auto state = decode_vcpu(section->payload);
    if (!state.ok()) {
      return state.error().context(vcpu_section(i));
    }
    vcpu_states.push_back(std::move(state.value()));
  }
  if (stream.find_section(vcpu_section(vcpus_.size())) != nullptr) {
    return make_error(
        fmt::format("state stream has more vCPUs than the {} configured (-smp)", vcpus_.size()));
  }
  const auto* vm_section = require_section(stream, kVmSection, kVmSectionVersion, error);
  if (vm_section == nullptr) {
    return error;
  }
  MIMEO_ASSIGN_OR_RETURN(auto vm_state, decode_vm(vm_section->payload));
  const auto* serial_section =
      require_section(stream, kSerialSection, kSerialSectionVersion, error);
  if (serial_section == nullptr) {
    return error;
  }
  MIMEO_ASSIGN_OR_RETURN(auto serial_state, decode_serial(serial_section->payload));
  const auto* identity_section =
      require_section(stream, kIdentitySection, kIdentitySectionVersion, error);
  if (identity_section == nullptr) {
    return error;
  }
  MIMEO_ASSIGN_OR_RETURN(auto identity_state, decode_identity(identity_section->payload));

  for (size_t i = 0; i < configured.backends.size(); ++i) {
    if (configured.backends[i].storage == snapshot::RamStorage::kInStream) {
      const auto& backend = memory_.backends()[i];
      const auto* ram = stream.find_ram(backend.id());
      if (ram == nullptr) {
        return make_error("state stream has no RAM for memory backend '" + backend.id() + "'");
      }
      std::span<uint8_t> memory(backend.host(), backend.size());
      if (backend.options().type() == memory::BackendType::kFile) {
        // The stream skips zero pages; a file may hold anything there.
        std::memset(memory.data(), 0, memory.size());
      }
      MIMEO_TRY(snapshot::restore_ram(*ram, memory));
    }
  }
  MIMEO_TRY(restore_vcpus(vcpu_states));
  MIMEO_TRY(serial_->restore(serial_state));
  MIMEO_TRY(identity_->restore(identity_state));
  MIMEO_TRY(x86::restore_vm(vm_, vm_state));
  return {};
}

}  // namespace mimeo::vmm
