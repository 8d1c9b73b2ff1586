#pragma once

#include <cstdint>
#include <string>

namespace mimeo::snapshot {

// "256 MiB", "2 GiB", "12 KiB" when the size is an exact multiple, else "1000 bytes".
[[nodiscard]] std::string describe_size(uint64_t bytes);

}  // namespace mimeo::snapshot
