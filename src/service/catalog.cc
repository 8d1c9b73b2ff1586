// The catalog's templates, and the names of its enums.
#include "service/catalog.h"

#include <cerrno>

namespace mimeo::service {
namespace {

constexpr const char* kTemplateColumns =
    "name, dir, owned, memory_bytes, cpus, created_unix, pool_size, status";

Result<TemplateStatus> parse_status(const std::string& text) {
  for (auto status : {TemplateStatus::kCreating, TemplateStatus::kReady}) {
    if (text == template_status_name(status)) {
      return status;
    }
  }
  return make_error("unknown template status \"" + text + "\"");
}

Result<TemplateRecord> read_template(const Statement& row) {
  TemplateRecord record;
  record.name = row.column_text(0);
  record.dir = row.column_text(1);
  record.owned = row.column_int(2) != 0;
  record.memory_bytes = static_cast<uint64_t>(row.column_int(3));
  record.cpus = static_cast<unsigned>(row.column_int(4));
  record.created_unix = row.column_int(5);
  record.pool_size = static_cast<unsigned>(row.column_int(6));
  MIMEO_ASSIGN_OR_RETURN(record.status, parse_status(row.column_text(7)));
  return record;
}

}  // namespace

const char* template_status_name(TemplateStatus status) {
  switch (status) {
    case TemplateStatus::kCreating: return "creating";
    case TemplateStatus::kReady: return "ready";
  }
  return "unknown";
}

ServiceError catalog_service_error(const Error& error) {
  switch (error.err) {
    case EEXIST:
    case EBUSY: return conflict(error.message);
    case ENOENT: return not_found(error.message);
    case ENOSPC: return {ErrorKind::kNoSpace, error.describe()};
    case EAGAIN: return {ErrorKind::kUnavailable, error.describe()};
    default: return internal(error);
  }
}

Status Catalog::expect_changed(const char* what, const std::string& key) const {
  if (db_.changes() == 0) {
    return Error{std::string("no ") + what + " \"" + key + "\"", ENOENT};
  }
  return {};
}

Status Catalog::add_template(const TemplateRecord& record) {
  MIMEO_ASSIGN_OR_RETURN(
      Statement * insert,
      db_.cached("insert template",
                 "INSERT INTO templates (name, dir, owned, memory_bytes, cpus, created_unix, "
                 "pool_size, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
  MIMEO_TRY(insert->bind(1, std::string_view(record.name)));
  MIMEO_TRY(insert->bind(2, std::string_view(record.dir)));
  MIMEO_TRY(insert->bind(3, int64_t{record.owned}));
  MIMEO_TRY(insert->bind(4, static_cast<int64_t>(record.memory_bytes)));
  MIMEO_TRY(insert->bind(5, int64_t{record.cpus}));
  MIMEO_TRY(insert->bind(6, record.created_unix));
  MIMEO_TRY(insert->bind(7, int64_t{record.pool_size}));
  MIMEO_TRY(insert->bind(8, std::string_view(template_status_name(record.status))));
  Status inserted = insert->run();
  if (!inserted.ok() && inserted.error().err == EEXIST) {
    return Error{"template \"" + record.name + "\" exists", EEXIST};
  }
  return inserted;
}

Status Catalog::set_template_status(const std::string& name, TemplateStatus status) {
  MIMEO_ASSIGN_OR_RETURN(
      Statement * update,
      db_.cached("update template status", "UPDATE templates SET status = ?2 WHERE name = ?1"));
  MIMEO_TRY(update->bind(1, std::string_view(name)));
  MIMEO_TRY(update->bind(2, std::string_view(template_status_name(status))));
  MIMEO_TRY(update->run());
  return expect_changed("template", name);
}

Status Catalog::set_pool_size(const std::string& name, unsigned pool_size) {
  MIMEO_ASSIGN_OR_RETURN(Statement * update,
                         db_.cached("update template pool size",
                                    "UPDATE templates SET pool_size = ?2 WHERE name = ?1"));
  MIMEO_TRY(update->bind(1, std::string_view(name)));
  MIMEO_TRY(update->bind(2, int64_t{pool_size}));
  MIMEO_TRY(update->run());
  return expect_changed("template", name);
}

Status Catalog::remove_template(const std::string& name) {
  MIMEO_ASSIGN_OR_RETURN(Transaction transaction, Transaction::begin(db_));
  MIMEO_ASSIGN_OR_RETURN(Statement * count,
                         db_.cached("count clones of template",
                                    "SELECT count(*) FROM clones WHERE template_name = ?1"));
  MIMEO_TRY(count->bind(1, std::string_view(name)));
  MIMEO_TRY(count->step());
  int64_t clones = count->column_int(0);
  count->reset();
  if (clones > 0) {
    return Error{"template \"" + name + "\" has " + std::to_string(clones) + " clone" +
                     (clones == 1 ? "" : "s"),
                 EBUSY};
  }
  MIMEO_ASSIGN_OR_RETURN(Statement * remove,
                         db_.cached("delete template", "DELETE FROM templates WHERE name = ?1"));
  MIMEO_TRY(remove->bind(1, std::string_view(name)));
  MIMEO_TRY(remove->run());
  MIMEO_TRY(expect_changed("template", name));
  return transaction.commit();
}

Result<std::optional<TemplateRecord>> Catalog::find_template(const std::string& name) {
  static const std::string sql =
      std::string("SELECT ") + kTemplateColumns + " FROM templates WHERE name = ?1";
  MIMEO_ASSIGN_OR_RETURN(Statement * select, db_.cached("select template", sql.c_str()));
  MIMEO_TRY(select->bind(1, std::string_view(name)));
  MIMEO_ASSIGN_OR_RETURN(bool found, select->step());
  if (!found) {
    return std::optional<TemplateRecord>();
  }
  auto record = read_template(*select);
  select->reset();
  if (!record.ok()) {
    return record.error().context("catalog " + path() + ": template \"" + name + "\"");
  }
  return std::optional<TemplateRecord>(std::move(record).value());
}

Result<std::vector<TemplateRecord>> Catalog::templates() {
  static const std::string sql =
      std::string("SELECT ") + kTemplateColumns + " FROM templates ORDER BY rowid";
  MIMEO_ASSIGN_OR_RETURN(Statement * select, db_.cached("select templates", sql.c_str()));
  std::vector<TemplateRecord> records;
  for (;;) {
    MIMEO_ASSIGN_OR_RETURN(bool row, select->step());
    if (!row) {
      return records;
    }
    auto record = read_template(*select);
    if (!record.ok()) {
      select->reset();
      return record.error().context("catalog " + path());
    }
    records.push_back(std::move(record).value());
  }
}

}  // namespace mimeo::service
