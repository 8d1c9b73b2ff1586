// Every kind of damage gives its own error, and no input crashes the decoder.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "snapshot/byte_writer.h"
#include "snapshot/stream_decoder.h"
#include "snapshot/stream_encoder.h"
#include "unit/snapshot/sample_stream.h"

namespace mimeo::snapshot {
namespace {

using testing::make_sample;
using testing::put_empty_prefix;
using testing::reseal;
using testing::seal;

std::string decode_error(std::span<const uint8_t> bytes) {
  auto decoded = decode(bytes);
  return decoded.ok() ? "(decoded fine)" : decoded.error().message;
}

std::vector<uint8_t> sample_bytes() { return encode(make_sample().stream).value(); }

TEST(StreamCorruption, WrongMagic) {
  auto bytes = sample_bytes();
  bytes[0] = 'X';
  EXPECT_EQ(decode_error(bytes),
            "state stream: wrong magic number 58 49 4d 45 4f 56 4d 00: not a mimeo state stream");
}

TEST(StreamCorruption, UnsupportedFormatVersion) {
  auto bytes = sample_bytes();
  bytes[8] = 2;
  EXPECT_EQ(decode_error(bytes),
            "state stream: unsupported format version 2 (this mimeo reads version 1)");
}

TEST(StreamCorruption, ChecksumMismatchIsFoundBeforeTheBodyIsRead) {
  auto bytes = sample_bytes();
  bytes[40] ^= 0x01;  // in the host facts
  EXPECT_EQ(decode_error(bytes).rfind("state stream: checksum mismatch: stored 0x", 0), 0u)
      << decode_error(bytes);
  bytes = sample_bytes();
  bytes.back() ^= 0x80;  // the checksum itself
  EXPECT_NE(decode_error(bytes).find("checksum mismatch"), std::string::npos);
}

TEST(StreamCorruption, AppendedBytes) {
  auto bytes = sample_bytes();
  size_t size = bytes.size();
  bytes.push_back(0);
  EXPECT_EQ(decode_error(bytes),
            fmt::format("state stream: the header says the stream is {} bytes but it is {} bytes "
                        "(truncated or extended)",
                        size, size + 1));
}

TEST(StreamCorruption, EveryPrefixIsAnErrorAndNeverACrash) {
  auto bytes = sample_bytes();
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto decoded = decode(std::span<const uint8_t>(bytes.data(), n));
    ASSERT_FALSE(decoded.ok()) << "prefix of " << n << " bytes decoded";
    EXPECT_EQ(decoded.error().message.rfind("state stream: ", 0), 0u);
  }
  EXPECT_EQ(decode_error(std::span<const uint8_t>(bytes.data(), 3)),
            "state stream: only 3 bytes, too short for a state stream");
  EXPECT_EQ(decode_error(std::span<const uint8_t>(bytes.data(), 10)),
            "state stream: format version (4 bytes) runs past the end of the stream (offset 8, 2 "
            "bytes left)");
}

TEST(StreamCorruption, EveryPrefixWithAValidEnvelopeIsAnError) {
  // Resealed prefixes get past the checksum and exercise every field's bounds check.
  auto bytes = sample_bytes();
  for (size_t n = 20; n < bytes.size() - 8; ++n) {
    auto prefix = seal(std::span<const uint8_t>(bytes).subspan(20, n - 20));
    auto decoded = decode(prefix);
    ASSERT_FALSE(decoded.ok()) << "body of " << n - 20 << " bytes decoded";
  }
}

TEST(StreamCorruption, SectionLengthPastTheEnd) {
  ByteWriter w;
  put_empty_prefix(w);
  w.u32(0);  // no memory backends
  w.u32(1);  // one section
  w.string("vcpu0");
  w.u32(1);
  w.u32(1234567);
  w.raw(std::vector<uint8_t>(200, 0));
  auto error = decode_error(seal(w.data()));
  EXPECT_EQ(error,
            "state stream: section 'vcpu0' length 1234567 runs past the end of the stream "
            "(offset 62, 204 bytes left)");
}

TEST(StreamCorruption, CountsTooLarge) {
  ByteWriter w;
  w.string("v");
  w.string("GenuineIntel");
  w.u32(0);
  w.u32(100000);  // CPUID entries
  EXPECT_EQ(decode_error(seal(w.data())),
            "state stream: CPUID entry count 100000 needs at least 28 bytes each but only 0 bytes "
            "are left (offset 45)");

  ByteWriter s;
  put_empty_prefix(s);
  s.u32(0);
  s.u32(0xffffffff);  // sections
  EXPECT_NE(decode_error(seal(s.data())).find("section count 4294967295 needs at least"),
            std::string::npos);
}

TEST(StreamCorruption, DuplicateSection) {
  ByteWriter w;
  put_empty_prefix(w);
  w.u32(0);
  w.u32(2);
  for (int i = 0; i < 2; ++i) {
    w.string("vcpu0");
    w.u32(1);
    w.u32(0);
  }
  w.u32(0);  // RAM sections
  EXPECT_EQ(decode_error(seal(w.data())),
            "state stream: section 'vcpu0' appears twice (offset 66)");
}

TEST(StreamCorruption, DuplicateBackendAndUnknownStorageKind) {
  ByteWriter w;
  put_empty_prefix(w);
  w.u32(2);
  for (int i = 0; i < 2; ++i) {
    w.string("pc.ram");
    w.u64(0);
    w.u64(4096);
    w.u8(0);
  }
  w.u32(0);
  EXPECT_EQ(decode_error(seal(w.data())), "state stream: memory backend 'pc.ram' appears twice");

  ByteWriter k;
  put_empty_prefix(k);
  k.u32(1);
  k.string("pc.ram");
  k.u64(0);
  k.u64(4096);
  k.u8(7);
  EXPECT_EQ(decode_error(seal(k.data())),
            "state stream: memory backend 'pc.ram' has unknown storage kind 7 (offset 71)");
}

// A body with one in-stream backend of `pages` pages and one RAM section with the run.
std::vector<uint8_t> stream_with_run(uint64_t pages, uint64_t first, uint64_t count,
                                     size_t data_pages) {
  ByteWriter w;
  put_empty_prefix(w);
  w.u32(1);
  w.string("pc.ram");
  w.u64(0);
  w.u64(pages * 4096);
  w.u8(0);
  w.u32(0);  // sections
  w.u32(1);  // RAM sections
  w.string("pc.ram");
  w.u64(1);
  w.u64(first);
  w.u64(count);
  w.raw(std::vector<uint8_t>(data_pages * 4096, 0x5a));
  return seal(w.data());
}

TEST(StreamCorruption, RamRunOutOfBounds) {
  ASSERT_TRUE(decode(stream_with_run(4, 3, 1, 1)).ok());
  EXPECT_EQ(decode_error(stream_with_run(4, 3, 2, 2)),
            "state stream: RAM section 'pc.ram' run 0 of 2 pages at page 3 lies outside the "
            "backend's 4 pages (offset 98)");
  // first + count would wrap around 2^64.
  EXPECT_NE(decode_error(stream_with_run(4, ~0ULL, 2, 0)).find("lies outside"), std::string::npos);
  EXPECT_EQ(decode_error(stream_with_run(4, 0, 2, 1)),
            "state stream: RAM section 'pc.ram' run 0 pages (8192 bytes) runs past the end of the "
            "stream (offset 114, 4096 bytes left)");
}

TEST(StreamCorruption, RamSectionsMustMatchTheLayout) {
  ByteWriter w;
  put_empty_prefix(w);
  w.u32(0);  // no backends
  w.u32(0);  // no sections
  w.u32(1);  // but a RAM section
  w.string("pc.ram");
  w.u64(0);
  EXPECT_EQ(decode_error(seal(w.data())),
            "state stream: 1 RAM sections but the memory layout has 0 backends stored in the "
            "stream (offset 49)");
}

TEST(StreamCorruption, TrailingBytesBeforeTheChecksum) {
  auto bytes = sample_bytes();
  bytes.insert(bytes.end() - 8, {1, 2, 3});
  EXPECT_NE(decode_error(reseal(bytes)).find("3 unexpected bytes after the last RAM section"),
            std::string::npos);
}

TEST(StreamCorruption, NonPrintableNamesAreRefused) {
  ByteWriter w;
  put_empty_prefix(w);
  w.u32(0);
  w.u32(1);
  w.string("vcpu\x1b[2J");
  w.u32(1);
  w.u32(0);
  w.u32(0);
  EXPECT_EQ(decode_error(seal(w.data())),
            "state stream: section 0 name has a non-printable byte 0x1b at position 4 (offset "
            "49)");
}

}  // namespace
}  // namespace mimeo::snapshot
