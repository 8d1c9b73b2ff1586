#include "snapshot/file_fingerprint.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <vector>

#include "base/read_file.h"
#include "snapshot/size_text.h"
#include "snapshot/stream_checksum.h"

namespace mimeo::snapshot {
namespace {

struct Range {
  uint64_t offset;
  uint64_t size;
};

// The sampled ranges, a function of the size alone. They may overlap in a small file.
std::vector<Range> sample_ranges(uint64_t size) {
  std::vector<Range> ranges;
  uint64_t edge = std::min(size, kFingerprintEdgeBytes);
  ranges.push_back({0, edge});
  ranges.push_back({size - edge, edge});
  for (uint64_t i = 0; i < kFingerprintPages; ++i) {
    // Page-aligned, at the middle of each of 16 equal slices.
    uint64_t offset = (size / (2 * kFingerprintPages) * (2 * i + 1)) / kPageSize * kPageSize;
    ranges.push_back({offset, std::min(kPageSize, size - offset)});
  }
  return ranges;
}

using ReadRange = std::function<Status(const Range&, std::vector<uint8_t>&)>;

Result<FileFingerprint> fingerprint(uint64_t size, const ReadRange& read) {
  StreamHasher hasher;
  uint8_t size_bytes[8];
  for (int i = 0; i < 8; ++i) {
    size_bytes[i] = static_cast<uint8_t>(size >> (8 * i));
  }
  hasher.update(size_bytes);
  std::vector<uint8_t> buffer;
  for (const auto& range : sample_ranges(size)) {
    buffer.resize(range.size);
    MIMEO_TRY(read(range, buffer));
    hasher.update(buffer);
  }
  return FileFingerprint{size, hasher.digest()};
}

// A sampled range must be there in full: the size was taken when the file was opened.
Status read_range(int fd, const std::string& path, const Range& range, std::vector<uint8_t>& out) {
  MIMEO_ASSIGN_OR_RETURN(size_t done,
                         read_at(fd, range.offset, std::span(out.data(), range.size), path));
  if (done < range.size) {
    return make_error(fmt::format("{} shrank while being read", path));
  }
  return {};
}

}  // namespace

FileFingerprint fingerprint_bytes(std::span<const uint8_t> content) {
  auto result = fingerprint(content.size(), [&](const Range& r, std::vector<uint8_t>& out) {
    std::copy_n(content.begin() + static_cast<ptrdiff_t>(r.offset), r.size, out.begin());
    return Status{};
  });
  return result.value();  // reading memory cannot fail
}

Result<FileFingerprint> compute_file_fingerprint(const std::string& path) {
  MIMEO_ASSIGN_OR_RETURN(auto file, open_regular_file(path));
  return fingerprint(file.size, [&](const Range& r, std::vector<uint8_t>& out) {
    return read_range(file.fd.get(), path, r, out);
  });
}

Status check_file_fingerprint(const std::string& path, const FileFingerprint& saved) {
  MIMEO_ASSIGN_OR_RETURN(auto here, compute_file_fingerprint(path));
  if (here.file_size != saved.file_size) {
    return make_error(fmt::format("{}: the file is {} but was {} when the state stream was saved",
                                  path, describe_size(here.file_size),
                                  describe_size(saved.file_size)));
  }
  if (here.hash != saved.hash) {
    return make_error(
        fmt::format("{}: content differs from when the state stream was saved (sampled fingerprint "
                    "0x{:016x}, saved 0x{:016x})",
                    path, here.hash, saved.hash));
  }
  return {};
}

}  // namespace mimeo::snapshot
