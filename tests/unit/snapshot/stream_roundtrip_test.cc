#include <gtest/gtest.h>

#include "snapshot/ram_runs.h"
#include "snapshot/stream_decoder.h"
#include "snapshot/stream_encoder.h"
#include "unit/snapshot/sample_stream.h"

namespace mimeo::snapshot {
namespace {

using testing::make_sample;

TEST(StateStream, RoundTripsEverything) {
  auto sample = make_sample();
  auto bytes = encode(sample.stream);
  ASSERT_TRUE(bytes.ok()) << bytes.error().describe();
  auto decoded = decode(*bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();

  EXPECT_EQ(decoded->format_version, 1u);
  EXPECT_EQ(decoded->program_version, "mimeo 0.1.0");
  EXPECT_EQ(decoded->host, sample.stream.host);
  EXPECT_EQ(decoded->layout, sample.stream.layout);
  EXPECT_EQ(decoded->sections, sample.stream.sections);
  ASSERT_NE(decoded->find_section("vcpu0"), nullptr);
  EXPECT_EQ(decoded->find_section("vcpu0")->version, 3u);
  EXPECT_EQ(decoded->find_section("vcpu1"), nullptr);

  const DecodedRam* ram = decoded->find_ram("pc.ram");
  ASSERT_NE(ram, nullptr);
  EXPECT_EQ(decoded->find_ram("mem1"), nullptr);  // a shared file has no RAM section
  ASSERT_EQ(ram->runs.size(), 2u);                // pages 0-2 and 200
  EXPECT_EQ(ram->runs[0].first_page, 0u);
  EXPECT_EQ(ram->runs[0].page_count, 3u);
  EXPECT_EQ(ram->runs[1].first_page, 200u);
  std::vector<uint8_t> restored(ram->size, 0);
  ASSERT_TRUE(restore_ram(*ram, restored).ok());
  EXPECT_EQ(restored, sample.ram);
}

TEST(StateStream, EncodingIsDeterministic) {
  auto sample = make_sample();
  EXPECT_EQ(encode(sample.stream).value(), encode(sample.stream).value());
}

TEST(StateStream, MostlyEmptyGuestMakesASmallStream) {
  std::vector<uint8_t> ram(256 << 20, 0);
  ram[0] = 1;
  ram[(128 << 20) + 5] = 2;
  StateStream stream;
  stream.layout.backends = {{"pc.ram", 0, ram.size(), RamStorage::kInStream, "", {}}};
  stream.ram = {{"pc.ram", ram}};
  auto bytes = encode(stream);
  ASSERT_TRUE(bytes.ok()) << bytes.error().describe();
  EXPECT_LT(bytes->size(), 3 * kPageSize);  // two pages and a few headers
  auto decoded = decode(*bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  std::vector<uint8_t> restored(ram.size(), 0);
  ASSERT_TRUE(restore_ram(decoded->ram[0], restored).ok());
  EXPECT_EQ(restored, ram);
}

TEST(StateStream, EmptyStreamRoundTrips) {
  auto bytes = encode(StateStream{});
  ASSERT_TRUE(bytes.ok());
  auto decoded = decode(*bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  EXPECT_TRUE(decoded->sections.empty());
  EXPECT_TRUE(decoded->layout.backends.empty());
}

TEST(StateStream, EncoderRefusesWhatTheDecoderWouldRefuse) {
  auto check = [](StateStream s, const std::string& message) {
    auto bytes = encode(s);
    ASSERT_FALSE(bytes.ok()) << message;
    EXPECT_EQ(bytes.error().message, message);
  };
  auto s = make_sample();
  s.stream.sections.push_back({"vcpu0", 1, {}});
  check(s.stream, "section 'vcpu0' appears twice");

  s = make_sample();
  s.stream.ram.clear();
  check(s.stream, "no RAM given for memory backend 'pc.ram'");

  s = make_sample();
  s.stream.ram[0].memory = s.stream.ram[0].memory.first(4096);
  check(s.stream, "memory backend 'pc.ram' has size 1048576 but 4096 bytes of RAM were given");

  s = make_sample();
  s.stream.ram.push_back({"mem1", s.ram});
  check(s.stream, "RAM given for 'mem1', which is not a memory backend stored in the stream");

  s = make_sample();
  s.stream.layout.backends[0].size = 1000;
  check(s.stream, "memory backend 'pc.ram' size 0x3e8 is not a multiple of 4 KiB");

  s = make_sample();
  s.stream.sections[0].name = "bad\nname";
  check(s.stream, "section name has a non-printable byte 0x0a at position 3");
}

TEST(RestoreRam, RefusesMemoryOfAnotherSize) {
  DecodedRam ram{"pc.ram", 8192, {}};
  std::vector<uint8_t> memory(4096);
  auto status = restore_ram(ram, memory);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message,
            "memory backend 'pc.ram': the stream has 8 KiB of RAM, the memory to restore into "
            "is 4 KiB");
}

TEST(RestoreRam, RefusesARunOutsideTheMemory) {
  std::vector<uint8_t> page(kPageSize, 1);
  DecodedRam ram{"pc.ram", 2 * kPageSize, {{2, 1, page}}};
  std::vector<uint8_t> memory(2 * kPageSize);
  auto status = restore_ram(ram, memory);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message,
            "memory backend 'pc.ram': RAM run of 1 pages at page 2 lies outside its 2 pages");
}

}  // namespace
}  // namespace mimeo::snapshot
