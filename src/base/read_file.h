#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace mimeo {

// The whole content of a regular file; errors name the path ("open PATH: No
// such file or directory", "PATH is a directory").
[[nodiscard]] Result<std::vector<uint8_t>> read_whole_file(const std::string& path);

}  // namespace mimeo
