#include "chardev/escape_filter.h"

namespace mimeo::chardev {

EscapeFilter::Output EscapeFilter::feed(std::span<const uint8_t> typed) {
  Output out;
  out.data.reserve(typed.size());
  for (uint8_t byte : typed) {
    if (!escaped_) {
      if (byte == kEscapeChar) {
        escaped_ = true;
      } else {
        out.data.push_back(byte);
      }
      continue;
    }
    escaped_ = false;
    switch (byte) {
      case kEscapeChar: out.data.push_back(kEscapeChar); break;
      case 'x': out.quit = true; return out;
      case 'h':
      case '?': out.help = true; break;
      default: break;
    }
  }
  return out;
}

}  // namespace mimeo::chardev
