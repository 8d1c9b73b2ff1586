#include "arch/x86/cpuid.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <string>

#include "arch/x86/cpu_features.h"
#include "arch/x86/cpu_topology.h"

namespace mimeo::x86 {

namespace {

constexpr uint32_t bit(int n) { return 1u << n; }

constexpr uint32_t kLeafVendor = 0;
constexpr uint32_t kLeafFeatures = 1;
constexpr uint32_t kLeafMonitor = 5;
constexpr uint32_t kLeafExtendedFeatures = 7;
constexpr uint32_t kLeafPmu = 0xa;
constexpr uint32_t kLeafTopology = 0xb;
constexpr uint32_t kLeafXsave = 0xd;
constexpr uint32_t kLeafSgx = 0x12;
constexpr uint32_t kLeafProcessorTrace = 0x14;
constexpr uint32_t kLeafArchLbr = 0x1c;
constexpr uint32_t kLeafTopologyV2 = 0x1f;
constexpr uint32_t kLeafKvmSignature = 0x40000000;
constexpr uint32_t kLeafKvmFeatures = 0x40000001;
constexpr uint32_t kLeafExtFeatures = 0x80000001;
constexpr uint32_t kLeafSvm = 0x8000000a;
constexpr uint32_t kLeafAmdCacheTopology = 0x8000001d;
constexpr uint32_t kLeafAmdTopology = 0x8000001e;
constexpr uint32_t kLeafAmdPerfMonV2 = 0x80000022;

constexpr uint32_t kHypervisorBit = bit(31);
constexpr uint32_t kTscDeadlineBit = bit(24);
constexpr uint32_t kXsaveBit = bit(26);

// "KVMKVMKVM\0\0\0" in EBX, ECX, EDX.
constexpr uint32_t kKvmSignatureEbx = 0x4b4d564b;
constexpr uint32_t kKvmSignatureEcx = 0x564b4d56;
constexpr uint32_t kKvmSignatureEdx = 0x0000004d;

// Bits mimeo never offers (docs/cpuid.md gives the reason for each).
struct ClearedBits {
  uint32_t function;
  uint32_t index;
  CpuidRegister reg;
  uint32_t mask;
};
constexpr ClearedBits kCleared[] = {
    // DTES64, MONITOR, DS-CPL, VMX, SMX, EST, TM2, xTPR, PDCM.
    {kLeafFeatures, 0, CpuidRegister::kEcx,
     bit(2) | bit(3) | bit(4) | bit(5) | bit(6) | bit(7) | bit(8) | bit(14) | bit(15)},
    // DS, ACPI (thermal MSRs), TM, PBE.
    {kLeafFeatures, 0, CpuidRegister::kEdx, bit(21) | bit(22) | bit(29) | bit(31)},
    // SGX, Intel PT.
    {kLeafExtendedFeatures, 0, CpuidRegister::kEbx, bit(2) | bit(25)},
    // SGX launch control.
    {kLeafExtendedFeatures, 0, CpuidRegister::kEcx, bit(30)},
    // Architectural LBRs.
    {kLeafExtendedFeatures, 0, CpuidRegister::kEdx, bit(19)},
    // SVM, TOPOEXT, PERFCTR_CORE, PERFCTR_NB, PERFCTR_LLC.
    {kLeafExtFeatures, 0, CpuidRegister::kEcx, bit(2) | bit(22) | bit(23) | bit(24) | bit(28)},
    // MSI_EXT_DEST_ID, HC_MAP_GPA_RANGE, MIGRATION_CONTROL.
    {kLeafKvmFeatures, 0, CpuidRegister::kEax, bit(15) | bit(16) | bit(17)},
    // KVM hints (KVM_HINTS_REALTIME promises dedicated host CPUs).
    {kLeafKvmFeatures, 0, CpuidRegister::kEdx, 0xffffffff},
};
// Leaves removed whole, and leaves whose every register is zeroed.
constexpr uint32_t kRemovedLeaves[] = {
    kLeafSgx,         kLeafProcessorTrace, kLeafArchLbr,  kLeafAmdCacheTopology,
    kLeafAmdTopology, kLeafAmdPerfMonV2,   kLeafTopology, kLeafTopologyV2};
constexpr uint32_t kZeroedLeaves[] = {kLeafMonitor, kLeafPmu, kLeafSvm};

uint32_t& reg_of(kvm_cpuid_entry2& entry, CpuidRegister reg) {
  switch (reg) {
    case CpuidRegister::kEax: return entry.eax;
    case CpuidRegister::kEbx: return entry.ebx;
    case CpuidRegister::kEcx: return entry.ecx;
    case CpuidRegister::kEdx: return entry.edx;
  }
  return entry.eax;
}

kvm_cpuid_entry2& ensure_leaf(std::vector<kvm_cpuid_entry2>& entries, uint32_t function) {
  if (kvm_cpuid_entry2* entry = find_cpuid(entries, function)) {
    return *entry;
  }
  kvm_cpuid_entry2 entry{};
  entry.function = function;
  entries.push_back(entry);
  return entries.back();
}

void apply_filter(std::vector<kvm_cpuid_entry2>& entries) {
  std::erase_if(entries, [](const kvm_cpuid_entry2& e) {
    return std::find(std::begin(kRemovedLeaves), std::end(kRemovedLeaves), e.function) !=
           std::end(kRemovedLeaves);
  });
  for (kvm_cpuid_entry2& entry : entries) {
    if (std::find(std::begin(kZeroedLeaves), std::end(kZeroedLeaves), entry.function) !=
        std::end(kZeroedLeaves)) {
      entry.eax = entry.ebx = entry.ecx = entry.edx = 0;
    }
  }
  for (const ClearedBits& cleared : kCleared) {
    if (kvm_cpuid_entry2* entry = find_cpuid(entries, cleared.function, cleared.index)) {
      reg_of(*entry, cleared.reg) &= ~cleared.mask;
    }
  }
}

void add_kvm_leaves(std::vector<kvm_cpuid_entry2>& entries) {
  kvm_cpuid_entry2& signature = ensure_leaf(entries, kLeafKvmSignature);
  signature.eax = kLeafKvmFeatures;
  signature.ebx = kKvmSignatureEbx;
  signature.ecx = kKvmSignatureEcx;
  signature.edx = kKvmSignatureEdx;
  ensure_leaf(entries, kLeafKvmFeatures);
}

bool feature_enabled(std::vector<kvm_cpuid_entry2>& entries, const CpuFeature& feature) {
  kvm_cpuid_entry2* entry = find_cpuid(entries, feature.function, feature.index);
  return entry != nullptr && (reg_of(*entry, feature.reg) & feature.mask) != 0;
}

void set_feature(std::vector<kvm_cpuid_entry2>& entries, const CpuFeature& feature, uint32_t mask,
                 bool on) {
  if (kvm_cpuid_entry2* entry = find_cpuid(entries, feature.function, feature.index)) {
    uint32_t& reg = reg_of(*entry, feature.reg);
    reg = on ? (reg | mask) : (reg & ~mask);
  }
}

// Applies the settings in order, then turns off what depends on a feature that
// is off; asking for both a feature and the absence of what it needs fails.
Status apply_settings(std::vector<kvm_cpuid_entry2>& entries,
                      const std::vector<CpuFeatureSetting>& settings) {
  // What mimeo offers by default is the ceiling for "+feature".
  const std::vector<kvm_cpuid_entry2> offered = entries;
  std::map<std::string, bool> asked;
  for (const CpuFeatureSetting& setting : settings) {
    const CpuFeature* feature = find_cpu_feature(setting.name);
    if (feature == nullptr) {
      return make_error("unknown CPU feature '" + setting.name + "'");
    }
    uint32_t mask = feature->mask;
    if (setting.enabled) {
      const kvm_cpuid_entry2* entry = find_cpuid(offered, feature->function, feature->index);
      auto copy = entry != nullptr ? *entry : kvm_cpuid_entry2{};
      mask &= reg_of(copy, feature->reg);
      if (mask == 0) {
        return make_error("+" + setting.name + ": KVM on this host does not offer " + setting.name);
      }
    }
    set_feature(entries, *feature, mask, setting.enabled);
    asked[setting.name] = setting.enabled;
  }
  for (bool changed = true; changed;) {
    changed = false;
    for (const CpuFeatureDependency& dependency : cpu_feature_dependencies()) {
      const CpuFeature* needed = find_cpu_feature(dependency.feature);
      const CpuFeature* dependent = find_cpu_feature(dependency.dependent);
      if (feature_enabled(entries, *needed) || !feature_enabled(entries, *dependent)) {
        continue;
      }
      const auto it = asked.find(std::string(dependency.dependent));
      if (it != asked.end() && it->second) {
        return make_error(
            fmt::format("+{} needs {}, which is off", dependency.dependent, dependency.feature));
      }
      set_feature(entries, *dependent, dependent->mask, false);
      changed = true;
    }
  }
  return {};
}

}  // namespace

const kvm_cpuid_entry2* find_cpuid(const std::vector<kvm_cpuid_entry2>& entries, uint32_t function,
                                   uint32_t index) {
  for (const kvm_cpuid_entry2& entry : entries) {
    if (entry.function == function &&
        ((entry.flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) == 0 || entry.index == index)) {
      return &entry;
    }
  }
  return nullptr;
}

kvm_cpuid_entry2* find_cpuid(std::vector<kvm_cpuid_entry2>& entries, uint32_t function,
                             uint32_t index) {
  const auto& constant = entries;
  return const_cast<kvm_cpuid_entry2*>(find_cpuid(constant, function, index));
}

Result<std::vector<kvm_cpuid_entry2>> build_cpuid(const std::vector<kvm_cpuid_entry2>& supported,
                                                  const CpuidConfig& config) {
  if (config.vcpu_count == 0 || config.vcpu_count > kMaxVcpus) {
    return make_error(
        fmt::format("vCPU count {} is outside 1 to {}", config.vcpu_count, kMaxVcpus));
  }
  if (find_cpuid(supported, kLeafVendor) == nullptr ||
      find_cpuid(supported, kLeafFeatures) == nullptr) {
    return make_error("KVM_GET_SUPPORTED_CPUID lacks leaves 0 and 1");
  }
  std::vector<kvm_cpuid_entry2> entries = supported;
  apply_filter(entries);
  kvm_cpuid_entry2* leaf1 = find_cpuid(entries, kLeafFeatures);
  leaf1->ecx |= kHypervisorBit;
  if (config.tsc_deadline_timer) {
    leaf1->ecx |= kTscDeadlineBit;
  }
  add_kvm_leaves(entries);
  MIMEO_TRY(apply_settings(entries, config.model.features));
  if ((find_cpuid(entries, kLeafFeatures)->ecx & kXsaveBit) == 0) {
    for (kvm_cpuid_entry2& entry : entries) {
      if (entry.function == kLeafXsave) {
        entry.eax = entry.ebx = entry.ecx = entry.edx = 0;
      }
    }
  }
  apply_cpu_topology(entries, config.vcpu_count);
  return entries;
}

std::vector<kvm_cpuid_entry2> cpuid_for_vcpu(std::vector<kvm_cpuid_entry2> entries,
                                             uint32_t apic_id) {
  for (kvm_cpuid_entry2& entry : entries) {
    if (entry.function == kLeafFeatures) {
      entry.ebx = (entry.ebx & 0x00ffffff) | ((apic_id & 0xff) << 24);
    } else if (entry.function == kLeafTopology || entry.function == kLeafTopologyV2) {
      entry.edx = apic_id;
    }
  }
  return entries;
}

}  // namespace mimeo::x86
