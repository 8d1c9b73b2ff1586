#include "qmp/qmp_session.h"

#include "base/version.h"
#include "qmp/qmp_arguments.h"

namespace mimeo::qmp {

namespace {

// QEMU 7.2 is the dialect implemented: its command names, argument checks, run states
// and error wording (docs/qmp.md says why that version).
constexpr int kQemuMajor = 7;
constexpr int kQemuMinor = 2;
constexpr int kQemuMicro = 0;

// nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 2: what"
// becomes "what".
std::string parse_error_reason(std::string_view what) {
  auto colon = what.find(": ");
  if (colon != std::string_view::npos) {
    what.remove_prefix(colon + 2);
  }
  return std::string(what);
}

std::string reply_text(Json body, const Json* id) {
  if (id != nullptr) {
    body["id"] = *id;
  }
  return to_text(body);
}

// A command without arguments refuses any.
Status no_arguments(const Json& args) { return ArgumentReader(args).check_no_others(); }

}  // namespace

QmpSession::QmpSession(QmpBackend& backend, SessionOptions options)
    : backend_(backend), options_(std::move(options)) {
  if (options_.package.empty()) {
    options_.package = std::string("mimeo-") + kVersion;
  }
}

const std::vector<QmpSession::Command>& QmpSession::commands() {
  static const std::vector<Command> kCommands = {
      {"qmp_capabilities", &QmpSession::qmp_capabilities},
      {"query-version", &QmpSession::query_version},
      {"query-commands", &QmpSession::query_commands},
      {"query-status", &QmpSession::query_status},
      {"query-name", &QmpSession::query_name},
      {"query-uuid", &QmpSession::query_uuid},
      {"stop", &QmpSession::stop},
      {"cont", &QmpSession::cont},
      {"quit", &QmpSession::quit},
      {"migrate-set-capabilities", &QmpSession::migrate_set_capabilities},
      {"query-migrate-capabilities", &QmpSession::query_migrate_capabilities},
      {"migrate", &QmpSession::migrate},
      {"migrate-incoming", &QmpSession::migrate_incoming},
      {"query-migrate", &QmpSession::query_migrate},
  };
  return kCommands;
}

const QmpSession::Command* QmpSession::find_command(std::string_view name) const {
  for (const auto& command : commands()) {
    // Before negotiation only qmp_capabilities exists (QEMU's qmp_cap_negotiation_commands).
    if (command.name == name && (negotiated_ || name == "qmp_capabilities")) {
      return &command;
    }
  }
  return nullptr;
}

Json QmpSession::version() const {
  return Json{{"qemu", {{"micro", kQemuMicro}, {"minor", kQemuMinor}, {"major", kQemuMajor}}},
              {"package", options_.package}};
}

std::string QmpSession::connect() {
  negotiated_ = false;
  oob_enabled_ = false;
  splitter_.reset();
  Json capabilities = Json::array();
  if (options_.offer_oob) {
    capabilities.push_back("oob");
  }
  return to_text(Json{{"QMP", {{"version", version()}, {"capabilities", capabilities}}}});
}

std::string QmpSession::input_error(std::string_view desc) {
  return to_text(Json{{"error", {{"class", "GenericError"}, {"desc", desc}}}});
}

std::vector<std::string> QmpSession::feed(std::string_view bytes) {
  std::vector<std::string> lines;
  for (auto& item : splitter_.feed(bytes)) {
    if (!item.error.empty()) {
      lines.push_back(input_error(item.error));
      continue;
    }
    for (auto& line : execute(item.text)) {
      lines.push_back(std::move(line));
    }
  }
  return lines;
}

std::vector<std::string> QmpSession::execute(std::string_view json_text) {
  Json request;
  try {
    request = Json::parse(json_text);
  } catch (const Json::exception& e) {
    return {input_error("JSON parse error, " + parse_error_reason(e.what()))};
  }
  Output out;
  Reply reply = dispatch(request, out);
  const Json* id = nullptr;
  if (request.is_object()) {
    auto it = request.find("id");
    if (it != request.end()) {
      id = &*it;
    }
  }
  if (!reply.error_class.empty() && !negotiated_ && reply.error_class == "CommandNotFound") {
    reply.desc = "Expecting capabilities negotiation with 'qmp_capabilities'";
  }
  std::vector<std::string> lines = std::move(out.before);
  if (reply.error_class.empty()) {
    lines.push_back(reply_text(Json{{"return", std::move(reply.value)}}, id));
  } else {
    lines.push_back(
        reply_text(Json{{"error", {{"class", reply.error_class}, {"desc", reply.desc}}}}, id));
  }
  for (auto& line : out.after) {
    lines.push_back(std::move(line));
  }
  return lines;
}

// QEMU's qmp_dispatch(): the request's shape, then the command, then its arguments.
QmpSession::Reply QmpSession::dispatch(const Json& request, Output& out) {
  if (!request.is_object()) {
    return generic_error("QMP input must be a JSON object");
  }
  const Json* command_name = nullptr;
  std::string exec_key;
  for (const auto& item : request.items()) {
    const std::string& key = item.key();
    if (key == "execute" || (key == "exec-oob" && oob_enabled_)) {
      if (!item.value().is_string()) {
        return generic_error("QMP input member '" + key + "' must be a string");
      }
      if (!exec_key.empty()) {
        return generic_error("QMP input member '" + key + "' clashes with '" + exec_key + "'");
      }
      exec_key = key;
      command_name = &item.value();
    } else if (key == "arguments") {
      if (!item.value().is_object()) {
        return generic_error("QMP input member 'arguments' must be an object");
      }
    } else if (key != "id") {
      return generic_error("QMP input member '" + key + "' is unexpected");
    }
  }
  if (command_name == nullptr) {
    return generic_error("QMP input lacks member 'execute'");
  }
  const std::string& name = command_name->get_ref<const std::string&>();
  const Command* command = find_command(name);
  if (command == nullptr) {
    return command_not_found("The command " + name + " has not been found");
  }
  if (exec_key == "exec-oob") {
    // None of mimeo's commands may run out of band (in QEMU few do: migrate-recover,
    // migrate-pause, x-oob-test).
    return generic_error("The command " + name + " does not support OOB");
  }
  static const Json kNoArguments = Json::object();
  auto args = request.find("arguments");
  return (this->*command->handler)(args == request.end() ? kNoArguments : *args, out);
}

void QmpSession::run_state_events(RunStatus before, std::vector<std::string>& into) const {
  const bool was_running = before == RunStatus::kRunning;
  const bool is_running = backend_.run_status() == RunStatus::kRunning;
  if (was_running && !is_running) {
    into.push_back(to_text(make_event("STOP")));
  } else if (!was_running && is_running) {
    into.push_back(to_text(make_event("RESUME")));
  }
}

std::vector<std::string> QmpSession::vm_stopped(const ShutdownCause& cause) {
  if (!negotiated_ || shutdown_sent_) {
    return {};
  }
  shutdown_sent_ = true;
  return {to_text(shutdown_event(cause))};
}

QmpSession::Reply QmpSession::qmp_capabilities(const Json& args, Output& /*out*/) {
  ArgumentReader reader(args);
  auto enable = reader.optional_array("enable");
  if (!enable.ok()) {
    return generic_error(enable.error().message);
  }
  bool want_oob = false;
  if (*enable != nullptr) {
    for (size_t i = 0; i < (*enable)->size(); ++i) {
      const Json& value = (**enable)[i];
      if (!value.is_string()) {
        return generic_error(invalid_type(element_name("enable", i), "string").message);
      }
      if (value.get_ref<const std::string&>() != "oob") {
        // QEMU names a list element's enum member "null" here.
        return generic_error(
            invalid_enum_value("null", value.get_ref<const std::string&>()).message);
      }
      want_oob = true;
    }
  }
  if (auto others = reader.check_no_others(); !others.ok()) {
    return generic_error(others.error().message);
  }
  if (negotiated_) {
    return command_not_found("Capabilities negotiation is already complete, command ignored");
  }
  if (want_oob && !options_.offer_oob) {
    return generic_error("Capability oob not available");
  }
  oob_enabled_ = want_oob;
  negotiated_ = true;
  return ok();
}

QmpSession::Reply QmpSession::query_version(const Json& args, Output& /*out*/) {
  if (auto checked = no_arguments(args); !checked.ok()) {
    return generic_error(checked.error().message);
  }
  return ok(version());
}

QmpSession::Reply QmpSession::query_commands(const Json& args, Output& /*out*/) {
  if (auto checked = no_arguments(args); !checked.ok()) {
    return generic_error(checked.error().message);
  }
  Json list = Json::array();
  for (const auto& command : commands()) {
    list.push_back({{"name", command.name}});
  }
  return ok(std::move(list));
}

QmpSession::Reply QmpSession::query_status(const Json& args, Output& /*out*/) {
  if (auto checked = no_arguments(args); !checked.ok()) {
    return generic_error(checked.error().message);
  }
  const RunStatus status = backend_.run_status();
  return ok({{"status", qemu_name(status)},
             {"singlestep", false},
             {"running", status == RunStatus::kRunning}});
}

QmpSession::Reply QmpSession::query_name(const Json& args, Output& /*out*/) {
  if (auto checked = no_arguments(args); !checked.ok()) {
    return generic_error(checked.error().message);
  }
  if (!options_.name) {
    return ok();
  }
  return ok({{"name", *options_.name}});
}

QmpSession::Reply QmpSession::query_uuid(const Json& args, Output& /*out*/) {
  if (auto checked = no_arguments(args); !checked.ok()) {
    return generic_error(checked.error().message);
  }
  return ok({{"UUID", backend_.uuid()}});
}

// QEMU: nothing to do unless running (waiting for -incoming only drops autostart, which
// mimeo never has after an incoming migration).
QmpSession::Reply QmpSession::stop(const Json& args, Output& out) {
  if (auto checked = no_arguments(args); !checked.ok()) {
    return generic_error(checked.error().message);
  }
  const RunStatus before = backend_.run_status();
  if (before != RunStatus::kRunning) {
    return ok();
  }
  auto stopped = backend_.stop();
  run_state_events(before, out.before);
  if (!stopped.ok()) {
    return generic_error(stopped.error().describe());
  }
  return ok();
}

QmpSession::Reply QmpSession::cont(const Json& args, Output& out) {
  if (auto checked = no_arguments(args); !checked.ok()) {
    return generic_error(checked.error().message);
  }
  const RunStatus before = backend_.run_status();
  switch (before) {
    case RunStatus::kShutdown: return generic_error("Resetting the Virtual Machine is required");
    case RunStatus::kFinishMigrate: return generic_error("Migration is not finalized yet");
    // QEMU sets autostart here; the VM still ends paused after an incoming migration of a
    // template that was stopped when it was saved, and mimeo saves only stopped VMs.
    case RunStatus::kInmigrate: return ok();
    case RunStatus::kRunning: return ok();
    default: break;
  }
  auto resumed = backend_.cont();
  run_state_events(before, out.before);
  if (!resumed.ok()) {
    return generic_error(resumed.error().describe());
  }
  return ok();
}

QmpSession::Reply QmpSession::quit(const Json& args, Output& out) {
  if (auto checked = no_arguments(args); !checked.ok()) {
    return generic_error(checked.error().message);
  }
  quit_requested_ = true;
  if (!shutdown_sent_) {
    shutdown_sent_ = true;
    out.after.push_back(to_text(shutdown_event({false, "host-qmp-quit"})));
  }
  backend_.quit();
  return ok();
}

}  // namespace mimeo::qmp
