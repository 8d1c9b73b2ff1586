// Writes a StateStream in the format of docs/state-stream.md. RAM is read from the
// RamSource spans (the guest mappings) as it is written, so a large RAM section is
// never held in memory a second time.
#pragma once

#include <cstdint>
#include <vector>

#include "base/result.h"
#include "snapshot/byte_sink.h"
#include "snapshot/stream_types.h"

namespace mimeo::snapshot {

// Validates the contents (stream_rules.h; every kInStream backend has one RamSource
// of its size, no other RamSource exists), then writes the stream to `sink`. Nothing
// is written when validation fails; a sink error is returned as is.
Status write_stream(const StateStream& stream, ByteSink& sink);

// The whole stream in memory.
Result<std::vector<uint8_t>> encode(const StateStream& stream);

}  // namespace mimeo::snapshot
