// Internal to BackendOptions: reads the -object keys into a BackendOptions and applies
// QEMU's rules for bad combinations. Split in two files (reading, rules).
#pragma once

#include <string>

#include "base/keyval.h"
#include "base/result.h"
#include "memory/backend_options.h"

namespace mimeo::memory {

// Which keys were given, where "given as 0" and "not given" differ in QEMU.
struct GivenKeys {
  bool size = false;
  bool hugetlbsize = false;
};

class BackendOptionsParser {
 public:
  // Reads and type-checks every key; unknown keys are refused.
  static Result<BackendOptions> read(const KeyValues& kv, GivenKeys& given);
  // QEMU's rules for values and combinations; fills page_size, host_alignment
  // and host_skew.
  static Status check_rules(BackendOptions& options, const GivenKeys& given);
  // The same options as memory-backend-ram,id=<id>,size=<size>.
  static BackendOptions ram(std::string id, uint64_t size);
};

// "<id>: <message>", the form of every backend error.
[[nodiscard]] Error backend_error(const std::string& id, const std::string& message);

}  // namespace mimeo::memory
