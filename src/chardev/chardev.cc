#include "chardev/chardev.h"

namespace mimeo::chardev {

Status Chardev::start_input(InputHandler on_input, InputRoom room) {
  if (!on_input) {
    return make_error("chardev " + describe() + ": no input handler");
  }
  if (input_started_.exchange(true)) {
    return make_error("chardev " + describe() + ": input already started");
  }
  return begin_input(std::move(on_input), std::move(room));
}

}  // namespace mimeo::chardev
