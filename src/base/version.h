#pragma once

namespace mimeo {

// The program's version (the state stream's format has its own).
inline constexpr const char* kVersion = "0.1.0";

}  // namespace mimeo
