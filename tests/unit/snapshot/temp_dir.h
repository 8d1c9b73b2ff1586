// A fresh directory under $TMPDIR (or /tmp), removed with its files at the end.
#pragma once

#include <string>

namespace mimeo::snapshot::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace mimeo::snapshot::testing
