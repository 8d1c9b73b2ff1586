#include "cli/template_temp_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace mimeo::cli {

namespace {

constexpr std::string_view kTempInfix = ".tmp-";
constexpr size_t kTempSuffixLength = 6;  // mkdtemp()'s XXXXXX
// Written first into each temp dir: a directory of the same name pattern without it
// (and not empty) is somebody else's and is never removed.
constexpr const char* kMarker = ".mimeo-template-create";

bool is_temp_dir_name(const std::string& name) {
  const auto at = name.rfind(kTempInfix);
  return at != std::string::npos && at > 0 &&
         name.size() == at + kTempInfix.size() + kTempSuffixLength;
}

UniqueFd open_dir(const std::string& path) {
  return UniqueFd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}

}  // namespace

std::vector<std::string> remove_abandoned_temp_dirs(const std::filesystem::path& parent) {
  std::vector<std::string> removed;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(parent, error)) {
    const std::string name = entry.path().filename().string();
    if (!is_temp_dir_name(name) || entry.is_symlink(error) || !entry.is_directory(error)) {
      continue;
    }
    const auto marker = entry.path() / kMarker;
    if (!std::filesystem::exists(marker, error) &&
        !std::filesystem::is_empty(entry.path(), error)) {
      continue;
    }
    UniqueFd dir = open_dir(entry.path().string());
    // A create that still runs holds its lock; one that was killed holds nothing.
    if (!dir || ::flock(dir.get(), LOCK_EX | LOCK_NB) != 0) {
      continue;
    }
    // Killed after it made its files read-only (just before its publication).
    ::fchmod(dir.get(), 0700);
    std::error_code ignored;
    if (std::filesystem::remove_all(entry.path(), ignored) > 0) {
      removed.push_back(entry.path().string());
    }
  }
  return removed;
}

Result<TemplateTempDir> TemplateTempDir::create(const std::filesystem::path& target,
                                                std::vector<std::string>& removed) {
  removed = remove_abandoned_temp_dirs(target.parent_path());
  // Between mkdtemp() and flock() a create beside it may take the new, empty and
  // unlocked directory for abandoned and remove it: then try again.
  constexpr int kAttempts = 8;
  for (int attempt = 0;; ++attempt) {
    std::string pattern = target.string() + std::string(kTempInfix) + "XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      return errno_error("create a directory beside " + target.string());
    }
    UniqueFd lock = open_dir(pattern);
    struct stat held {};
    struct stat named {};
    if (lock && ::flock(lock.get(), LOCK_EX | LOCK_NB) == 0 && ::fstat(lock.get(), &held) == 0 &&
        ::stat(pattern.c_str(), &named) == 0 && held.st_ino == named.st_ino &&
        held.st_dev == named.st_dev) {
      UniqueFd marker(::openat(lock.get(), kMarker, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444));
      if (!marker) {
        auto failed = errno_error("create " + pattern + "/" + kMarker);
        std::error_code ignored;
        std::filesystem::remove_all(pattern, ignored);
        return failed;
      }
      return TemplateTempDir(std::move(pattern), std::move(lock));
    }
    if (attempt + 1 == kAttempts) {
      return errno_error("lock " + pattern + " (created beside " + target.string() + ")");
    }
  }
}

Status TemplateTempDir::unmark() const {
  if (::unlinkat(lock_.get(), kMarker, 0) != 0) {
    return errno_error("remove " + path_ + "/" + kMarker);
  }
  return {};
}

TemplateTempDir::~TemplateTempDir() {
  if (!path_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
}

}  // namespace mimeo::cli
