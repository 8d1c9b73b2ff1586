// What the template tests share: `mimeo template create|inspect` run to
// their end, a template of the test guest, snapshots of a template's files,
// and the test guest's answers taken apart.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "e2e/mimeo_process.h"
#include "e2e/test_files.h"

namespace mimeo::e2e {

// A command run to its end: status, stdout and stderr.
struct CommandResult {
  std::optional<int> status;
  std::string out;
  std::string err;
};
CommandResult run_mimeo(const std::vector<std::string>& args, milliseconds timeout = kExitTimeout);

// The lines of `text` (without their '\n').
std::vector<std::string> lines_of(const std::string& text);

constexpr uint64_t kTemplateRamSize = 64ULL << 20;
inline const std::string kReadyText = "mimeo-guest ready";

// The test guest's run options for a template: 64 MiB, the kernel, the exit device.
std::vector<std::string> guest_template_options(const std::string& kernel = MIMEO_GUEST_ELF);
// `mimeo template create DIR --ready-on-serial "mimeo-guest ready" --quiet
// --timeout 20 -- OPTIONS`, expected to succeed.
void create_template(const std::string& dir,
                     const std::vector<std::string>& options = guest_template_options());

// A template's files: state (size, mode, times, inode) and XXH3 of the content.
struct FileSnapshot {
  FileState state;
  uint64_t hash = 0;
  bool operator==(const FileSnapshot&) const = default;
};
void PrintTo(const FileSnapshot& snapshot, std::ostream* os);
// Every file in `dir` by name, and "." for the directory itself (no hash).
std::map<std::string, FileSnapshot> snapshot_directory(const std::string& dir);

// Copies a template's files into a new directory `to`, writable (to corrupt them).
void copy_template(const std::string& from, const std::string& to);
// Names beside `path` that start with its name + ".tmp-" (unpublished templates).
std::vector<std::string> temp_dirs_beside(const std::string& path);

// The test guest's `identity` answer, taken apart (docs/guest.md).
struct GuestIdentity {
  std::string uuid;
  std::string genid;
  std::string seed;
  std::string gen;
};
std::optional<GuestIdentity> parse_identity(const std::string& answer);

// What `sum` answers after `dirty MB SEED` (docs/guest.md).
std::string dirty_sum(uint64_t mb, uint64_t seed);
// "0x" and 16 hex digits, as `read` answers.
std::string hex64(uint64_t value);

// A copy of the test guest whose PVH entry writes `code` to the exit device
// at once: a guest that stops before it is ready (status (code << 1) | 1).
void write_exiting_kernel(const std::string& path, uint8_t code);

}  // namespace mimeo::e2e
