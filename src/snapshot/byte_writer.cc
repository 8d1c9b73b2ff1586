#include "snapshot/byte_writer.h"

#include <cstring>

namespace mimeo::snapshot {

void ByteWriter::little_endian(uint64_t v, int width) {
  for (int i = 0; i < width; ++i) {
    bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
}

// resize and memcpy, not vector::insert: GCC 12 at -O3 (Release) reports a
// false -Wstringop-overflow for an insert from a span here.
void ByteWriter::raw(std::span<const uint8_t> data) {
  if (data.empty()) {
    return;
  }
  const size_t at = bytes_.size();
  bytes_.resize(at + data.size());
  std::memcpy(bytes_.data() + at, data.data(), data.size());
}

void ByteWriter::bytes(std::span<const uint8_t> data) {
  u32(static_cast<uint32_t>(data.size()));
  raw(data);
}

void ByteWriter::string(std::string_view text) {
  bytes({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

}  // namespace mimeo::snapshot
