// A template directory as `mimeo template create` publishes it:
//   DIR/template.json  what the template is and how to start a clone of it
//   DIR/state          the state stream (saved with x-ignore-shared)
//   DIR/<id>.ram       one RAM file per memory backend (share=on while the
//                      template ran; clones map it readonly=on,rom=off)
// Every file is made read-only. template.json is read as untrusted input.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace mimeo::cli {

inline constexpr const char* kTemplateMetadata = "template.json";
inline constexpr const char* kTemplateState = "state";
inline constexpr int kTemplateFormat = 1;

struct TemplateRam {
  std::string id;
  uint64_t size = 0;
  std::string file;  // a name inside the template directory
};

struct TemplateInfo {
  std::string mimeo_version;
  std::string created;                   // UTC, ISO 8601
  std::string ready;                     // how readiness was decided
  std::vector<std::string> run_options;  // as the user gave them
  // The options of a clone, with "{template}" for the directory's path
  // (escaped for QEMU's option syntax when substituted).
  std::vector<std::string> clone_options;
  std::vector<TemplateRam> memory;
  uint64_t state_bytes = 0;
};

[[nodiscard]] std::string to_json(const TemplateInfo& info);
// Errors name the file and what is wrong with it.
[[nodiscard]] Result<TemplateInfo> read_template_info(const std::string& dir);
// clone_options with the directory substituted.
[[nodiscard]] std::vector<std::string> clone_options_for(const TemplateInfo& info,
                                                         const std::string& dir);

}  // namespace mimeo::cli
