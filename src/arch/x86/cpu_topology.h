// The CPUID leaves that describe the vCPU topology (docs/cpuid.md): one socket
// of N cores with one thread each, APIC ID = vCPU index.
#pragma once

#include <linux/kvm.h>

#include <cstdint>
#include <vector>

namespace mimeo::x86 {

// Leaf 1 EBX[23:16] and HTT, leaf 4 EAX[31:14], new leaves 0xb and 0x1f (when
// the max basic leaf reaches them; EDX, the x2APIC ID, left 0 for
// cpuid_for_vcpu()), and on AMD/Hygon leaf 0x80000008 ECX. Any KVM-provided
// 0xb/0x1f entries must have been removed first.
void apply_cpu_topology(std::vector<kvm_cpuid_entry2>& entries, uint32_t vcpu_count);

}  // namespace mimeo::x86
