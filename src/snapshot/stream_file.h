// State streams in files: written atomically (a temporary name in the same
// directory, fsync, rename, fsync of the directory), so a failed save never leaves a
// truncated stream where the user's previous file was; read by mapping the file.
#pragma once

#include <functional>
#include <string>

#include "base/mapping.h"
#include "base/result.h"
#include "snapshot/stream_types.h"

namespace mimeo::snapshot {

// Creates PATH.tmp.XXXXXX next to `path` (mode 0600), lets `write_contents` fill it,
// then fsyncs it, renames it over `path` and fsyncs the directory. On any failure the
// temporary file is removed and `path` is untouched. Errors name the path.
Status write_file_atomically(const std::string& path,
                             const std::function<Status(int fd)>& write_contents);

Status write_stream_file(const std::string& path, const StateStream& stream);

// A decoded stream and the mapping of the file its RAM runs point into.
class StreamFile {
 public:
  [[nodiscard]] const DecodedStream& stream() const { return stream_; }

 private:
  friend Result<StreamFile> read_stream_file(const std::string& path);
  StreamFile(Mapping mapping, DecodedStream stream)
      : mapping_(std::move(mapping)), stream_(std::move(stream)) {}

  Mapping mapping_;  // moving a Mapping keeps its address, so the runs stay valid
  DecodedStream stream_;
};

// Maps and decodes the file; errors start "state stream PATH: ".
Result<StreamFile> read_stream_file(const std::string& path);

}  // namespace mimeo::snapshot
