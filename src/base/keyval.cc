#include "base/keyval.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

namespace mimeo {

namespace {

// Splits on "," while turning ",," into a literal comma.
std::vector<std::string> split_options(std::string_view text) {
  std::vector<std::string> parts;
  std::string current;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ',') {
      if (i + 1 < text.size() && text[i + 1] == ',') {
        current += ',';
        ++i;
        continue;
      }
      parts.push_back(std::move(current));
      current.clear();
      continue;
    }
    current += text[i];
  }
  parts.push_back(std::move(current));
  return parts;
}

}  // namespace

Result<KeyValues> KeyValues::parse(std::string_view text, std::string_view option,
                                   std::string_view implied_key) {
  KeyValues kv;
  kv.option_ = std::string(option);
  if (text.empty()) {
    return make_error(kv.option_ + ": empty option value");
  }
  auto parts = split_options(text);
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    auto eq = part.find('=');
    if (eq == std::string::npos) {
      if (i == 0 && !implied_key.empty()) {
        if (part.empty()) {
          return make_error(kv.option_ + ": missing " + std::string(implied_key));
        }
        kv.pairs_.emplace_back(std::string(implied_key), part);
        continue;
      }
      return make_error(kv.option_ + ": '" + part + "' is not of the form key=value");
    }
    std::string key = part.substr(0, eq);
    if (key.empty()) {
      return make_error(kv.option_ + ": '" + part + "' has an empty key");
    }
    if (kv.has(key)) {
      return make_error(kv.option_ + ": " + key + " given twice");
    }
    kv.pairs_.emplace_back(std::move(key), part.substr(eq + 1));
  }
  return kv;
}

bool KeyValues::has(std::string_view key) const {
  return std::any_of(pairs_.begin(), pairs_.end(), [&](const auto& p) { return p.first == key; });
}

std::optional<std::string> KeyValues::get(std::string_view key) const {
  for (const auto& [k, v] : pairs_) {
    if (k == key) {
      return v;
    }
  }
  return std::nullopt;
}

Status KeyValues::check_allowed(const std::vector<std::string_view>& allowed) const {
  for (const auto& [k, v] : pairs_) {
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      return make_error(option_ + ": unknown parameter '" + k + "'");
    }
  }
  return {};
}

Result<std::optional<bool>> KeyValues::get_bool(std::string_view key) const {
  auto v = get(key);
  if (!v) {
    return std::optional<bool>{};
  }
  auto b = parse_bool(*v);
  if (!b) {
    return make_error(option_ + ": " + std::string(key) + "='" + *v +
                      "' is not a boolean (use on or off)");
  }
  return std::optional<bool>{*b};
}

Result<std::optional<uint64_t>> KeyValues::get_size(std::string_view key) const {
  auto v = get(key);
  if (!v) {
    return std::optional<uint64_t>{};
  }
  auto n = parse_size(*v);
  if (!n) {
    return make_error(option_ + ": " + std::string(key) + "='" + *v +
                      "' is not a size (a number with an optional K, M, G or T suffix)");
  }
  return std::optional<uint64_t>{*n};
}

Result<std::optional<uint64_t>> KeyValues::get_uint(std::string_view key) const {
  auto v = get(key);
  if (!v) {
    return std::optional<uint64_t>{};
  }
  auto n = parse_uint(*v);
  if (!n) {
    return make_error(option_ + ": " + std::string(key) + "='" + *v + "' is not a number");
  }
  return std::optional<uint64_t>{*n};
}

bool is_qemu_id(std::string_view id) {
  if (id.empty() || !std::isalpha(static_cast<unsigned char>(id[0]))) {
    return false;
  }
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') {
      return false;
    }
  }
  return true;
}

std::string escape_option_value(std::string_view value) {
  std::string out;
  for (char c : value) {
    out += c;
    if (c == ',') {
      out += ',';
    }
  }
  return out;
}

std::optional<bool> parse_bool(std::string_view text) {
  if (text == "on" || text == "yes" || text == "true") {
    return true;
  }
  if (text == "off" || text == "no" || text == "false") {
    return false;
  }
  return std::nullopt;
}

std::optional<uint64_t> parse_uint(std::string_view text) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  if (text.empty()) {
    return std::nullopt;
  }
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

std::optional<uint64_t> parse_size(std::string_view text, uint64_t default_unit) {
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) {
    return std::nullopt;
  }
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 10);
  if (ec != std::errc()) {
    return std::nullopt;
  }
  std::string_view rest(ptr, text.data() + text.size() - ptr);
  uint64_t unit = default_unit;
  if (!rest.empty()) {
    if (rest.size() != 1) {
      return std::nullopt;
    }
    switch (std::toupper(static_cast<unsigned char>(rest[0]))) {
      case 'B': unit = 1; break;
      case 'K': unit = 1ULL << 10; break;
      case 'M': unit = 1ULL << 20; break;
      case 'G': unit = 1ULL << 30; break;
      case 'T': unit = 1ULL << 40; break;
      case 'P': unit = 1ULL << 50; break;
      case 'E': unit = 1ULL << 60; break;
      default: return std::nullopt;
    }
  }
  if (value != 0 && unit > std::numeric_limits<uint64_t>::max() / value) {
    return std::nullopt;
  }
  return value * unit;
}

}  // namespace mimeo
