// Streams for the snapshot tests: a realistic one built through the API, and raw
// bodies sealed with a correct header and checksum to reach checks past the envelope.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "snapshot/byte_writer.h"
#include "snapshot/stream_types.h"

namespace mimeo::snapshot::testing {

// A stream and the guest RAM it points into.
struct Sample {
  std::vector<uint8_t> ram;  // backend "pc.ram", in the stream
  StateStream stream;
};

// pc.ram (1 MiB at 0, pages 0, 1, 2 and 200 non-zero), mem1 (a shared file at 4 GiB),
// host facts of an Intel host, sections vm, vcpu0 and serial0.
[[nodiscard]] Sample make_sample();

// magic, version 1, the right length, `body`, the right checksum.
[[nodiscard]] std::vector<uint8_t> seal(std::span<const uint8_t> body);
// Recomputes the length and checksum of an edited stream.
[[nodiscard]] std::vector<uint8_t> reseal(std::span<const uint8_t> stream);

// The body of a stream up to and including the sections: empty host facts and
// layout unless given.
void put_empty_prefix(ByteWriter& w);

}  // namespace mimeo::snapshot::testing
