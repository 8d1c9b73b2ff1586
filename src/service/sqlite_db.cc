#include "service/sqlite_db.h"

#include <sqlite3.h>

#include <cerrno>
#include <cstdlib>
#include <utility>

namespace mimeo::service {
namespace {

std::string database_path(sqlite3* db) {
  const char* name = db == nullptr ? nullptr : sqlite3_db_filename(db, "main");
  return name == nullptr ? std::string("(database)") : std::string(name);
}

Error sqlite_error(sqlite3* db, const std::string& path, std::string_view operation, int code) {
  const char* message = db == nullptr ? sqlite3_errstr(code) : sqlite3_errmsg(db);
  int system_errno = db == nullptr ? 0 : sqlite3_system_errno(db);
  return Error{path + ": " + std::string(operation) + ": " + message,
               sqlite_errno(code, system_errno)};
}

}  // namespace

int sqlite_errno(int code, int system_errno) {
  switch (code) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY: return EEXIST;
    case SQLITE_CONSTRAINT_FOREIGNKEY: return EBUSY;
    default: break;
  }
  switch (code & 0xff) {
    case SQLITE_FULL: return ENOSPC;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return EAGAIN;
    case SQLITE_READONLY: return EROFS;
    case SQLITE_NOMEM: return ENOMEM;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN: return system_errno != 0 ? system_errno : EIO;
    default: return 0;
  }
}

void Statement::Finalize::operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }

Statement::Statement(sqlite3_stmt* stmt, std::string operation)
    : stmt_(stmt), operation_(std::move(operation)) {}

Error Statement::error(int code) const {
  sqlite3* db = sqlite3_db_handle(stmt_.get());
  return sqlite_error(db, database_path(db), operation_, code);
}

Status Statement::bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_.get(), index, value);
  return rc == SQLITE_OK ? Status() : Status(error(rc));
}

Status Statement::bind(int index, double value) {
  int rc = sqlite3_bind_double(stmt_.get(), index, value);
  return rc == SQLITE_OK ? Status() : Status(error(rc));
}

Status Statement::bind(int index, std::string_view text) {
  int rc = sqlite3_bind_text64(stmt_.get(), index, text.data(), text.size(), SQLITE_TRANSIENT,
                               SQLITE_UTF8);
  return rc == SQLITE_OK ? Status() : Status(error(rc));
}

Status Statement::bind(int index, const std::optional<std::string>& text) {
  if (text.has_value()) {
    return bind(index, std::string_view(*text));
  }
  int rc = sqlite3_bind_null(stmt_.get(), index);
  return rc == SQLITE_OK ? Status() : Status(error(rc));
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  Error failure = error(rc);
  sqlite3_reset(stmt_.get());
  return failure;
}

Status Statement::run() {
  for (;;) {
    MIMEO_ASSIGN_OR_RETURN(bool row, step());
    if (!row) {
      return {};
    }
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

int64_t Statement::column_int(int index) const { return sqlite3_column_int64(stmt_.get(), index); }

double Statement::column_double(int index) const {
  return sqlite3_column_double(stmt_.get(), index);
}

std::string Statement::column_text(int index) const {
  const unsigned char* text = sqlite3_column_text(stmt_.get(), index);
  if (text == nullptr) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), index)));
}

std::optional<std::string> Statement::column_optional_text(int index) const {
  if (sqlite3_column_type(stmt_.get(), index) == SQLITE_NULL) {
    return std::nullopt;
  }
  return column_text(index);
}

// close_v2: a connection whose statements are still alive closes once the
// last one is finalized, instead of failing with SQLITE_BUSY.
void Database::Close::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

Database::Database(std::unique_ptr<sqlite3, Close> db, std::string path)
    : db_(std::move(db)), path_(std::move(path)) {}

Database::~Database() = default;

Result<Database> Database::open(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<sqlite3, Close> db(raw);
  if (rc != SQLITE_OK) {
    return sqlite_error(db.get(), path, "open", rc);
  }
  sqlite3_extended_result_codes(db.get(), 1);
  return Database(std::move(db), path);
}

Error Database::error(std::string_view operation, int code) const {
  return sqlite_error(db_.get(), path_, operation, code);
}

Status Database::exec(std::string_view operation, const std::string& sql) {
  int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? Status() : Status(error(operation, rc));
}

Result<Statement*> Database::cached(std::string_view operation, const char* sql) {
  auto found = cache_.find(sql);
  if (found != cache_.end()) {
    found->second.reset();
    return &found->second;
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    return error(operation, rc);
  }
  auto [inserted, ignored] = cache_.emplace(sql, Statement(stmt, std::string(operation)));
  return &inserted->second;
}

Result<int64_t> Database::query_int(std::string_view operation, const std::string& sql) {
  MIMEO_ASSIGN_OR_RETURN(std::string text, query_text(operation, sql));
  return static_cast<int64_t>(std::strtoll(text.c_str(), nullptr, 10));
}

Result<std::string> Database::query_text(std::string_view operation, const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &raw, nullptr);
  Statement stmt(raw, std::string(operation));
  if (rc != SQLITE_OK) {
    return error(operation, rc);
  }
  std::string text;
  for (bool first = true;; first = false) {
    MIMEO_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) {
      return text;
    }
    text += first ? "" : "\n";
    text += stmt.column_text(0);
  }
}

int Database::changes() const { return sqlite3_changes(db_.get()); }

Result<Transaction> Transaction::begin(Database& db) {
  MIMEO_TRY(db.exec("begin transaction", "BEGIN IMMEDIATE"));
  return Transaction(&db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  if (db_ != nullptr) {
    (void)db_->exec("roll back transaction", "ROLLBACK");
  }
}

Status Transaction::commit() {
  Database* db = std::exchange(db_, nullptr);
  Status status = db->exec("commit transaction", "COMMIT");
  if (!status.ok()) {
    // A failed COMMIT (disk full) may leave the transaction open: end it.
    (void)db->exec("roll back transaction", "ROLLBACK");
  }
  return status;
}

}  // namespace mimeo::service
