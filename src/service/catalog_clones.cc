// The catalog's clones.
#include <cerrno>

#include "service/catalog.h"

namespace mimeo::service {
namespace {

constexpr const char* kCloneColumns =
    "id, name, template_name, state, pid, uuid, dir, created_unix, create_ms, from_pool, reason";

constexpr CloneRecordState kAllStates[] = {
    CloneRecordState::kWarm,   CloneRecordState::kRunning, CloneRecordState::kPaused,
    CloneRecordState::kExited, CloneRecordState::kCrashed, CloneRecordState::kLost,
};

Result<CloneRecordState> parse_state(const std::string& text) {
  for (auto state : kAllStates) {
    if (text == clone_record_state_name(state)) {
      return state;
    }
  }
  return make_error("unknown clone state \"" + text + "\"");
}

Result<CloneRecord> read_clone(const Statement& row) {
  CloneRecord record;
  record.id = row.column_text(0);
  record.name = row.column_optional_text(1);
  record.template_name = row.column_text(2);
  MIMEO_ASSIGN_OR_RETURN(record.state, parse_state(row.column_text(3)));
  record.pid = static_cast<int>(row.column_int(4));
  record.uuid = row.column_text(5);
  record.dir = row.column_text(6);
  record.created_unix = row.column_int(7);
  record.create_ms = row.column_double(8);
  record.from_pool = row.column_int(9) != 0;
  record.reason = row.column_optional_text(10);
  return record;
}

}  // namespace

const char* clone_record_state_name(CloneRecordState state) {
  if (state == CloneRecordState::kWarm) {
    return "warm";
  }
  return clone_state_name(*public_clone_state(state));
}

std::optional<CloneState> public_clone_state(CloneRecordState state) {
  switch (state) {
    case CloneRecordState::kWarm: return std::nullopt;
    case CloneRecordState::kRunning: return CloneState::kRunning;
    case CloneRecordState::kPaused: return CloneState::kPaused;
    case CloneRecordState::kExited: return CloneState::kExited;
    case CloneRecordState::kCrashed: return CloneState::kCrashed;
    case CloneRecordState::kLost: return CloneState::kLost;
  }
  return std::nullopt;
}

CloneRecordState record_clone_state(CloneState state) {
  switch (state) {
    case CloneState::kRunning: return CloneRecordState::kRunning;
    case CloneState::kPaused: return CloneRecordState::kPaused;
    case CloneState::kExited: return CloneRecordState::kExited;
    case CloneState::kCrashed: return CloneRecordState::kCrashed;
    case CloneState::kLost: return CloneRecordState::kLost;
  }
  return CloneRecordState::kLost;
}

Status Catalog::add_clone(const CloneRecord& record) {
  MIMEO_ASSIGN_OR_RETURN(
      Statement * insert,
      db_.cached("insert clone",
                 "INSERT INTO clones (id, name, template_name, state, pid, uuid, dir, "
                 "created_unix, create_ms, from_pool, reason) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"));
  MIMEO_TRY(insert->bind(1, std::string_view(record.id)));
  MIMEO_TRY(insert->bind(2, record.name));
  MIMEO_TRY(insert->bind(3, std::string_view(record.template_name)));
  MIMEO_TRY(insert->bind(4, std::string_view(clone_record_state_name(record.state))));
  MIMEO_TRY(insert->bind(5, int64_t{record.pid}));
  MIMEO_TRY(insert->bind(6, std::string_view(record.uuid)));
  MIMEO_TRY(insert->bind(7, std::string_view(record.dir)));
  MIMEO_TRY(insert->bind(8, record.created_unix));
  MIMEO_TRY(insert->bind(9, record.create_ms));
  MIMEO_TRY(insert->bind(10, int64_t{record.from_pool}));
  MIMEO_TRY(insert->bind(11, record.reason));
  Status inserted = insert->run();
  if (inserted.ok()) {
    return inserted;
  }
  if (inserted.error().err == EEXIST) {
    MIMEO_ASSIGN_OR_RETURN(auto same_id, find_clone(record.id));
    if (same_id.has_value() && same_id->id == record.id) {
      return Error{"clone id " + record.id + " exists", EEXIST};
    }
    return Error{"clone name \"" + record.name.value_or("") + "\" is taken", EEXIST};
  }
  if (inserted.error().err == EBUSY) {  // the foreign key: no such template
    return Error{"no template \"" + record.template_name + "\"", ENOENT};
  }
  return inserted;
}

Status Catalog::hand_out_clone(const std::string& id, const HandOut& hand_out) {
  // Without a name the name column is left out of SET: SQLite rewrites an
  // index entry for every indexed column that is SET, even to the same value,
  // and the UNIQUE name index would be one more page in the WAL on the path
  // of every clone request (measured: ~90 us for this statement here).
  MIMEO_ASSIGN_OR_RETURN(
      Statement * update,
      hand_out.name
          ? db_.cached("hand out named clone",
                       "UPDATE clones SET name = ?2, uuid = ?3, create_ms = ?4, from_pool = ?5, "
                       "created_unix = ?6, state = 'running' WHERE id = ?1 AND state = 'warm'")
          : db_.cached("hand out clone",
                       "UPDATE clones SET uuid = ?3, create_ms = ?4, from_pool = ?5, "
                       "created_unix = ?6, state = 'running' WHERE id = ?1 AND state = 'warm'"));
  MIMEO_TRY(update->bind(1, std::string_view(id)));
  if (hand_out.name) {
    MIMEO_TRY(update->bind(2, hand_out.name));
  }
  MIMEO_TRY(update->bind(3, std::string_view(hand_out.uuid)));
  MIMEO_TRY(update->bind(4, hand_out.create_ms));
  MIMEO_TRY(update->bind(5, int64_t{hand_out.from_pool}));
  MIMEO_TRY(update->bind(6, hand_out.created_unix));
  Status updated = update->run();
  if (!updated.ok() && updated.error().err == EEXIST) {
    return Error{"clone name \"" + hand_out.name.value_or("") + "\" is taken", EEXIST};
  }
  MIMEO_TRY(updated);
  if (db_.changes() == 1) {
    return {};
  }
  MIMEO_ASSIGN_OR_RETURN(auto clone, find_clone(id));
  if (!clone.has_value() || clone->id != id) {
    return Error{"no clone " + id, ENOENT};
  }
  return Error{"clone " + id + " is " + clone_record_state_name(clone->state) + ", not warm",
               EINVAL};
}

Status Catalog::set_clone_state(const std::string& id, CloneRecordState state,
                                const std::optional<std::string>& reason) {
  MIMEO_ASSIGN_OR_RETURN(
      Statement * update,
      db_.cached("update clone state", "UPDATE clones SET state = ?2, reason = ?3 WHERE id = ?1"));
  MIMEO_TRY(update->bind(1, std::string_view(id)));
  MIMEO_TRY(update->bind(2, std::string_view(clone_record_state_name(state))));
  MIMEO_TRY(update->bind(3, reason));
  MIMEO_TRY(update->run());
  return expect_changed("clone", id);
}

Status Catalog::set_clone_pid(const std::string& id, int pid) {
  MIMEO_ASSIGN_OR_RETURN(
      Statement * update,
      db_.cached("update clone pid", "UPDATE clones SET pid = ?2 WHERE id = ?1"));
  MIMEO_TRY(update->bind(1, std::string_view(id)));
  MIMEO_TRY(update->bind(2, int64_t{pid}));
  MIMEO_TRY(update->run());
  return expect_changed("clone", id);
}

Status Catalog::remove_clone(const std::string& id) {
  MIMEO_ASSIGN_OR_RETURN(Statement * remove,
                         db_.cached("delete clone", "DELETE FROM clones WHERE id = ?1"));
  MIMEO_TRY(remove->bind(1, std::string_view(id)));
  MIMEO_TRY(remove->run());
  return expect_changed("clone", id);
}

Result<std::optional<CloneRecord>> Catalog::find_clone(const std::string& id_or_name) {
  // An id wins over another clone's name that happens to look the same.
  static const std::string sql = std::string("SELECT ") + kCloneColumns +
                                 " FROM clones WHERE id = ?1 OR name = ?1 "
                                 "ORDER BY id = ?1 DESC LIMIT 1";
  MIMEO_ASSIGN_OR_RETURN(Statement * select, db_.cached("select clone", sql.c_str()));
  MIMEO_TRY(select->bind(1, std::string_view(id_or_name)));
  MIMEO_ASSIGN_OR_RETURN(bool found, select->step());
  if (!found) {
    return std::optional<CloneRecord>();
  }
  auto record = read_clone(*select);
  select->reset();
  if (!record.ok()) {
    return record.error().context("catalog " + path() + ": clone " + id_or_name);
  }
  return std::optional<CloneRecord>(std::move(record).value());
}

Result<std::vector<CloneRecord>> Catalog::clones() {
  static const std::string sql =
      std::string("SELECT ") + kCloneColumns + " FROM clones ORDER BY rowid";
  MIMEO_ASSIGN_OR_RETURN(Statement * select, db_.cached("select clones", sql.c_str()));
  std::vector<CloneRecord> records;
  for (;;) {
    MIMEO_ASSIGN_OR_RETURN(bool row, select->step());
    if (!row) {
      return records;
    }
    auto record = read_clone(*select);
    if (!record.ok()) {
      select->reset();
      return record.error().context("catalog " + path());
    }
    records.push_back(std::move(record).value());
  }
}

Result<unsigned> Catalog::count_clones_of(const std::string& template_name) {
  MIMEO_ASSIGN_OR_RETURN(Statement * count,
                         db_.cached("count handed-out clones of template",
                                    "SELECT count(*) FROM clones WHERE template_name = ?1 AND "
                                    "state <> 'warm'"));
  MIMEO_TRY(count->bind(1, std::string_view(template_name)));
  MIMEO_TRY(count->step());
  auto clones = static_cast<unsigned>(count->column_int(0));
  count->reset();
  return clones;
}

}  // namespace mimeo::service
