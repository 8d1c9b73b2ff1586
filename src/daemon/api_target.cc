#include "daemon/api_target.h"

namespace mimeo::daemon {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

}  // namespace

Result<std::string, ApiError> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    int high = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
    int low = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
    if (high < 0 || low < 0) {
      return bad_request("bad percent-encoding in the path: '" + std::string(text.substr(i, 3)) +
                         "' (a '%' must be followed by two hex digits)");
    }
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

Result<std::vector<std::string>, ApiError> split_target(std::string_view target) {
  if (target.empty() || target.front() != '/') {
    return bad_request("the request target must be a path starting with '/', not '" +
                       std::string(target.substr(0, 200)) + "'");
  }
  std::string_view path = target;
  if (size_t query = target.find('?'); query != std::string_view::npos) {
    if (query + 1 < target.size()) {
      return bad_request("the API takes no query parameters: '" +
                         std::string(target.substr(query, 200)) + "'");
    }
    path = target.substr(0, query);
  }
  std::vector<std::string> segments;
  size_t start = 1;
  while (true) {
    size_t slash = path.find('/', start);
    std::string_view raw = path.substr(start, slash - start);
    MIMEO_ASSIGN_OR_RETURN(std::string segment, percent_decode(raw));
    segments.push_back(std::move(segment));
    if (slash == std::string_view::npos) {
      return segments;
    }
    start = slash + 1;
  }
}

}  // namespace mimeo::daemon
