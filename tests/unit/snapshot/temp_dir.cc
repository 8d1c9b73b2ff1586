#include "unit/snapshot/temp_dir.h"

#include <stdlib.h>

#include <filesystem>
#include <vector>

namespace mimeo::snapshot::testing {

TempDir::TempDir() {
  const char* tmp = getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/mimeo-snapshot-XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  if (mkdtemp(name.data()) != nullptr) {
    path_ = name.data();
  }
}

TempDir::~TempDir() {
  std::error_code ignored;
  if (!path_.empty()) {
    std::filesystem::remove_all(path_, ignored);
  }
}

}  // namespace mimeo::snapshot::testing
