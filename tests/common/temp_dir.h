// A fresh directory under /tmp for one test, removed with everything in it at
// the end. Shared by every test binary (tests/ is on their include path).
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace mimeo::testing {

class TempDir {
 public:
  TempDir() {
    char name[] = "/tmp/mimeo-test-XXXXXX";
    if (::mkdtemp(name) != nullptr) {
      path_ = name;
    }
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace mimeo::testing
