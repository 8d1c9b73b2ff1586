#include "arch/x86/cpu_features.h"

#include <algorithm>
#include <array>
#include <string>

namespace mimeo::x86 {

namespace {

using enum CpuidRegister;

constexpr uint32_t bit(int n) { return 1u << n; }

constexpr CpuFeature kFeatures[] = {
    // Leaf 1 ECX.
    {"pni", 1, 0, kEcx, bit(0)},
    {"pclmulqdq", 1, 0, kEcx, bit(1)},
    {"ssse3", 1, 0, kEcx, bit(9)},
    {"fma", 1, 0, kEcx, bit(12)},
    {"cx16", 1, 0, kEcx, bit(13)},
    {"pcid", 1, 0, kEcx, bit(17)},
    {"sse4.1", 1, 0, kEcx, bit(19)},
    {"sse4.2", 1, 0, kEcx, bit(20)},
    {"x2apic", 1, 0, kEcx, bit(21)},
    {"movbe", 1, 0, kEcx, bit(22)},
    {"popcnt", 1, 0, kEcx, bit(23)},
    {"tsc-deadline", 1, 0, kEcx, bit(24)},
    {"aes", 1, 0, kEcx, bit(25)},
    {"xsave", 1, 0, kEcx, bit(26)},
    {"avx", 1, 0, kEcx, bit(28)},
    {"f16c", 1, 0, kEcx, bit(29)},
    {"rdrand", 1, 0, kEcx, bit(30)},
    {"hypervisor", 1, 0, kEcx, bit(31)},
    // Leaf 7.0 EBX.
    {"fsgsbase", 7, 0, kEbx, bit(0)},
    {"bmi1", 7, 0, kEbx, bit(3)},
    {"hle", 7, 0, kEbx, bit(4)},
    {"avx2", 7, 0, kEbx, bit(5)},
    {"smep", 7, 0, kEbx, bit(7)},
    {"bmi2", 7, 0, kEbx, bit(8)},
    {"erms", 7, 0, kEbx, bit(9)},
    {"invpcid", 7, 0, kEbx, bit(10)},
    {"rtm", 7, 0, kEbx, bit(11)},
    {"avx512f", 7, 0, kEbx, bit(16)},
    {"avx512dq", 7, 0, kEbx, bit(17)},
    {"rdseed", 7, 0, kEbx, bit(18)},
    {"adx", 7, 0, kEbx, bit(19)},
    {"smap", 7, 0, kEbx, bit(20)},
    {"clflushopt", 7, 0, kEbx, bit(23)},
    {"clwb", 7, 0, kEbx, bit(24)},
    {"sha-ni", 7, 0, kEbx, bit(29)},
    {"avx512bw", 7, 0, kEbx, bit(30)},
    {"avx512vl", 7, 0, kEbx, bit(31)},
    // Leaf 7.0 ECX.
    {"umip", 7, 0, kEcx, bit(2)},
    {"pku", 7, 0, kEcx, bit(3)},
    {"waitpkg", 7, 0, kEcx, bit(5)},
    {"gfni", 7, 0, kEcx, bit(8)},
    {"vaes", 7, 0, kEcx, bit(9)},
    {"vpclmulqdq", 7, 0, kEcx, bit(10)},
    {"la57", 7, 0, kEcx, bit(16)},
    {"rdpid", 7, 0, kEcx, bit(22)},
    // Leaf 7.0 EDX.
    {"md-clear", 7, 0, kEdx, bit(10)},
    {"spec-ctrl", 7, 0, kEdx, bit(26)},
    {"arch-capabilities", 7, 0, kEdx, bit(29)},
    {"ssbd", 7, 0, kEdx, bit(31)},
    // Leaf 0xd.1 EAX.
    {"xsaveopt", 0xd, 1, kEax, bit(0)},
    {"xsavec", 0xd, 1, kEax, bit(1)},
    {"xgetbv1", 0xd, 1, kEax, bit(2)},
    {"xsaves", 0xd, 1, kEax, bit(3)},
    // Leaf 0x80000001 ECX and EDX.
    {"lahf-lm", 0x80000001, 0, kEcx, bit(0)},
    {"abm", 0x80000001, 0, kEcx, bit(5)},
    {"sse4a", 0x80000001, 0, kEcx, bit(6)},
    {"nx", 0x80000001, 0, kEdx, bit(20)},
    {"pdpe1gb", 0x80000001, 0, kEdx, bit(26)},
    {"rdtscp", 0x80000001, 0, kEdx, bit(27)},
    // Leaf 0x80000007 EDX.
    {"invtsc", 0x80000007, 0, kEdx, bit(8)},
    // KVM paravirtual features, leaf 0x40000001 EAX.
    {"kvmclock", 0x40000001, 0, kEax, bit(0) | bit(3)},
    {"kvm-nopiodelay", 0x40000001, 0, kEax, bit(1)},
    {"kvm-asyncpf", 0x40000001, 0, kEax, bit(4)},
    {"kvm-steal-time", 0x40000001, 0, kEax, bit(5)},
    {"kvm-pv-eoi", 0x40000001, 0, kEax, bit(6)},
    {"kvm-pv-unhalt", 0x40000001, 0, kEax, bit(7)},
    {"kvm-pv-tlb-flush", 0x40000001, 0, kEax, bit(9)},
    {"kvm-asyncpf-vmexit", 0x40000001, 0, kEax, bit(10)},
    {"kvm-pv-ipi", 0x40000001, 0, kEax, bit(11)},
    {"kvm-poll-control", 0x40000001, 0, kEax, bit(12)},
    {"kvm-pv-sched-yield", 0x40000001, 0, kEax, bit(13)},
    {"kvm-asyncpf-int", 0x40000001, 0, kEax, bit(14)},
    {"kvmclock-stable-bit", 0x40000001, 0, kEax, bit(24)},
};

// QEMU's other spellings, after '_' became '-'.
constexpr std::pair<std::string_view, std::string_view> kAliases[] = {
    {"sse3", "pni"},
    {"sse4-1", "sse4.1"},
    {"sse4-2", "sse4.2"},
    {"xd", "nx"},
};

constexpr RefusedCpuFeature kRefused[] = {
    {"vmx", "nested virtualization is not supported (mimeo does not save nested state)"},
    {"svm", "nested virtualization is not supported (mimeo does not save nested state)"},
    {"monitor", "MONITOR/MWAIT is not offered: KVM would run MWAIT as a NOP"},
    {"pmu", "there is no virtual PMU (performance counters are neither set up nor saved)"},
    {"pdcm", "there is no virtual PMU (IA32_PERF_CAPABILITIES)"},
    {"perfctr-core", "there is no virtual PMU (AMD core performance counters)"},
    {"arch-lbr", "there is no virtual PMU (architectural LBRs)"},
    {"sgx", "SGX needs EPC memory, which mimeo does not provide"},
    {"intel-pt", "Intel Processor Trace state is not saved"},
    {"topoext", "mimeo describes topology with leaf 0xb, not AMD leaves 0x8000001d/e"},
    {"kvm-msi-ext-dest-id", "the in-kernel IOAPIC does not use extended destination IDs"},
};

constexpr CpuFeatureDependency kDependencies[] = {
    {"xsave", "xsaveopt"},   {"xsave", "xsavec"},     {"xsave", "xgetbv1"},
    {"xsave", "xsaves"},     {"xsave", "avx"},        {"avx", "avx2"},
    {"avx", "fma"},          {"avx", "f16c"},         {"avx", "vaes"},
    {"avx", "vpclmulqdq"},   {"avx", "avx512f"},      {"avx512f", "avx512dq"},
    {"avx512f", "avx512bw"}, {"avx512f", "avx512vl"}, {"kvmclock", "kvmclock-stable-bit"},
};

std::string canonical(std::string_view name) {
  std::string result(name);
  std::replace(result.begin(), result.end(), '_', '-');
  for (const auto& [alias, target] : kAliases) {
    if (result == alias) {
      return std::string(target);
    }
  }
  return result;
}

}  // namespace

std::span<const CpuFeature> named_cpu_features() { return kFeatures; }
std::span<const RefusedCpuFeature> refused_cpu_features() { return kRefused; }
std::span<const CpuFeatureDependency> cpu_feature_dependencies() { return kDependencies; }

const CpuFeature* find_cpu_feature(std::string_view name) {
  const std::string key = canonical(name);
  for (const CpuFeature& feature : kFeatures) {
    if (feature.name == key) {
      return &feature;
    }
  }
  return nullptr;
}

const RefusedCpuFeature* find_refused_cpu_feature(std::string_view name) {
  const std::string key = canonical(name);
  for (const RefusedCpuFeature& feature : kRefused) {
    if (feature.name == key) {
      return &feature;
    }
  }
  return nullptr;
}

}  // namespace mimeo::x86
