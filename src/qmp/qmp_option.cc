#include "qmp/qmp_option.h"

#include <array>
#include <utility>

#include "base/keyval.h"

namespace mimeo::qmp {

namespace {

constexpr std::string_view kForm = "unix:PATH,server=on[,wait=off]";

// QEMU still takes the short booleans of its old chardev syntax; the first token is the
// path. ",," is an escaped comma inside a value, not a separator.
std::string expand_short_booleans(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kShort = {{
      {"server", "server=on"},
      {"noserver", "server=off"},
      {"wait", "wait=on"},
      {"nowait", "wait=off"},
  }};
  std::string out;
  size_t start = 0;
  auto flush = [&](size_t end) {
    std::string_view token = text.substr(start, end - start);
    for (const auto& [bare, full] : kShort) {
      if (start != 0 && token == bare) {
        token = full;
      }
    }
    out += token;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != ',') {
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == ',') {
      ++i;
      continue;
    }
    flush(i);
    out += ',';
    start = i + 1;
  }
  flush(text.size());
  return out;
}

}  // namespace

Result<QmpSpec> parse_qmp_option(std::string_view value) {
  const std::string option = "-qmp " + std::string(value);
  if (!value.starts_with("unix:")) {
    return make_error(option + ": mimeo's QMP monitor is a Unix socket: use " + std::string(kForm));
  }
  std::string_view rest = value.substr(5);
  if (rest.empty() || rest[0] == ',') {
    return make_error(option + ": unix: needs a path (" + std::string(kForm) + ")");
  }
  MIMEO_ASSIGN_OR_RETURN(auto kv, KeyValues::parse(expand_short_booleans(rest), option, "path"));
  MIMEO_TRY(kv.check_allowed({"path", "server", "wait"}));
  MIMEO_ASSIGN_OR_RETURN(auto server, kv.get_bool("server"));
  if (!server.value_or(false)) {
    return make_error(option +
                      ": mimeo listens for its QMP client: add server=on (connecting out, "
                      "QEMU's server=off, is not supported)");
  }
  MIMEO_ASSIGN_OR_RETURN(auto wait, kv.get_bool("wait"));
  QmpSpec spec;
  spec.path = kv.get("path").value_or("");
  spec.wait = wait.value_or(true);
  return spec;
}

}  // namespace mimeo::qmp
