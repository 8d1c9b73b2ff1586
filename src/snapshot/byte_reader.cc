#include "snapshot/byte_reader.h"

#include <fmt/format.h>

namespace mimeo::snapshot {

// `start` is the position (relative to data_) where the field began.
Error ByteReader::past_end(std::string_view what, size_t start) const {
  return make_error(fmt::format("{} runs past the end of the stream (offset {}, {} bytes left)",
                                what, base_ + start, data_.size() - start));
}

Result<std::span<const uint8_t>> ByteReader::fixed(size_t size, std::string_view field) {
  if (size > remaining()) {
    return past_end(fmt::format("{} ({} bytes)", field, size), pos_);
  }
  auto out = data_.subspan(pos_, size);
  pos_ += size;
  return out;
}

Result<uint64_t> ByteReader::little_endian(size_t width, std::string_view field) {
  MIMEO_ASSIGN_OR_RETURN(auto bytes, fixed(width, field));
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) {
    v |= uint64_t{bytes[i]} << (8 * i);
  }
  return v;
}

Result<uint8_t> ByteReader::u8(std::string_view field) {
  MIMEO_ASSIGN_OR_RETURN(uint64_t v, little_endian(1, field));
  return static_cast<uint8_t>(v);
}

Result<uint16_t> ByteReader::u16(std::string_view field) {
  MIMEO_ASSIGN_OR_RETURN(uint64_t v, little_endian(2, field));
  return static_cast<uint16_t>(v);
}

Result<uint32_t> ByteReader::u32(std::string_view field) {
  MIMEO_ASSIGN_OR_RETURN(uint64_t v, little_endian(4, field));
  return static_cast<uint32_t>(v);
}

Result<uint64_t> ByteReader::u64(std::string_view field) { return little_endian(8, field); }

Result<std::span<const uint8_t>> ByteReader::bytes(std::string_view field, size_t max_size) {
  size_t start = pos_;
  MIMEO_ASSIGN_OR_RETURN(uint32_t size, u32(fmt::format("{} length", field)));
  if (size > max_size) {
    return make_error(fmt::format("{} length {} exceeds the limit of {} (offset {})", field, size,
                                  max_size, base_ + start));
  }
  if (size > remaining()) {
    return past_end(fmt::format("{} length {}", field, size), start);
  }
  auto out = data_.subspan(pos_, size);
  pos_ += size;
  return out;
}

Result<std::string> ByteReader::string(std::string_view field, size_t max_size) {
  MIMEO_ASSIGN_OR_RETURN(auto raw, bytes(field, max_size));
  return std::string(reinterpret_cast<const char*>(raw.data()), raw.size());
}

Status ByteReader::check_count(std::string_view field, uint64_t n, size_t min_element_size,
                               size_t start) const {
  // Divide rather than multiply so a 64-bit count cannot overflow.
  if (min_element_size != 0 && n > remaining() / min_element_size) {
    return make_error(
        fmt::format("{} {} needs at least {} bytes each but only {} bytes are left (offset {})",
                    field, n, min_element_size, remaining(), base_ + start));
  }
  return {};
}

Result<uint32_t> ByteReader::count(std::string_view field, size_t min_element_size) {
  size_t start = pos_;
  MIMEO_ASSIGN_OR_RETURN(uint32_t n, u32(field));
  MIMEO_TRY(check_count(field, n, min_element_size, start));
  return n;
}

Result<uint64_t> ByteReader::count64(std::string_view field, size_t min_element_size) {
  size_t start = pos_;
  MIMEO_ASSIGN_OR_RETURN(uint64_t n, u64(field));
  MIMEO_TRY(check_count(field, n, min_element_size, start));
  return n;
}

}  // namespace mimeo::snapshot
