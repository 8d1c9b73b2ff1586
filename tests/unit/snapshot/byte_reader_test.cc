#include "snapshot/byte_reader.h"

#include <gtest/gtest.h>

#include "snapshot/byte_writer.h"

namespace mimeo::snapshot {
namespace {

TEST(ByteReader, ReadsWhatTheWriterWrote) {
  ByteWriter w;
  w.u8(0x12);
  w.u16(0x3456);
  w.u32(0x789abcde);
  w.u64(0x0123456789abcdefULL);
  w.string("pc.ram");
  w.bytes(std::vector<uint8_t>{9, 8, 7});
  w.raw(std::vector<uint8_t>{1, 2, 3, 4});
  // Little-endian on the wire, whatever the host.
  EXPECT_EQ(w.data()[1], 0x56);
  EXPECT_EQ(w.data()[2], 0x34);

  ByteReader r(w.data());
  EXPECT_EQ(r.u8("a").value(), 0x12);
  EXPECT_EQ(r.u16("b").value(), 0x3456);
  EXPECT_EQ(r.u32("c").value(), 0x789abcdeU);
  EXPECT_EQ(r.u64("d").value(), 0x0123456789abcdefULL);
  EXPECT_EQ(r.string("e", 100).value(), "pc.ram");
  auto bytes = r.bytes("f", 100).value();
  EXPECT_EQ(std::vector<uint8_t>(bytes.begin(), bytes.end()), (std::vector<uint8_t>{9, 8, 7}));
  auto arr = r.array<4>("g").value();
  EXPECT_EQ(arr, (std::array<uint8_t, 4>{1, 2, 3, 4}));
  EXPECT_TRUE(r.at_end());
}

TEST(ByteReader, FixedReadPastTheEndNamesFieldOffsetAndBytesLeft) {
  std::vector<uint8_t> data(6, 0);
  ByteReader r(data, 4090);
  ASSERT_TRUE(r.u32("first").ok());
  auto v = r.u64("TSC frequency");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().message,
            "TSC frequency (8 bytes) runs past the end of the stream (offset 4094, 2 bytes left)");
  EXPECT_EQ(r.offset(), 4094u);  // a failed read consumes nothing
}

TEST(ByteReader, LengthPrefixPastTheEnd) {
  ByteWriter w;
  w.u32(1234567);
  w.raw(std::vector<uint8_t>(196, 0));
  ByteReader r(w.data(), 4096);
  auto v = r.bytes("section 'vcpu0'", 1 << 30);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().message,
            "section 'vcpu0' length 1234567 runs past the end of the stream (offset 4096, 200 "
            "bytes left)");
}

TEST(ByteReader, LengthAboveTheLimit) {
  ByteWriter w;
  w.string(std::string(300, 'x'));
  ByteReader r(w.data());
  auto v = r.string("section name", 256);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().message, "section name length 300 exceeds the limit of 256 (offset 0)");
}

TEST(ByteReader, CountThatCannotFitIsRefusedBeforeAnyAllocation) {
  ByteWriter w;
  w.u32(0xffffffff);
  w.raw(std::vector<uint8_t>(10, 0));
  ByteReader r(w.data());
  auto n = r.count("CPUID entry count", 28);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().message,
            "CPUID entry count 4294967295 needs at least 28 bytes each but only 10 bytes are "
            "left (offset 0)");

  ByteWriter w64;
  w64.u64(~0ULL);
  ByteReader r64(w64.data());
  EXPECT_FALSE(r64.count64("run count", 16).ok());
}

}  // namespace
}  // namespace mimeo::snapshot
