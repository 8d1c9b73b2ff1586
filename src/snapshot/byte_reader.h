// Reads little-endian primitives from untrusted bytes. It never reads past its input:
// every fixed read, length prefix and element count is checked against what is left,
// and each error names the field being read, where it starts and how many bytes were
// left ("section 'vcpu0' length 1234567 runs past the end of the stream (offset
// 4096, 200 bytes left)"). Callers add "state stream: " (and the path) as context.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"

namespace mimeo::snapshot {

class ByteReader {
 public:
  // `base_offset` is where `data` starts in the whole stream, so offsets in errors
  // are stream offsets even when reading a slice.
  explicit ByteReader(std::span<const uint8_t> data, size_t base_offset = 0)
      : data_(data), base_(base_offset) {}

  Result<uint8_t> u8(std::string_view field);
  Result<uint16_t> u16(std::string_view field);
  Result<uint32_t> u32(std::string_view field);
  Result<uint64_t> u64(std::string_view field);

  // `size` raw bytes (no length prefix); the span points into the input.
  Result<std::span<const uint8_t>> fixed(size_t size, std::string_view field);
  template <size_t N>
  Result<std::array<uint8_t, N>> array(std::string_view field) {
    MIMEO_ASSIGN_OR_RETURN(auto bytes, fixed(N, field));
    std::array<uint8_t, N> out{};
    std::memcpy(out.data(), bytes.data(), N);
    return out;
  }
  // A u32 length, then that many bytes; a length above `max_size` is refused too.
  Result<std::span<const uint8_t>> bytes(std::string_view field, size_t max_size);
  Result<std::string> string(std::string_view field, size_t max_size);
  // A u32 element count, refused when `count * min_element_size` bytes cannot be
  // left, so a corrupt count never makes the caller allocate or loop for long.
  Result<uint32_t> count(std::string_view field, size_t min_element_size);
  // The same with a u64 count (RAM runs, which can outnumber 2^32 in a huge guest).
  Result<uint64_t> count64(std::string_view field, size_t min_element_size);

  // Offset of the next byte in the whole stream.
  [[nodiscard]] size_t offset() const { return base_ + pos_; }
  [[nodiscard]] size_t remaining() const { return data_.size() - pos_; }
  [[nodiscard]] bool at_end() const { return pos_ == data_.size(); }

 private:
  Result<uint64_t> little_endian(size_t width, std::string_view field);
  Error past_end(std::string_view what, size_t start) const;
  Status check_count(std::string_view field, uint64_t n, size_t min_element_size,
                     size_t start) const;

  std::span<const uint8_t> data_;
  size_t base_ = 0;
  size_t pos_ = 0;
};

}  // namespace mimeo::snapshot
