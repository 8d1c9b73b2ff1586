#include "devices/debug_exit.h"

#include <gtest/gtest.h>

#include <optional>

#include "devices/io_bus.h"

namespace mimeo::devices {
namespace {

struct ExitRecorder {
  std::optional<int> status;
  std::function<void(int)> callback() {
    return [this](int s) { status = s; };
  }
};

TEST(DebugExit, WriteOfValueGivesQemusExitStatus) {
  ExitRecorder exits;
  IoBus pio("pio");
  auto dev = std::make_shared<DebugExit>(DebugExitConfig{0xf4, 4}, exits.callback());
  ASSERT_TRUE(pio.insert(0xf4, 4, dev, "isa-debug-exit").ok());

  const uint8_t success[4] = {0x10, 0, 0, 0};  // outl $0x10, $0xf4
  EXPECT_TRUE(pio.write(0xf4, success));
  EXPECT_EQ(exits.status, 0x21);

  const uint8_t zero = 0;  // outb $0, $0xf4: QEMU exits with 1
  EXPECT_TRUE(pio.write(0xf4, std::span(&zero, 1)));
  EXPECT_EQ(exits.status, 1);

  const uint8_t word[2] = {0x34, 0x12};  // outw to the second port of the range
  EXPECT_TRUE(pio.write(0xf6, word));
  EXPECT_EQ(exits.status, (0x1234 << 1) | 1);
}

TEST(DebugExit, OnlyBytesInsideTheRangeFormTheValue) {
  ExitRecorder exits;
  DebugExit dev(DebugExitConfig{0xf4, 1}, exits.callback());
  const uint8_t value[4] = {0x78, 0x56, 0x34, 0x12};  // outl to a one-port device
  dev.write(0, value);
  EXPECT_EQ(exits.status, (0x78 << 1) | 1);

  ExitRecorder wide;
  DebugExit dev4(DebugExitConfig{0xf4, 4}, wide.callback());
  dev4.write(0, value);
  EXPECT_EQ(static_cast<uint32_t>(*wide.status), (0x12345678U << 1) | 1);
  EXPECT_EQ(*wide.status & 0xff, 0xf1);  // what a process exit status keeps
}

TEST(DebugExit, ReadsReturnZeroAndDoNotExit) {
  ExitRecorder exits;
  DebugExit dev(DebugExitConfig{}, exits.callback());
  uint8_t data[4] = {0xaa, 0xaa, 0xaa, 0xaa};
  dev.read(0, data);
  EXPECT_EQ(data[0] | data[1] | data[2] | data[3], 0);
  EXPECT_FALSE(exits.status.has_value());
}

Result<DebugExitConfig> parse(std::string_view text) {
  auto kv = KeyValues::parse(text, "-device", "driver");
  if (!kv.ok()) {
    return kv.error();
  }
  return parse_debug_exit_device(*kv);
}

TEST(ParseDebugExitDevice, AcceptsQemuSpellingAndDefaults) {
  auto config = parse("isa-debug-exit,iobase=0xf4,iosize=0x04");
  ASSERT_TRUE(config.ok()) << config.error().describe();
  EXPECT_EQ(*config, (DebugExitConfig{0xf4, 4}));
  auto defaults = parse("isa-debug-exit");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(*defaults, (DebugExitConfig{0x501, 2}));
  EXPECT_TRUE(parse("isa-debug-exit,id=exit0,iobase=244,iosize=1").ok());
  EXPECT_TRUE(parse("isa-debug-exit,iobase=0xfffc,iosize=4").ok());
}

TEST(ParseDebugExitDevice, RejectsBadOptionsNamingThem) {
  EXPECT_EQ(parse("isa-debug-exit,iobase=0xf4,colour=red").error().message,
            "-device: unknown parameter 'colour'");
  EXPECT_EQ(parse("isa-debug-exit,iobase=0x10000").error().message,
            "-device: isa-debug-exit: iobase='0x10000' is not an I/O port (the limit is 0xffff)");
  EXPECT_EQ(parse("isa-debug-exit,iosize=3").error().message,
            "-device: isa-debug-exit: iosize='3' must be 1, 2 or 4");
  EXPECT_EQ(parse("isa-debug-exit,iobase=port").error().message,
            "-device: iobase='port' is not a number");
  EXPECT_EQ(parse("isa-debug-exit,iobase=0xfffe,iosize=4").error().message,
            "-device: isa-debug-exit: iobase=0xfffe with iosize=4 runs past port 0xffff");
  EXPECT_EQ(parse("pci-testdev").error().message,
            "-device: driver 'pci-testdev' is not isa-debug-exit");
}

}  // namespace
}  // namespace mimeo::devices
