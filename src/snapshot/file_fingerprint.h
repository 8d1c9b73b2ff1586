// Identifies a shared RAM file's content cheaply (a template's RAM file is GiBs): an
// xxh3-64 over the file's size, its first and last MiB and 16 evenly spaced 4 KiB
// pages. Only content and size go in, not the inode or times, so a copied template
// matches and a template whose RAM changed since the stream was saved (most likely
// in its first MiB: the kernel's low memory) does not.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "snapshot/stream_types.h"

namespace mimeo::snapshot {

// 64 KiB: every clone start reads these, so they are kept small (the template
// files are read-only; the samples catch a replaced or rewritten file).
inline constexpr uint64_t kFingerprintEdgeBytes = 64 << 10;  // first and last 64 KiB
inline constexpr uint64_t kFingerprintPages = 16;            // evenly spaced 4 KiB samples

[[nodiscard]] FileFingerprint fingerprint_bytes(std::span<const uint8_t> content);
// Reads the sampled ranges of the file; errors name the path.
Result<FileFingerprint> compute_file_fingerprint(const std::string& path);
// One error naming the path and what differs (size, or sampled content).
Status check_file_fingerprint(const std::string& path, const FileFingerprint& saved);

}  // namespace mimeo::snapshot
