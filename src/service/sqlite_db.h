// A thin RAII layer over SQLite's C API: one owner for the connection
// (sqlite3*) and one for each prepared statement (sqlite3_stmt*). Both are
// movable, not copyable. Errors are mimeo::Error naming the operation, the
// database file and SQLite's message, with `err` set to the errno a caller can
// act on (see sqlite_errno).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace mimeo::service {

// The errno for an (extended) SQLite result code: SQLITE_FULL -> ENOSPC,
// SQLITE_BUSY/LOCKED -> EAGAIN (another connection holds the lock; retry),
// a UNIQUE or PRIMARY KEY violation -> EEXIST, a FOREIGN KEY violation ->
// EBUSY (the row is referenced), SQLITE_READONLY -> EROFS, SQLITE_NOMEM ->
// ENOMEM, SQLITE_IOERR/CANTOPEN -> the system call's errno (`system_errno`)
// or EIO, anything else (SQLITE_NOTADB, SQLITE_CORRUPT, ...) 0.
[[nodiscard]] int sqlite_errno(int code, int system_errno);

class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* stmt, std::string operation);
  Statement(Statement&&) noexcept = default;
  Statement& operator=(Statement&&) noexcept = default;

  // Binding: parameters count from 1, like SQLite's ?1, ?2, ...
  Status bind(int index, int64_t value);
  Status bind(int index, double value);
  Status bind(int index, std::string_view text);
  Status bind(int index, const std::optional<std::string>& text);  // NULL when empty

  // One step: true when a row is available, false when the statement is done.
  // On an error the statement is reset at once (it holds no lock afterwards).
  Result<bool> step();
  // Steps a statement that returns no rows to its end.
  Status run();
  // Ready for new bindings: resets the statement and clears the old values.
  void reset();

  [[nodiscard]] int64_t column_int(int index) const;
  [[nodiscard]] double column_double(int index) const;
  [[nodiscard]] std::string column_text(int index) const;  // "" for NULL
  [[nodiscard]] std::optional<std::string> column_optional_text(int index) const;

  // An Error for SQLite's last failure on this statement's connection.
  [[nodiscard]] Error error(int code) const;

 private:
  struct Finalize {
    void operator()(sqlite3_stmt* stmt) const;
  };
  std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
  std::string operation_;  // "insert template", named in errors
};

class Database {
 public:
  // `flags`: SQLITE_OPEN_* flags for sqlite3_open_v2. Extended result codes on.
  static Result<Database> open(const std::string& path, int flags);

  Database(Database&&) noexcept = default;
  Database& operator=(Database&&) noexcept = default;
  ~Database();

  // Runs one or more statements without results (schema, PRAGMA, BEGIN).
  Status exec(std::string_view operation, const std::string& sql);
  // The first column of the first row of `sql` as an integer (PRAGMA values).
  Result<int64_t> query_int(std::string_view operation, const std::string& sql);
  // The first column of every row of `sql` as text.
  Result<std::string> query_text(std::string_view operation, const std::string& sql);

  // A statement prepared on first use and kept with the connection; it comes
  // back reset with no values bound. Valid until the Database is destroyed.
  // The cache is keyed by the address of `sql`: pass a string literal.
  Result<Statement*> cached(std::string_view operation, const char* sql);

  // Rows changed by the last INSERT, UPDATE or DELETE.
  [[nodiscard]] int changes() const;
  [[nodiscard]] const std::string& path() const { return path_; }
  // An Error for SQLite's last failure on this connection.
  [[nodiscard]] Error error(std::string_view operation, int code) const;

 private:
  struct Close {
    void operator()(sqlite3* db) const;
  };
  Database(std::unique_ptr<sqlite3, Close> db, std::string path);

  std::unique_ptr<sqlite3, Close> db_;
  std::string path_;
  // Destroyed before db_ (declared after it): statements are finalized first.
  std::map<const char*, Statement> cache_;
};

// BEGIN IMMEDIATE now; ROLLBACK on destruction unless commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> begin(Database& db);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  Status commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_ = nullptr;  // null once committed or rolled back
};

}  // namespace mimeo::service
