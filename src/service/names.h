// Names and ids of the daemon's templates and clones.
#pragma once

#include <string>
#include <string_view>

namespace mimeo::service {

inline constexpr size_t kMaxNameLength = 64;
inline constexpr size_t kCloneIdLength = 12;

// A template or clone name: 1 to 64 characters, [A-Za-z0-9][A-Za-z0-9_.-]*.
// Safe as a file name and in a URL path without escaping.
[[nodiscard]] bool is_valid_name(std::string_view name);

// The message for a name that is not valid, naming it and the rule:
// `template name "a b" is invalid: ...`. `what` is "template" or "clone".
[[nodiscard]] std::string invalid_name_message(std::string_view what, std::string_view name);

// 12 lowercase hex digits (48 bits) from getrandom(2). The caller retries on
// the (unlikely) collision with an existing id: the catalog reports EEXIST.
[[nodiscard]] std::string new_clone_id();

// Exactly 12 lowercase hex digits. A clone name that looks like an id would
// be ambiguous where a clone is found by id or name; callers may refuse it.
[[nodiscard]] bool looks_like_clone_id(std::string_view text);

}  // namespace mimeo::service
