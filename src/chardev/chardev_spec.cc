#include "chardev/chardev_spec.h"

#include <array>
#include <cctype>
#include <utility>

#include "base/keyval.h"

namespace mimeo::chardev {

namespace {

constexpr std::string_view kSerialForms =
    "stdio, null, none, file:PATH, unix:PATH[,server=on][,wait=off] or chardev:ID";

// QEMU still accepts short-form booleans ("server", "nowait") from before key=on/off.
// Rewrites those tokens of a comma-separated list (",," is an escaped comma, not a separator).
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
      if (start != 0 && token == bare) {  // the first token is the path or backend
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

Result<bool> get_bool_or(const KeyValues& kv, std::string_view key, bool fallback) {
  MIMEO_ASSIGN_OR_RETURN(auto value, kv.get_bool(key));
  return value.value_or(fallback);
}

Result<std::string> get_path(const KeyValues& kv, std::string_view what) {
  auto path = kv.get("path");
  if (!path || path->empty()) {
    return make_error(kv.option() + ": " + std::string(what) + " needs path=");
  }
  return *path;
}

// The socket options shared by -chardev socket and -serial unix:, from parsed key=values.
Status parse_socket_options(const KeyValues& kv, ChardevSpec& spec) {
  MIMEO_ASSIGN_OR_RETURN(spec.path, get_path(kv, "socket"));
  MIMEO_ASSIGN_OR_RETURN(spec.server, get_bool_or(kv, "server", false));
  MIMEO_ASSIGN_OR_RETURN(spec.wait, get_bool_or(kv, "wait", true));
  if (!spec.server && kv.has("wait")) {
    return make_error(kv.option() + ": wait= only applies to a socket with server=on");
  }
  return {};
}

Result<ChardevSpec> parse_unix_serial(std::string_view rest) {
  MIMEO_ASSIGN_OR_RETURN(auto kv, parse_unix_socket_keyvals(rest, "-serial"));
  ChardevSpec spec;
  spec.backend = Backend::kSocket;
  MIMEO_TRY(parse_socket_options(kv, spec));
  return spec;
}

}  // namespace

Result<KeyValues> parse_unix_socket_keyvals(std::string_view rest, std::string_view option) {
  MIMEO_ASSIGN_OR_RETURN(auto kv, KeyValues::parse(expand_short_booleans(rest), option, "path"));
  MIMEO_TRY(kv.check_allowed({"path", "server", "wait"}));
  return kv;
}

std::string_view backend_name(Backend backend) {
  switch (backend) {
    case Backend::kStdio: return "stdio";
    case Backend::kFile: return "file";
    case Backend::kSocket: return "socket";
    case Backend::kNull: return "null";
  }
  return "?";
}

Result<SerialSpec> parse_serial_option(std::string_view value) {
  SerialSpec serial;
  if (value == "none") {
    return serial;
  }
  serial.kind = SerialSpec::Kind::kBackend;
  if (value == "stdio") {
    serial.backend.backend = Backend::kStdio;
    return serial;
  }
  if (value == "null") {
    serial.backend.backend = Backend::kNull;
    return serial;
  }
  auto colon = value.find(':');
  std::string_view scheme = value.substr(0, colon);
  std::string_view rest = colon == std::string_view::npos ? "" : value.substr(colon + 1);
  if (colon != std::string_view::npos && scheme == "file") {
    if (rest.empty()) {
      return make_error("-serial: file: needs a path (file:PATH)");
    }
    serial.backend.backend = Backend::kFile;
    serial.backend.path = std::string(rest);  // verbatim, commas included, as in QEMU
    return serial;
  }
  if (colon != std::string_view::npos && scheme == "unix") {
    if (rest.empty() || rest[0] == ',') {
      return make_error("-serial: unix: needs a path (unix:PATH[,server=on][,wait=off])");
    }
    MIMEO_ASSIGN_OR_RETURN(serial.backend, parse_unix_serial(rest));
    return serial;
  }
  if (colon != std::string_view::npos && scheme == "chardev") {
    if (!is_qemu_id(rest)) {
      return make_error("-serial: '" + std::string(value) + "' does not name a chardev id");
    }
    serial.kind = SerialSpec::Kind::kChardevRef;
    serial.chardev_id = std::string(rest);
    return serial;
  }
  if (value.empty()) {
    return make_error("-serial: empty value (use " + std::string(kSerialForms) + ")");
  }
  return make_error("-serial: backend '" + std::string(scheme) + "' in '" + std::string(value) +
                    "' is not supported (use " + std::string(kSerialForms) + ")");
}

Result<ChardevSpec> parse_chardev_option(std::string_view value) {
  MIMEO_ASSIGN_OR_RETURN(auto kv,
                         KeyValues::parse(expand_short_booleans(value), "-chardev", "backend"));
  const std::string backend = kv.get("backend").value_or("");
  ChardevSpec spec;
  if (backend == "socket") {
    if (kv.has("host") || kv.has("port")) {
      return make_error(
          "-chardev socket: TCP sockets (host=, port=) are not supported; use "
          "path= for a Unix socket");
    }
    MIMEO_TRY(kv.check_allowed({"backend", "id", "path", "server", "wait"}));
    spec.backend = Backend::kSocket;
    MIMEO_TRY(parse_socket_options(kv, spec));
  } else if (backend == "file") {
    MIMEO_TRY(kv.check_allowed({"backend", "id", "path", "append"}));
    spec.backend = Backend::kFile;
    MIMEO_ASSIGN_OR_RETURN(spec.path, get_path(kv, "file"));
    MIMEO_ASSIGN_OR_RETURN(spec.append, get_bool_or(kv, "append", false));
  } else if (backend == "stdio") {
    MIMEO_TRY(kv.check_allowed({"backend", "id", "signal"}));
    spec.backend = Backend::kStdio;
    MIMEO_ASSIGN_OR_RETURN(spec.signal, get_bool_or(kv, "signal", true));
  } else if (backend == "null") {
    MIMEO_TRY(kv.check_allowed({"backend", "id"}));
    spec.backend = Backend::kNull;
  } else if (backend.empty()) {
    return make_error("-chardev: '" + std::string(value) + "' does not start with a backend");
  } else {
    return make_error("-chardev: backend '" + backend +
                      "' is not supported (use socket, file, stdio or null)");
  }
  auto id = kv.get("id");
  if (!id) {
    return make_error("-chardev " + backend + ": needs id=");
  }
  if (!is_qemu_id(*id)) {
    return make_error("-chardev " + backend + ": id='" + *id +
                      "' must start with a letter and hold only letters, digits, '-', '.' and "
                      "'_'");
  }
  spec.id = *id;
  return spec;
}

}  // namespace mimeo::chardev
