// The QMP dispatcher: one client's conversation with the VM, in QEMU 7.2's dialect
// (docs/qmp.md). It takes input bytes and returns the lines to send back (replies and
// events, in order, without line ends); it does no I/O itself, so it runs the same
// behind QmpServer, in tests and in the fuzzer.
//
// State that belongs to the VM rather than to a connection (migration capabilities and
// results, whether SHUTDOWN was sent) survives a reconnect; capabilities negotiation
// starts again with each connect().
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qmp/json_splitter.h"
#include "qmp/migration_capabilities.h"
#include "qmp/qmp_backend.h"
#include "qmp/qmp_events.h"
#include "qmp/qmp_json.h"

namespace mimeo::qmp {

struct SessionOptions {
  std::string package;              // query-version's "package"; default "mimeo-<version>"
  std::optional<std::string> name;  // -name, for query-name
  bool offer_oob = true;            // the greeting offers the "oob" capability
};

class QmpSession {
 public:
  explicit QmpSession(QmpBackend& backend, SessionOptions options = {});

  // A client connected: negotiation starts again and unfinished input is dropped.
  // Returns the greeting.
  [[nodiscard]] std::string connect();
  // Input from the client, in pieces of any size.
  [[nodiscard]] std::vector<std::string> feed(std::string_view bytes);
  // One complete JSON text (JsonSplitter's values); the reply and events it causes.
  [[nodiscard]] std::vector<std::string> execute(std::string_view json_text);
  // The reply to input JsonSplitter refused (a limit exceeded).
  [[nodiscard]] static std::string input_error(std::string_view desc);
  // The VM stopped without `quit`: its SHUTDOWN event, once, to a negotiated client.
  [[nodiscard]] std::vector<std::string> vm_stopped(const ShutdownCause& cause);

  // `quit` was answered (the server then reads no more input).
  [[nodiscard]] bool quit_requested() const { return quit_requested_; }
  [[nodiscard]] bool negotiated() const { return negotiated_; }

 private:
  // A command's outcome: a return value, or an error class and description.
  struct Reply {
    Json value;
    std::string error_class;  // empty on success
    std::string desc;
  };
  // What a command sends besides its reply: events before it and after it.
  struct Output {
    std::vector<std::string> before;
    std::vector<std::string> after;
  };
  using Handler = Reply (QmpSession::*)(const Json& args, Output& out);
  struct Command {
    std::string_view name;
    Handler handler;
  };

  static Reply ok(Json value = Json::object()) { return {std::move(value), {}, {}}; }
  static Reply generic_error(std::string desc) { return {{}, "GenericError", std::move(desc)}; }
  static Reply command_not_found(std::string desc) {
    return {{}, "CommandNotFound", std::move(desc)};
  }

  Reply dispatch(const Json& request, Output& out);
  [[nodiscard]] const Command* find_command(std::string_view name) const;
  [[nodiscard]] Json version() const;
  // STOP or RESUME when the VM stopped or started running since `before`.
  void run_state_events(RunStatus before, std::vector<std::string>& into) const;
  void migration_event(std::string_view status, std::vector<std::string>& into) const;

  // Control and run state (qmp_session.cc).
  Reply qmp_capabilities(const Json& args, Output& out);
  Reply query_version(const Json& args, Output& out);
  Reply query_commands(const Json& args, Output& out);
  Reply query_status(const Json& args, Output& out);
  Reply query_name(const Json& args, Output& out);
  Reply query_uuid(const Json& args, Output& out);
  Reply stop(const Json& args, Output& out);
  Reply cont(const Json& args, Output& out);
  Reply quit(const Json& args, Output& out);
  // Migration (qmp_migration_commands.cc).
  Reply migrate_set_capabilities(const Json& args, Output& out);
  Reply query_migrate_capabilities(const Json& args, Output& out);
  Reply migrate(const Json& args, Output& out);
  Reply migrate_incoming(const Json& args, Output& out);
  Reply query_migrate(const Json& args, Output& out);

  static const std::vector<Command>& commands();

  QmpBackend& backend_;
  SessionOptions options_;
  JsonSplitter splitter_;
  bool negotiated_ = false;
  bool oob_enabled_ = false;
  bool quit_requested_ = false;
  bool shutdown_sent_ = false;

  MigrationCaps caps_;
  // The last `migrate`: status "completed" with its stats, or "failed" with a reason.
  std::optional<std::string> outgoing_status_;
  MigrationStats outgoing_stats_;
  std::string outgoing_error_;
};

}  // namespace mimeo::qmp
