// The migration commands of QmpSession: capabilities, migrate, migrate-incoming and
// query-migrate. mimeo migrates synchronously: `migrate` answers when the stream is
// written, so query-migrate never reports "active"; clients that poll it, or wait for
// the MIGRATION event, see "completed" at once. MIGRATION events (with the events
// capability) follow the reply: setup, active, then completed or failed.
#include <cmath>

#include "qmp/qmp_arguments.h"
#include "qmp/qmp_session.h"

namespace mimeo::qmp {

void QmpSession::migration_event(std::string_view status, std::vector<std::string>& into) const {
  if (caps_.events) {
    into.push_back(to_text(make_event("MIGRATION", Json{{"status", status}})));
  }
}

QmpSession::Reply QmpSession::migrate_set_capabilities(const Json& args, Output& /*out*/) {
  ArgumentReader reader(args);
  auto list = reader.required_array("capabilities");
  if (!list.ok()) {
    return generic_error(list.error().message);
  }
  std::vector<CapabilityChange> changes;
  for (size_t i = 0; i < (*list)->size(); ++i) {
    const Json& element = (**list)[i];
    const std::string path = element_name("capabilities", i);
    if (!element.is_object()) {
      return generic_error(invalid_type(path, "object").message);
    }
    ArgumentReader member(element, path);
    auto name = member.required_string("capability");
    if (!name.ok()) {
      return generic_error(name.error().message);
    }
    if (!is_known_capability(*name)) {
      return generic_error(invalid_enum_value("capability", *name).message);
    }
    auto state = member.required_bool("state");
    if (!state.ok()) {
      return generic_error(state.error().message);
    }
    if (auto others = member.check_no_others(); !others.ok()) {
      return generic_error(others.error().message);
    }
    changes.push_back({*name, *state});
  }
  if (auto others = reader.check_no_others(); !others.ok()) {
    return generic_error(others.error().message);
  }
  auto applied = apply_capability_changes(caps_, changes);
  if (!applied.ok()) {
    return generic_error(applied.error().message);
  }
  caps_ = *applied;
  return ok();
}

QmpSession::Reply QmpSession::query_migrate_capabilities(const Json& args, Output& /*out*/) {
  if (auto others = ArgumentReader(args).check_no_others(); !others.ok()) {
    return generic_error(others.error().message);
  }
  Json list = Json::array();
  for (std::string_view name : qemu_capability_names()) {
    list.push_back({{"capability", name}, {"state", capability_state(caps_, name)}});
  }
  return ok(std::move(list));
}

// QEMU's qmp_migrate(): arguments, migrate_prepare()'s checks, then the URI.
QmpSession::Reply QmpSession::migrate(const Json& args, Output& out) {
  ArgumentReader reader(args);
  auto text = reader.required_string("uri");
  if (!text.ok()) {
    return generic_error(text.error().message);
  }
  // blk/inc (block migration: mimeo has no block devices) and detach (ignored by QEMU too).
  for (const char* flag : {"blk", "inc", "detach"}) {
    if (auto value = reader.optional_bool(flag); !value.ok()) {
      return generic_error(value.error().message);
    }
  }
  auto resume = reader.optional_bool("resume");
  if (!resume.ok()) {
    return generic_error(resume.error().message);
  }
  if (auto others = reader.check_no_others(); !others.ok()) {
    return generic_error(others.error().message);
  }
  if (resume->value_or(false)) {
    return generic_error("Cannot resume if there is no paused migration");
  }
  const RunStatus before = backend_.run_status();
  if (before == RunStatus::kInmigrate) {
    return generic_error("Guest is waiting for an incoming migration");
  }
  if (before == RunStatus::kPostmigrate) {
    return generic_error("Can't migrate the vm that was paused due to previous migration");
  }
  if (before == RunStatus::kShutdown) {
    return generic_error("The VM has stopped; there is no state to migrate");
  }
  migration_event("setup", out.after);
  auto uri = parse_migration_uri(*text, MigrationDirection::kOutgoing);
  if (!uri.ok()) {
    outgoing_status_ = "failed";
    outgoing_error_ = uri.error().message;
    migration_event("failed", out.after);
    return generic_error(uri.error().message);
  }
  migration_event("active", out.after);
  auto stats = backend_.migrate(*uri, caps_);
  run_state_events(before, out.after);
  if (!stats.ok()) {
    outgoing_status_ = "failed";
    outgoing_error_ = stats.error().describe();
    migration_event("failed", out.after);
    return generic_error(outgoing_error_);
  }
  outgoing_status_ = "completed";
  outgoing_stats_ = *stats;
  outgoing_error_.clear();
  migration_event("completed", out.after);
  return ok();
}

QmpSession::Reply QmpSession::migrate_incoming(const Json& args, Output& out) {
  ArgumentReader reader(args);
  auto text = reader.required_string("uri");
  if (!text.ok()) {
    return generic_error(text.error().message);
  }
  if (auto others = reader.check_no_others(); !others.ok()) {
    return generic_error(others.error().message);
  }
  const IncomingState state = backend_.incoming_status().state;
  if (state == IncomingState::kCompleted || state == IncomingState::kFailed) {
    return generic_error("The incoming migration has already been started");
  }
  if (state == IncomingState::kNone || backend_.run_status() != RunStatus::kInmigrate) {
    return generic_error("'-incoming' was not specified on the command line");
  }
  auto uri = parse_migration_uri(*text, MigrationDirection::kIncoming);
  if (!uri.ok()) {
    return generic_error(uri.error().message);
  }
  auto restored = backend_.migrate_incoming(*uri);
  if (backend_.incoming_status().state != IncomingState::kWaiting) {
    // A stream was read (QEMU: the incoming migration started).
    migration_event("setup", out.after);
    migration_event("active", out.after);
    migration_event(restored.ok() ? "completed" : "failed", out.after);
  }
  if (!restored.ok()) {
    return generic_error(restored.error().describe());
  }
  return ok();
}

QmpSession::Reply QmpSession::query_migrate(const Json& args, Output& /*out*/) {
  if (auto others = ArgumentReader(args).check_no_others(); !others.ok()) {
    return generic_error(others.error().message);
  }
  if (outgoing_status_ == "completed") {
    const auto& s = outgoing_stats_;
    const int64_t total_ms = (s.duration.count() + 500) / 1000;
    // Mbit/s, as QEMU's "mbps": bits per microsecond.
    const double mbps = s.duration.count() > 0 ? static_cast<double>(s.stream_bytes) * 8.0 /
                                                     static_cast<double>(s.duration.count())
                                               : 0.0;
    return ok({{"status", "completed"},
               {"total-time", total_ms},
               {"ram",
                {{"transferred", s.stream_bytes},
                 {"remaining", 0},
                 {"total", s.ram_in_stream},
                 {"page-size", 4096},
                 {"mbps", std::round(mbps * 1000.0) / 1000.0},
                 {"dirty-sync-count", 1},
                 {"precopy-bytes", s.stream_bytes}}}});
  }
  if (outgoing_status_ == "failed") {
    return ok({{"status", "failed"}, {"error-desc", outgoing_error_}});
  }
  // The destination side, as QEMU reports it there.
  const IncomingStatus incoming = backend_.incoming_status();
  if (incoming.state == IncomingState::kCompleted) {
    return ok({{"status", "completed"}});
  }
  if (incoming.state == IncomingState::kFailed) {
    return ok({{"status", "failed"}, {"error-desc", incoming.error}});
  }
  return ok();
}

}  // namespace mimeo::qmp
