// Reads a state stream from untrusted bytes. In order: the magic number, the format
// version, the stream length against the input's size, then the trailing checksum;
// only when all four hold is the rest interpreted, and every field is bounds-checked
// even so. Errors are one line starting "state stream: " and naming the field and
// its offset.
#pragma once

#include <cstdint>
#include <span>

#include "base/result.h"
#include "snapshot/stream_types.h"

namespace mimeo::snapshot {

// The RAM runs of the result point into `data`, which must outlive it.
Result<DecodedStream> decode(std::span<const uint8_t> data);

}  // namespace mimeo::snapshot
