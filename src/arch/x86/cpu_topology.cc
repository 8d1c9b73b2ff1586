#include "arch/x86/cpu_topology.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <string_view>

#include "arch/x86/cpuid.h"

namespace mimeo::x86 {

namespace {

constexpr uint32_t kLeafVendor = 0;
constexpr uint32_t kLeafFeatures = 1;
constexpr uint32_t kLeafCacheParams = 4;
constexpr uint32_t kLeafTopology = 0xb;
constexpr uint32_t kLeafTopologyV2 = 0x1f;
constexpr uint32_t kLeafAmdSizes = 0x80000008;
constexpr uint32_t kHttBit = 1u << 28;

bool is_amd_like(const std::vector<kvm_cpuid_entry2>& entries) {
  const kvm_cpuid_entry2* vendor = find_cpuid(entries, kLeafVendor);
  if (vendor == nullptr) {
    return false;
  }
  char name[13] = {};
  std::memcpy(name, &vendor->ebx, 4);
  std::memcpy(name + 4, &vendor->edx, 4);
  std::memcpy(name + 8, &vendor->ecx, 4);
  return std::string_view(name) == "AuthenticAMD" || std::string_view(name) == "HygonGenuine";
}

uint32_t core_id_bits(uint32_t vcpu_count) {
  return static_cast<uint32_t>(std::bit_width(vcpu_count - 1));
}

kvm_cpuid_entry2 topology_entry(uint32_t function, uint32_t level, uint32_t vcpu_count) {
  // Level 0: SMT (one thread per core); level 1: core (vcpu_count cores); then
  // an invalid level that ends the list. EDX (the x2APIC ID) is per vCPU.
  kvm_cpuid_entry2 entry{};
  entry.function = function;
  entry.index = level;
  entry.flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
  entry.ecx = level;
  if (level == 0) {
    entry.eax = 0;
    entry.ebx = 1;
    entry.ecx |= 1u << 8;
  } else if (level == 1) {
    entry.eax = core_id_bits(vcpu_count);
    entry.ebx = vcpu_count;
    entry.ecx |= 2u << 8;
  }
  return entry;
}

}  // namespace

void apply_cpu_topology(std::vector<kvm_cpuid_entry2>& entries, uint32_t vcpu_count) {
  const uint32_t bits = core_id_bits(vcpu_count);
  const uint32_t addressable = std::min<uint32_t>(1u << bits, 255);
  if (kvm_cpuid_entry2* leaf1 = find_cpuid(entries, kLeafFeatures)) {
    leaf1->ebx = (leaf1->ebx & 0x0000ffff) | (addressable << 16);
    leaf1->edx = vcpu_count > 1 ? (leaf1->edx | kHttBit) : (leaf1->edx & ~kHttBit);
  }
  for (kvm_cpuid_entry2& entry : entries) {
    if (entry.function != kLeafCacheParams || (entry.eax & 0x1f) == 0) {
      continue;
    }
    const uint32_t level = (entry.eax >> 5) & 0x7;
    const uint32_t cores = std::min<uint32_t>((1u << bits) - 1, 63);
    const uint32_t sharing = level >= 3 ? std::min<uint32_t>((1u << bits) - 1, 4095) : 0;
    entry.eax = (entry.eax & 0x3fff) | (sharing << 14) | (cores << 26);
  }
  const kvm_cpuid_entry2* vendor = find_cpuid(entries, kLeafVendor);
  const uint32_t max_leaf = vendor != nullptr ? vendor->eax : 0;
  for (uint32_t function : {kLeafTopology, kLeafTopologyV2}) {
    if (max_leaf < function) {
      continue;
    }
    for (uint32_t level = 0; level < 3; ++level) {
      entries.push_back(topology_entry(function, level, vcpu_count));
    }
  }
  if (is_amd_like(entries)) {
    if (kvm_cpuid_entry2* sizes = find_cpuid(entries, kLeafAmdSizes)) {
      sizes->ecx = (sizes->ecx & ~0xf0ffu) | (bits << 12) | (vcpu_count - 1);
    }
  }
}

}  // namespace mimeo::x86
