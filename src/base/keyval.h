// QEMU's option syntax ("memory-backend-file,id=mem0,size=1G,share=on"):
// comma-separated key=value pairs, ",," for a literal comma, and an optional
// leading value without "=" that stands for an implied key (the object type
// for -object, the driver for -device, the machine type for -machine).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace mimeo {

class KeyValues {
 public:
  // `option` names the command-line option in error messages ("-object").
  // `implied_key`, when not empty, names the key of a leading bare value.
  static Result<KeyValues> parse(std::string_view text, std::string_view option,
                                 std::string_view implied_key = {});

  [[nodiscard]] const std::string& option() const { return option_; }
  [[nodiscard]] bool has(std::string_view key) const;
  [[nodiscard]] std::optional<std::string> get(std::string_view key) const;
  // The pairs in the order given.
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& pairs() const {
    return pairs_;
  }
  // Fails naming the first key that is not in `allowed`.
  [[nodiscard]] Status check_allowed(const std::vector<std::string_view>& allowed) const;

  // Typed getters: nullopt when absent, an Error naming option, key and value when malformed.
  [[nodiscard]] Result<std::optional<bool>> get_bool(std::string_view key) const;
  [[nodiscard]] Result<std::optional<uint64_t>> get_size(std::string_view key) const;
  [[nodiscard]] Result<std::optional<uint64_t>> get_uint(std::string_view key) const;

 private:
  std::string option_;
  std::vector<std::pair<std::string, std::string>> pairs_;
};

// QEMU's id_wellformed(): a letter, then letters, digits, '-', '.', '_'
// (the ids of -object, -chardev, ...).
[[nodiscard]] bool is_qemu_id(std::string_view id);

// A value written into QEMU's option syntax: every comma doubled.
[[nodiscard]] std::string escape_option_value(std::string_view value);

// "on"/"off" (and QEMU's other spellings yes/no, true/false).
[[nodiscard]] std::optional<bool> parse_bool(std::string_view text);
// A size with an optional suffix B, K, M, G, T, P, E (powers of 1024, upper or
// lower case); a number without suffix is multiplied by `default_unit`
// (1 for size=, MiB for -m). Rejects overflow, negatives and trailing junk.
[[nodiscard]] std::optional<uint64_t> parse_size(std::string_view text, uint64_t default_unit = 1);
// A decimal or 0x-prefixed hexadecimal unsigned number.
[[nodiscard]] std::optional<uint64_t> parse_uint(std::string_view text);

}  // namespace mimeo
