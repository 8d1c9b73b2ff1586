#include "cli/daemon_address.h"

#include <cstdlib>

namespace mimeo::cli {

std::string daemon_socket_path(const std::string& given) {
  if (!given.empty()) {
    return given;
  }
  const char* env = std::getenv("MIMEO_SOCKET");
  return env != nullptr && *env != '\0' ? env : kDefaultSocket;
}

}  // namespace mimeo::cli
