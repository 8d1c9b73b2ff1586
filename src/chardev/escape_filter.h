// The console escape of QEMU's multiplexer, on the stdio chardev: Ctrl-a x quits,
// Ctrl-a Ctrl-a sends one Ctrl-a, Ctrl-a h (or ?) prints help; Ctrl-a followed by anything
// else is swallowed with it, as in QEMU.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace mimeo::chardev {

inline constexpr uint8_t kEscapeChar = 0x01;  // Ctrl-a

// The help text for Ctrl-a h, with CRs for a terminal in raw mode.
inline constexpr char kEscapeHelp[] =
    "\r\nC-a h    print this help\r\nC-a x    exit mimeo\r\nC-a C-a  sends C-a\r\n";

class EscapeFilter {
 public:
  struct Output {
    std::vector<uint8_t> data;  // bytes for the guest
    bool quit = false;          // Ctrl-a x seen: `data` holds what came before it
    bool help = false;          // Ctrl-a h seen
  };

  // Processes typed bytes; an escape split across calls is remembered. Stops at Ctrl-a x.
  Output feed(std::span<const uint8_t> typed);

 private:
  bool escaped_ = false;
};

}  // namespace mimeo::chardev
