// Appends little-endian primitives to a growing byte buffer: the encoding side of
// ByteReader. Lengths are u32 prefixes; the caller keeps them in range (the stream
// encoder validates every string and payload before writing it).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace mimeo::snapshot {

class ByteWriter {
 public:
  void u8(uint8_t v) { bytes_.push_back(v); }
  void u16(uint16_t v) { little_endian(v, 2); }
  void u32(uint32_t v) { little_endian(v, 4); }
  void u64(uint64_t v) { little_endian(v, 8); }
  // Raw bytes with no length (fixed-size arrays, magic numbers, page data).
  void raw(std::span<const uint8_t> data);
  // A u32 length followed by the bytes.
  void bytes(std::span<const uint8_t> data);
  void string(std::string_view text);

  [[nodiscard]] const std::vector<uint8_t>& data() const { return bytes_; }
  [[nodiscard]] std::vector<uint8_t> take() { return std::move(bytes_); }
  [[nodiscard]] size_t size() const { return bytes_.size(); }

 private:
  void little_endian(uint64_t v, int width);

  std::vector<uint8_t> bytes_;
};

}  // namespace mimeo::snapshot
