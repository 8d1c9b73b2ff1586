#include "chardev/null_chardev.h"

namespace mimeo::chardev {

Status NullChardev::start_input(InputHandler /*on_input*/, InputRoom /*room*/) {
  if (input_started_) {
    return make_error("chardev " + describe() + ": input already started");
  }
  input_started_ = true;
  return {};
}

}  // namespace mimeo::chardev
