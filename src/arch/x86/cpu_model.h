// The -cpu option: QEMU's syntax "host[,+feat|-feat|feat=on|feat=off|feat]...".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace mimeo::x86 {

struct CpuFeatureSetting {
  std::string name;  // canonical, as in named_cpu_features()
  bool enabled = true;
  friend bool operator==(const CpuFeatureSetting&, const CpuFeatureSetting&) = default;
};

struct CpuModel {
  // "host": what KVM offers on this host minus what mimeo filters out
  // (docs/cpuid.md). "max" is accepted as the same thing, as QEMU does under KVM.
  std::string name = "host";
  // In command-line order; a later setting of the same feature wins.
  std::vector<CpuFeatureSetting> features;
};

// Parses the text of -cpu. Other models, unknown features, features mimeo
// refuses and malformed settings fail with one line naming them.
Result<CpuModel> parse_cpu_option(std::string_view text);

}  // namespace mimeo::x86
