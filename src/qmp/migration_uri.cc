#include "qmp/migration_uri.h"

namespace mimeo::qmp {

namespace {

constexpr std::string_view kSupported = " (mimeo supports file:PATH and exec:COMMAND)";

Error unknown_protocol(std::string_view text, MigrationDirection direction) {
  if (direction == MigrationDirection::kOutgoing) {
    return make_error("Parameter 'uri' expects a valid migration protocol" +
                      std::string(kSupported));
  }
  return make_error("unknown migration protocol: " + std::string(text) + std::string(kSupported));
}

}  // namespace

Result<MigrationUri> parse_migration_uri(std::string_view text, MigrationDirection direction) {
  MigrationUri uri;
  uri.text = std::string(text);
  std::string_view rest;
  if (text.starts_with("file:")) {
    uri.kind = MigrationUri::Kind::kFile;
    rest = text.substr(5);
    if (rest.empty()) {
      return make_error("migration URI 'file:' needs a path (file:PATH)");
    }
  } else if (text.starts_with("exec:")) {
    uri.kind = MigrationUri::Kind::kExec;
    rest = text.substr(5);
    if (rest.find_first_not_of(" \t") == std::string_view::npos) {
      return make_error("migration URI '" + std::string(text) + "' needs a command (exec:COMMAND)");
    }
  } else {
    return unknown_protocol(text, direction);
  }
  uri.target = std::string(rest);
  return uri;
}

}  // namespace mimeo::qmp
