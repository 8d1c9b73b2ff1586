// The daemon's catalog: the templates and clones it knows, in a SQLite file
// under its state directory, so that a restarted daemon (even after SIGKILL)
// knows what exists, reattaches the clones that still run and reports the
// ones that were lost.
//
// Thread safety: none inside. The daemon's core serializes every call with
// its own mutex (the connection is opened SQLITE_OPEN_NOMUTEX).
//
// Errors are mimeo::Error with `err` telling the caller what happened:
//   EEXIST  the template name, clone name or clone id is taken      (409)
//   EBUSY   the template still has clones                            (409)
//   ENOENT  no such template or clone                                (404)
//   ENOSPC  the disk is full; the operation changed nothing          (507)
//   EAGAIN  another process holds the database locked                (503)
// anything else is internal. catalog_service_error() maps them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "service/service_error.h"
#include "service/service_types.h"
#include "service/sqlite_db.h"

namespace mimeo::service {

enum class TemplateStatus {
  kCreating,  // inserted before its directory is made; removed at start-up if left over
  kReady,
};

// What a clone's process is doing, as the catalog records it: CloneState plus
// kWarm for pool members not yet handed out (not listed to users, but recorded
// so that a restarted daemon finds and stops the orphaned processes).
enum class CloneRecordState { kWarm, kRunning, kPaused, kExited, kCrashed, kLost };

struct TemplateRecord {
  std::string name;
  std::string dir;
  bool owned = false;  // the daemon created it (and removes its directory)
  uint64_t memory_bytes = 0;
  unsigned cpus = 0;
  int64_t created_unix = 0;
  unsigned pool_size = 0;
  TemplateStatus status = TemplateStatus::kCreating;

  bool operator==(const TemplateRecord&) const = default;
};

struct CloneRecord {
  std::string id;
  std::optional<std::string> name;
  std::string template_name;
  CloneRecordState state = CloneRecordState::kWarm;
  int pid = 0;
  std::string uuid;
  std::string dir;  // the clone's runtime directory (its sockets)
  int64_t created_unix = 0;
  double create_ms = 0;
  bool from_pool = false;
  std::optional<std::string> reason;

  bool operator==(const CloneRecord&) const = default;
};

// What changes when a clone is handed out to a user: its state becomes running.
struct HandOut {
  std::optional<std::string> name;
  std::string uuid;
  double create_ms = 0;
  bool from_pool = false;
  int64_t created_unix = 0;  // when the user got it
};

[[nodiscard]] const char* template_status_name(TemplateStatus status);
[[nodiscard]] const char* clone_record_state_name(CloneRecordState state);
// The state users see; none for kWarm.
[[nodiscard]] std::optional<CloneState> public_clone_state(CloneRecordState state);
[[nodiscard]] CloneRecordState record_clone_state(CloneState state);
// EEXIST/EBUSY -> kConflict, ENOENT -> kNotFound, ENOSPC -> kNoSpace,
// EAGAIN -> kUnavailable, else kInternal.
[[nodiscard]] ServiceError catalog_service_error(const Error& error);

class Catalog {
 public:
  // Opens the catalog at `path`, creating the file (mode 0600) and its schema
  // if missing. A file that is not a SQLite database, fails PRAGMA
  // quick_check, belongs to another application or has a newer schema than
  // this build knows is refused with an error naming it, and left untouched.
  static Result<Catalog> open(const std::string& path);

  [[nodiscard]] const std::string& path() const { return db_.path(); }

  Status add_template(const TemplateRecord& record);
  Status set_template_status(const std::string& name, TemplateStatus status);
  Status set_pool_size(const std::string& name, unsigned pool_size);
  // Refused (EBUSY) while any clone, warm ones included, refers to it.
  Status remove_template(const std::string& name);
  Result<std::optional<TemplateRecord>> find_template(const std::string& name);
  Result<std::vector<TemplateRecord>> templates();  // in the order they were added

  // EEXIST for a taken id or name, ENOENT for an unknown template.
  Status add_clone(const CloneRecord& record);
  // Hands a warm clone out: the fields of `hand_out`, state running. EEXIST
  // when the name is taken, EINVAL when the clone is not warm.
  Status hand_out_clone(const std::string& id, const HandOut& hand_out);
  Status set_clone_state(const std::string& id, CloneRecordState state,
                         const std::optional<std::string>& reason);
  Status set_clone_pid(const std::string& id, int pid);
  Status remove_clone(const std::string& id);
  // By id, else by name.
  Result<std::optional<CloneRecord>> find_clone(const std::string& id_or_name);
  Result<std::vector<CloneRecord>> clones();                           // all, warm ones included
  Result<unsigned> count_clones_of(const std::string& template_name);  // warm ones excluded

 private:
  explicit Catalog(Database db) : db_(std::move(db)) {}
  // ENOENT "no <what> <key>" when the last UPDATE/DELETE changed no row.
  Status expect_changed(const char* what, const std::string& key) const;

  Database db_;
};

}  // namespace mimeo::service
