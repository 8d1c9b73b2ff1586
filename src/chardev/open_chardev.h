// Opens the backend a ChardevSpec describes.
#pragma once

#include <functional>
#include <memory>

#include "chardev/chardev.h"
#include "chardev/chardev_spec.h"

namespace mimeo::chardev {

struct ChardevHooks {
  std::function<void()> quit;  // stdio: the user typed Ctrl-a x
};

// Errors name the chardev and what failed: "chardev con0: open /ro/log: Permission denied".
// A socket server with wait=on blocks here until its first client connects.
Result<std::unique_ptr<Chardev>> open_chardev(const ChardevSpec& spec, ChardevHooks hooks = {});

}  // namespace mimeo::chardev
