// -chardev null / -serial null: output is discarded, there is never input.
#pragma once

#include "chardev/chardev.h"

namespace mimeo::chardev {

class NullChardev final : public Chardev {
 public:
  explicit NullChardev(std::string id) : Chardev(std::move(id)) {}

  void write(std::span<const uint8_t> /*bytes*/) override {}
  [[nodiscard]] std::string describe() const override { return "null"; }

 protected:
  Status begin_input(InputHandler /*on_input*/, InputRoom /*room*/) override { return {}; }
};

}  // namespace mimeo::chardev
