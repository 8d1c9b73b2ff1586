#include "devices/debug_exit.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>

namespace mimeo::devices {

Result<DebugExitConfig> parse_debug_exit_device(const KeyValues& options) {
  const std::string& opt = options.option();
  auto driver = options.get("driver");
  if (driver && *driver != "isa-debug-exit") {
    return make_error(opt + ": driver '" + *driver + "' is not isa-debug-exit");
  }
  MIMEO_TRY(options.check_allowed({"driver", "id", "iobase", "iosize"}));
  DebugExitConfig config;
  MIMEO_ASSIGN_OR_RETURN(auto iobase, options.get_uint("iobase"));
  MIMEO_ASSIGN_OR_RETURN(auto iosize, options.get_uint("iosize"));
  if (iobase) {
    if (*iobase > 0xffff) {
      return make_error(opt + ": isa-debug-exit: iobase='" + *options.get("iobase") +
                        "' is not an I/O port (the limit is 0xffff)");
    }
    config.iobase = static_cast<uint16_t>(*iobase);
  }
  if (iosize) {
    if (*iosize != 1 && *iosize != 2 && *iosize != 4) {
      return make_error(opt + ": isa-debug-exit: iosize='" + *options.get("iosize") +
                        "' must be 1, 2 or 4");
    }
    config.iosize = static_cast<uint8_t>(*iosize);
  }
  if (uint32_t{config.iobase} + config.iosize > 0x10000) {
    return make_error(
        fmt::format("{}: isa-debug-exit: iobase={:#x} with iosize={} runs past port "
                    "0xffff",
                    opt, config.iobase, config.iosize));
  }
  return config;
}

DebugExit::DebugExit(DebugExitConfig config, std::function<void(int status)> request_exit)
    : config_(config), request_exit_(std::move(request_exit)) {}

void DebugExit::read(uint64_t /*offset*/, std::span<uint8_t> data) {
  std::fill(data.begin(), data.end(), uint8_t{0});
}

void DebugExit::write(uint64_t offset, std::span<const uint8_t> data) {
  if (data.empty() || offset >= config_.iosize) {
    return;
  }
  size_t n = std::min<size_t>({data.size(), 4, config_.iosize - offset});
  uint64_t value = 0;
  for (size_t i = 0; i < n; ++i) {
    value |= uint64_t{data[i]} << (8 * i);
  }
  // QEMU passes the same expression to exit(int).
  int status = static_cast<int>(static_cast<uint32_t>((value << 1) | 1));
  if (request_exit_) {
    request_exit_(status);
  }
}

}  // namespace mimeo::devices
