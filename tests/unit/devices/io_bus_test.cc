#include "devices/io_bus.h"

#include <gtest/gtest.h>

#include <vector>

namespace mimeo::devices {
namespace {

// Remembers the last access; reads return the offset in every byte.
class ProbeDevice : public BusDevice {
 public:
  void read(uint64_t offset, std::span<uint8_t> data) override {
    last_offset = offset;
    for (auto& b : data) b = static_cast<uint8_t>(offset);
  }
  void write(uint64_t offset, std::span<const uint8_t> data) override {
    last_offset = offset;
    written.assign(data.begin(), data.end());
  }
  uint64_t last_offset = ~0ULL;
  std::vector<uint8_t> written;
};

TEST(IoBus, DispatchesToTheOwningDeviceWithTheOffsetInItsRange) {
  IoBus bus("pio");
  auto serial = std::make_shared<ProbeDevice>();
  auto exit = std::make_shared<ProbeDevice>();
  ASSERT_TRUE(bus.insert(0x3f8, 8, serial, "serial0").ok());
  ASSERT_TRUE(bus.insert(0xf4, 4, exit, "isa-debug-exit").ok());

  uint8_t byte = 0;
  EXPECT_TRUE(bus.read(0x3fd, std::span(&byte, 1)));
  EXPECT_EQ(serial->last_offset, 5U);
  EXPECT_EQ(byte, 5);

  const uint8_t value[4] = {1, 2, 3, 4};
  EXPECT_TRUE(bus.write(0xf4, value));
  EXPECT_EQ(exit->last_offset, 0U);
  EXPECT_EQ(exit->written, (std::vector<uint8_t>{1, 2, 3, 4}));
  EXPECT_TRUE(bus.write(0xf7, std::span(value, 1)));
  EXPECT_EQ(exit->last_offset, 3U);
}

TEST(IoBus, UnclaimedAddressesAreReportedToTheCaller) {
  IoBus bus("pio");
  ASSERT_TRUE(bus.insert(0x3f8, 8, std::make_shared<ProbeDevice>(), "serial0").ok());
  uint8_t byte = 0x12;
  EXPECT_FALSE(bus.read(0x3f7, std::span(&byte, 1)));
  EXPECT_FALSE(bus.read(0x400, std::span(&byte, 1)));
  EXPECT_FALSE(bus.write(0x2f8, std::span(&byte, 1)));
  EXPECT_EQ(byte, 0x12);  // untouched: the caller decides what an unclaimed read returns
}

TEST(IoBus, RejectsOverlapsNamingBothDevices) {
  IoBus bus("pio");
  ASSERT_TRUE(bus.insert(0x3f8, 8, std::make_shared<ProbeDevice>(), "serial0").ok());
  // Adjacent ranges on both sides are fine.
  EXPECT_TRUE(bus.insert(0x3f0, 8, std::make_shared<ProbeDevice>(), "below").ok());
  EXPECT_TRUE(bus.insert(0x400, 1, std::make_shared<ProbeDevice>(), "above").ok());

  auto inside = bus.insert(0x3fc, 1, std::make_shared<ProbeDevice>(), "inner");
  ASSERT_FALSE(inside.ok());
  EXPECT_EQ(inside.error().message,
            "pio bus: inner [0x3fc, 0x3fc] overlaps serial0 [0x3f8, 0x3ff]");

  auto across = bus.insert(0x3a0, 0x100, std::make_shared<ProbeDevice>(), "wide");
  ASSERT_FALSE(across.ok());
  EXPECT_NE(across.error().message.find("wide"), std::string::npos);
  EXPECT_NE(across.error().message.find("overlaps"), std::string::npos);

  auto tail = bus.insert(0x3ef, 2, std::make_shared<ProbeDevice>(), "tail");
  ASSERT_FALSE(tail.ok());
  EXPECT_EQ(tail.error().message, "pio bus: tail [0x3ef, 0x3f0] overlaps below [0x3f0, 0x3f7]");
  EXPECT_EQ(bus.ranges().size(), 3U);
}

TEST(IoBus, RejectsEmptyWrappingAndNullRanges) {
  IoBus bus("mmio");
  EXPECT_EQ(bus.insert(0x1000, 0, std::make_shared<ProbeDevice>(), "empty").error().message,
            "mmio bus: empty: empty range at 0x1000");
  EXPECT_FALSE(bus.insert(~0ULL - 1, 4, std::make_shared<ProbeDevice>(), "wrap").ok());
  EXPECT_FALSE(bus.insert(0x1000, 1, nullptr, "null").ok());
  // The very last address can be claimed.
  EXPECT_TRUE(bus.insert(~0ULL, 1, std::make_shared<ProbeDevice>(), "last").ok());
  uint8_t byte = 0;
  EXPECT_TRUE(bus.read(~0ULL, std::span(&byte, 1)));
}

}  // namespace
}  // namespace mimeo::devices
