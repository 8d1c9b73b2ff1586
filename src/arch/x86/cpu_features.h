// The CPUID feature flags that -cpu can name (QEMU's spellings), and those it
// refuses because mimeo does not support them. docs/cpuid.md lists both.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace mimeo::x86 {

enum class CpuidRegister { kEax, kEbx, kEcx, kEdx };

struct CpuFeature {
  std::string_view name;
  uint32_t function;
  uint32_t index;  // subleaf
  CpuidRegister reg;
  uint32_t mask;  // one bit, or several for one feature (kvmclock)
};

struct RefusedCpuFeature {
  std::string_view name;
  std::string_view reason;
};

// Disabling a feature disables these too (their instructions need it).
struct CpuFeatureDependency {
  std::string_view feature;
  std::string_view dependent;
};

[[nodiscard]] std::span<const CpuFeature> named_cpu_features();
[[nodiscard]] std::span<const RefusedCpuFeature> refused_cpu_features();
[[nodiscard]] std::span<const CpuFeatureDependency> cpu_feature_dependencies();

// By name, also accepting '_' for '-' and QEMU's aliases (sse3 for pni, ...).
[[nodiscard]] const CpuFeature* find_cpu_feature(std::string_view name);
[[nodiscard]] const RefusedCpuFeature* find_refused_cpu_feature(std::string_view name);

}  // namespace mimeo::x86
