#include "devices/i8042.h"

#include <gtest/gtest.h>

namespace mimeo::devices {
namespace {

TEST(I8042, ResetCommandPullsTheResetLine) {
  int resets = 0;
  IoBus pio("pio");
  ASSERT_TRUE(I8042::attach(pio, std::make_shared<I8042>([&] { ++resets; })).ok());

  // Linux's kb_wait(): the input buffer is empty, so it may send the command.
  uint8_t status = 0xff;
  ASSERT_TRUE(pio.read(0x64, std::span(&status, 1)));
  EXPECT_EQ(status & 0x02, 0);

  const uint8_t other = 0x20;  // read command byte: not modelled, no reset
  EXPECT_TRUE(pio.write(0x64, std::span(&other, 1)));
  EXPECT_EQ(resets, 0);
  const uint8_t to_data_port = 0xfe;  // 0xfe on the data port is a keyboard byte, not a reset
  EXPECT_TRUE(pio.write(0x60, std::span(&to_data_port, 1)));
  EXPECT_EQ(resets, 0);

  const uint8_t reset = I8042::kCmdPulseReset;
  EXPECT_TRUE(pio.write(0x64, std::span(&reset, 1)));
  EXPECT_EQ(resets, 1);
}

TEST(I8042, DataReadsZeroAndNeighbouringPortsStayFree) {
  IoBus pio("pio");
  ASSERT_TRUE(I8042::attach(pio, std::make_shared<I8042>(nullptr)).ok());
  uint8_t data = 0xff;
  ASSERT_TRUE(pio.read(0x60, std::span(&data, 1)));
  EXPECT_EQ(data, 0);
  for (uint64_t port = 0x61; port < 0x64; ++port) {
    EXPECT_FALSE(pio.read(port, std::span(&data, 1))) << port;
  }
  // A reset with no callback installed is ignored.
  const uint8_t reset = 0xfe;
  EXPECT_TRUE(pio.write(0x64, std::span(&reset, 1)));
}

}  // namespace
}  // namespace mimeo::devices
