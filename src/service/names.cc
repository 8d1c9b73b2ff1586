#include "service/names.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace mimeo::service {
namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// The name as shown in a message: quoted, control and non-ASCII bytes as
// \xNN, cut after 64 characters so a megabyte of junk stays one line.
std::string quoted(std::string_view name) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (size_t i = 0; i < name.size() && i < kMaxNameLength; ++i) {
    auto byte = static_cast<unsigned char>(name[i]);
    if (byte < 0x20 || byte >= 0x7f || byte == '"' || byte == '\\') {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += static_cast<char>(byte);
    }
  }
  out += name.size() > kMaxNameLength ? "\"..." : "\"";
  return out;
}

}  // namespace

bool is_valid_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength || !is_alnum(name[0])) {
    return false;
  }
  for (char c : name) {
    if (!is_alnum(c) && c != '_' && c != '.' && c != '-') {
      return false;
    }
  }
  return true;
}

std::string invalid_name_message(std::string_view what, std::string_view name) {
  std::string shown = name.empty() ? std::string("\"\"") : quoted(name);
  if (name.size() > kMaxNameLength) {
    shown += " (" + std::to_string(name.size()) + " characters)";
  }
  return std::string(what) + " name " + shown +
         " is invalid: a name has 1 to 64 characters, letters, digits, '_', '.' and '-', "
         "and starts with a letter or digit";
}

std::string new_clone_id() {
  static constexpr char kHex[] = "0123456789abcdef";
  unsigned char bytes[kCloneIdLength / 2];
  size_t have = 0;
  while (have < sizeof(bytes)) {
    ssize_t n = ::getrandom(bytes + have, sizeof(bytes) - have, 0);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      // Only ENOSYS (a kernel before 3.17) fails here: no randomness, no ids.
      std::perror("getrandom");
      std::abort();
    }
    have += static_cast<size_t>(n);
  }
  std::string id;
  for (unsigned char byte : bytes) {
    id += kHex[byte >> 4];
    id += kHex[byte & 0xf];
  }
  return id;
}

bool looks_like_clone_id(std::string_view text) {
  if (text.size() != kCloneIdLength) {
    return false;
  }
  for (char c : text) {
    if (!is_lower_hex(c)) {
      return false;
    }
  }
  return true;
}

}  // namespace mimeo::service
