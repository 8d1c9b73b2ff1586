#include "vmm/line_console.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace mimeo::vmm {
namespace {

using std::chrono::milliseconds;

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(LineConsole, SplitsOutputIntoLinesAndDropsCarriageReturns) {
  LineConsole console;
  console.write(bytes("hel"));
  EXPECT_FALSE(console.next_line(milliseconds(10)).has_value());
  console.write(bytes("lo\r\nworld\n"));
  EXPECT_EQ(console.next_line(milliseconds(10)), "hello");
  EXPECT_EQ(console.next_line(milliseconds(10)), "world");
  EXPECT_EQ(console.transcript(), "hello\r\nworld\n");
  EXPECT_TRUE(console.first_byte_time().has_value());
}

TEST(LineConsole, WaitForLineSkipsOthersAndWakesOnWrite) {
  LineConsole console;
  std::thread writer([&] {
    std::this_thread::sleep_for(milliseconds(20));
    console.write(bytes("noise\nready\n"));
  });
  auto line =
      console.wait_for_line([](const std::string& l) { return l == "ready"; }, milliseconds(5000));
  writer.join();
  EXPECT_EQ(line, "ready");
}

TEST(LineConsole, InputFlowsOnlyAsTheConsumerHasRoom) {
  LineConsole console;
  std::string received;
  size_t room = 3;
  ASSERT_TRUE(console
                  .start_input(
                      [&](std::span<const uint8_t> in) {
                        received.append(in.begin(), in.end());
                        room -= in.size();
                      },
                      [&] { return room; })
                  .ok());
  console.send("abcdef");
  EXPECT_EQ(received, "abc");
  room = 10;
  console.notify_input_room();
  EXPECT_EQ(received, "abcdef");
}

}  // namespace
}  // namespace mimeo::vmm
