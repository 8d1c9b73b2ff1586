// Unix stream sockets for the -serial unix: and -chardev socket tests.
#pragma once

#include <chrono>
#include <string>

#include "base/unique_fd.h"

namespace mimeo::e2e {

// Connects to `path`, retrying while it does not exist or refuses (mimeo may
// not have created it yet); an invalid fd after `timeout`.
UniqueFd connect_unix(const std::string& path, std::chrono::milliseconds timeout);
// A listening socket at `path`.
UniqueFd listen_unix(const std::string& path);
// The first connection to `listener`, or an invalid fd after `timeout`.
UniqueFd accept_unix(int listener, std::chrono::milliseconds timeout);

}  // namespace mimeo::e2e
