#include "qmp/qmp_option.h"

#include "chardev/chardev_spec.h"

namespace mimeo::qmp {

namespace {

constexpr std::string_view kForm = "unix:PATH,server=on[,wait=off]";

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
  MIMEO_ASSIGN_OR_RETURN(auto kv, chardev::parse_unix_socket_keyvals(rest, option));
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
