// `mimeo demo`: the README's main job. Boots the test guest with its RAM in a
// file, talks to it over COM1, stops it, and shows that the RAM file holds
// what the guest wrote.
#pragma once

#include <string>

namespace mimeo::cli {

struct DemoOptions {
  int clones = 3;
  std::string guest;  // the test guest's PVH ELF; default: guest/guest.elf beside mimeo
};

int demo_command(const DemoOptions& options);

// guest/guest.elf in the directory of the running mimeo binary.
std::string default_guest_path();

}  // namespace mimeo::cli
