#include "arch/x86/cpu_model.h"

#include "arch/x86/cpu_features.h"
#include "base/keyval.h"

namespace mimeo::x86 {

namespace {

// Splits on ','; QEMU has no escaping in -cpu.
std::vector<std::string_view> split(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    parts.push_back(text.substr(start, comma - start));
    if (comma == std::string_view::npos) {
      return parts;
    }
    start = comma + 1;
  }
}

Result<CpuFeatureSetting> parse_setting(std::string_view part) {
  std::string_view name = part;
  bool enabled = true;
  if (!part.empty() && (part[0] == '+' || part[0] == '-')) {
    enabled = part[0] == '+';
    name = part.substr(1);
  } else if (const size_t eq = part.find('='); eq != std::string_view::npos) {
    name = part.substr(0, eq);
    const std::string_view value = part.substr(eq + 1);
    const auto parsed = parse_bool(value);
    if (!parsed) {
      return make_error("-cpu: '" + std::string(part) + "': '" + std::string(value) +
                        "' is not on or off");
    }
    enabled = *parsed;
  }
  if (name.empty()) {
    return make_error("-cpu: empty feature name in '" + std::string(part) + "'");
  }
  if (const RefusedCpuFeature* refused = find_refused_cpu_feature(name)) {
    if (enabled) {
      return make_error("-cpu: feature '" + std::string(name) +
                        "' is not supported by mimeo: " + std::string(refused->reason));
    }
    // Turning off what mimeo never offers is allowed and changes nothing.
    return CpuFeatureSetting{std::string(refused->name), false};
  }
  const CpuFeature* feature = find_cpu_feature(name);
  if (feature == nullptr) {
    return make_error("-cpu: unknown CPU feature '" + std::string(name) +
                      "' (docs/cpuid.md lists the known ones)");
  }
  return CpuFeatureSetting{std::string(feature->name), enabled};
}

}  // namespace

Result<CpuModel> parse_cpu_option(std::string_view text) {
  const std::vector<std::string_view> parts = split(text);
  CpuModel model;
  if (parts[0].empty()) {
    return make_error("-cpu: missing CPU model (mimeo offers 'host')");
  }
  if (parts[0] != "host" && parts[0] != "max") {
    return make_error("-cpu " + std::string(parts[0]) +
                      ": unsupported CPU model; mimeo offers only 'host' (or its alias 'max')");
  }
  model.name = std::string(parts[0]);
  for (size_t i = 1; i < parts.size(); ++i) {
    MIMEO_ASSIGN_OR_RETURN(CpuFeatureSetting setting, parse_setting(parts[i]));
    if (find_refused_cpu_feature(setting.name) != nullptr) {
      continue;
    }
    model.features.push_back(std::move(setting));
  }
  return model;
}

}  // namespace mimeo::x86
