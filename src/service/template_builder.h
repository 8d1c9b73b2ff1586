// Makes a template for the daemon by running `mimeo template create` as a
// child process: a guest that crashes or hangs while it boots cannot take the
// daemon with it, and the command already publishes its directory atomically
// (everything under DIR.tmp-XXXXXX, renamed to DIR at the end), so a failure,
// a full disk or a kill leaves no half-made template at DIR.
#pragma once

#include <string>

#include "service/service_types.h"

namespace mimeo::service {

// `mimeo template create` options for a spec (validated by the caller).
[[nodiscard]] std::vector<std::string> template_create_argv(const std::string& binary,
                                                            const std::string& dir,
                                                            const TemplateSpec& spec);

// Runs the command; the error (kNoSpace for a full disk, else kInvalid: the
// spec did not make a template) carries the command's own message.
[[nodiscard]] ServiceStatus build_template(const std::string& binary, const std::string& dir,
                                           const TemplateSpec& spec);

}  // namespace mimeo::service
