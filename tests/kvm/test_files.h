// Files for the KVM tests: TempDir (tests/common/temp_dir.h) and a file's
// whole content.
#pragma once

#include <fstream>
#include <iterator>
#include <string>

#include "common/temp_dir.h"

namespace mimeo::testing {

inline std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace mimeo::testing
