// Each vCPU's CPUID, derived from KVM_GET_SUPPORTED_CPUID (docs/cpuid.md).
#pragma once

#include <linux/kvm.h>

#include <cstdint>
#include <vector>

#include "arch/x86/cpu_model.h"
#include "base/result.h"

namespace mimeo::x86 {

// xAPIC IDs (leaf 1 EBX[31:24]) are 8 bits.
inline constexpr uint32_t kMaxVcpus = 255;

struct CpuidConfig {
  CpuModel model;           // from parse_cpu_option(); "host" by default
  uint32_t vcpu_count = 1;  // -smp N: one socket of N cores with one thread each
  // KVM_CHECK_EXTENSION(KVM_CAP_TSC_DEADLINE_TIMER) > 0; the in-kernel LAPIC
  // emulates the TSC-deadline timer, which KVM need not list as supported.
  bool tsc_deadline_timer = false;
};

// The CPUID common to all vCPUs: KVM's supported CPUID, minus what mimeo does
// not support, with the hypervisor bit, the KVM leaves, the topology of
// vcpu_count cores and the model's feature settings. Fails when a setting
// asks for a feature this KVM does not offer, or a feature needs one that is
// off, or vcpu_count is 0 or above kMaxVcpus. Messages name the setting
// ("+avx: KVM on this host does not offer avx"); the caller prefixes "-cpu: ".
Result<std::vector<kvm_cpuid_entry2>> build_cpuid(const std::vector<kvm_cpuid_entry2>& supported,
                                                  const CpuidConfig& config);

// The CPUID of the vCPU with `apic_id` (see apic_id_of_vcpu): the initial
// APIC ID in leaf 1 and the x2APIC ID in leaves 0xb and 0x1f.
[[nodiscard]] std::vector<kvm_cpuid_entry2> cpuid_for_vcpu(std::vector<kvm_cpuid_entry2> entries,
                                                           uint32_t apic_id);

// With one thread per core, vCPU i has APIC ID i.
[[nodiscard]] constexpr uint32_t apic_id_of_vcpu(uint32_t index) { return index; }

// The entry for (function, index), or nullptr.
[[nodiscard]] const kvm_cpuid_entry2* find_cpuid(const std::vector<kvm_cpuid_entry2>& entries,
                                                 uint32_t function, uint32_t index = 0);
[[nodiscard]] kvm_cpuid_entry2* find_cpuid(std::vector<kvm_cpuid_entry2>& entries,
                                           uint32_t function, uint32_t index = 0);

}  // namespace mimeo::x86
