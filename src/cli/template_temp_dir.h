// The unpublished directory a `mimeo template create DIR` writes into: DIR.tmp-XXXXXX
// beside DIR, renamed to DIR only when the template is whole. It is removed when the
// create fails or is stopped. A create killed outright (SIGKILL, the OOM killer, a
// power cut) cannot remove it, so the directory is held under an flock(2) for the
// creator's lifetime, which the kernel drops with the process: the next create of
// a template beside it removes every DIR.tmp-XXXXXX that nobody holds.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"

namespace mimeo::cli {

class TemplateTempDir {
 public:
  // Creates and locks TARGET.tmp-XXXXXX. `removed` receives the abandoned
  // directories of earlier creates of any template in TARGET's parent that were removed.
  static Result<TemplateTempDir> create(const std::filesystem::path& target,
                                        std::vector<std::string>& removed);

  TemplateTempDir(TemplateTempDir&& other) noexcept
      : path_(std::exchange(other.path_, {})), lock_(std::move(other.lock_)) {}
  TemplateTempDir& operator=(TemplateTempDir&&) noexcept = delete;
  TemplateTempDir(const TemplateTempDir&) = delete;
  TemplateTempDir& operator=(const TemplateTempDir&) = delete;
  ~TemplateTempDir();

  [[nodiscard]] const std::string& path() const { return path_; }
  // Removes the marker that tells an abandoned directory from somebody else's, just
  // before the directory is made read-only and published.
  [[nodiscard]] Status unmark() const;
  // Published (renamed to the template's name): nothing is removed any more.
  void release() { path_.clear(); }

 private:
  TemplateTempDir(std::string path, UniqueFd lock)
      : path_(std::move(path)), lock_(std::move(lock)) {}

  std::string path_;
  UniqueFd lock_;  // the directory, opened and flock()ed while it is being written
};

// Removes every NAME.tmp-XXXXXX directory in `parent` that no process holds locked,
// and returns their paths.
std::vector<std::string> remove_abandoned_temp_dirs(const std::filesystem::path& parent);

}  // namespace mimeo::cli
