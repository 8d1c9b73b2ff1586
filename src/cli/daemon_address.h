// Where `mimeo serve` listens and keeps its state, and where the other
// commands look for it: --socket, else $MIMEO_SOCKET, else /run/mimeo/mimeo.sock.
#pragma once

#include <string>

namespace mimeo::cli {

inline constexpr const char* kDefaultSocket = "/run/mimeo/mimeo.sock";
inline constexpr const char* kDefaultStateDir = "/var/lib/mimeo";

// `given` (from --socket) if not empty, else $MIMEO_SOCKET, else the default.
[[nodiscard]] std::string daemon_socket_path(const std::string& given);

}  // namespace mimeo::cli
