// Catalog::open: checks an existing file before anything may write to it,
// then configures the connection and creates the schema.
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <sstream>

#include "base/unique_fd.h"
#include "service/catalog.h"

namespace mimeo::service {
namespace {

// The schema this build writes and understands, in PRAGMA user_version.
constexpr int64_t kSchemaVersion = 1;
// PRAGMA application_id marks the file as a mimeo catalog: 'mimc'.
constexpr int64_t kApplicationId = 0x6d696d63;

constexpr const char* kSchema = R"sql(
CREATE TABLE templates (
  name TEXT PRIMARY KEY NOT NULL,
  dir TEXT NOT NULL,
  owned INTEGER NOT NULL CHECK (owned IN (0, 1)),
  memory_bytes INTEGER NOT NULL CHECK (memory_bytes >= 0),
  cpus INTEGER NOT NULL CHECK (cpus >= 0),
  created_unix INTEGER NOT NULL,
  pool_size INTEGER NOT NULL CHECK (pool_size >= 0),
  status TEXT NOT NULL CHECK (status IN ('creating', 'ready'))
) STRICT;
CREATE TABLE clones (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT UNIQUE,
  template_name TEXT NOT NULL REFERENCES templates (name),
  state TEXT NOT NULL
    CHECK (state IN ('warm', 'running', 'paused', 'exited', 'crashed', 'lost')),
  pid INTEGER NOT NULL,
  uuid TEXT NOT NULL,
  dir TEXT NOT NULL,
  created_unix INTEGER NOT NULL,
  create_ms REAL NOT NULL,
  from_pool INTEGER NOT NULL CHECK (from_pool IN (0, 1)),
  reason TEXT
) STRICT;
CREATE INDEX clones_by_template ON clones (template_name);
)sql";

Error refused(const std::string& path, const std::string& why) {
  return make_error("catalog " + path + ": " + why + "; it was left as it is");
}

std::string hex(int64_t value) {
  char text[32];
  std::snprintf(text, sizeof(text), "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

// Creates a missing file with mode 0600 (SQLite would use 0644 and the
// umask); an empty file is an empty database. Its -wal and -shm files get the
// same mode from SQLite.
Status create_if_missing(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) {
      return make_error("catalog " + path + ": not a regular file");
    }
    return {};
  }
  if (errno != ENOENT) {
    return errno_error("catalog: stat " + path);
  }
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid() && errno != EEXIST) {
    return errno_error("catalog: create " + path);
  }
  return {};
}

// A SQLite error's text without the file's path, which the caller names.
std::string without_path(const Error& error, const std::string& path) {
  std::string text = error.describe();
  if (text.starts_with(path + ": ")) {
    text.erase(0, path.size() + 2);
  }
  return text;
}

// "ok", or the first problem PRAGMA quick_check reported (one per row, after
// a "*** in database main ***" heading).
std::string first_problem(const std::string& rows) {
  std::istringstream lines(rows);
  std::string line;
  while (std::getline(lines, line) && line.starts_with("*** ")) {
  }
  return line == "ok" ? line : "PRAGMA quick_check: " + line;
}

// What the file says about itself.
struct FileFacts {
  int64_t application_id = 0;
  int64_t version = 0;
  int64_t schema_objects = 0;
  std::string quick_check;
};

// Reads the facts on a read-only connection: nothing here can write to the
// file (no hot-journal rollback, no checkpoint on close).
Result<FileFacts> read_facts(const std::string& path) {
  MIMEO_ASSIGN_OR_RETURN(Database db, Database::open(path, SQLITE_OPEN_READONLY));
  FileFacts facts;
  MIMEO_ASSIGN_OR_RETURN(facts.application_id,
                         db.query_int("read application_id", "PRAGMA application_id"));
  MIMEO_ASSIGN_OR_RETURN(facts.version, db.query_int("read schema version", "PRAGMA user_version"));
  MIMEO_ASSIGN_OR_RETURN(facts.schema_objects,
                         db.query_int("read schema", "SELECT count(*) FROM sqlite_schema"));
  if (facts.version <= kSchemaVersion) {  // a newer schema may need checks we do not know
    // Problems found come as rows; a page too broken to read fails the query.
    auto check = db.query_text("PRAGMA quick_check", "PRAGMA quick_check");
    facts.quick_check = check.ok() ? first_problem(*check) : without_path(check.error(), path);
  }
  return facts;
}

// Refuses a file that is not a catalog this build can use; else its schema
// version (0: a new, empty database).
Result<int64_t> check_existing(const std::string& path) {
  auto facts = read_facts(path);
  if (!facts.ok() && facts.error().err == EAGAIN) {
    // The daemon holds its catalog in exclusive locking mode (Catalog::open).
    return Error{"catalog " + path +
                     " is in use by another process (another mimeo serve on this state "
                     "directory?)",
                 EBUSY};
  }
  if (!facts.ok()) {
    return refused(path,
                   "not a usable SQLite database (" + without_path(facts.error(), path) + ")");
  }
  if (facts->application_id != kApplicationId &&
      (facts->application_id != 0 || facts->schema_objects != 0)) {
    return refused(path, "a SQLite database of another application (application_id " +
                             hex(facts->application_id) + ", " +
                             std::to_string(facts->schema_objects) +
                             " schema objects), not a mimeo catalog");
  }
  if (facts->version > kSchemaVersion) {
    return refused(path, "schema version " + std::to_string(facts->version) +
                             " is newer than this mimeo knows (" + std::to_string(kSchemaVersion) +
                             "); use the newer mimeo that wrote it");
  }
  if (facts->quick_check != "ok") {
    return refused(path, "damaged (" + facts->quick_check + ")");
  }
  return facts->version;
}

Status create_schema(Database& db) {
  MIMEO_ASSIGN_OR_RETURN(Transaction transaction, Transaction::begin(db));
  // Checked again under the write lock: another process may have won the race.
  MIMEO_ASSIGN_OR_RETURN(int64_t version,
                         db.query_int("read schema version", "PRAGMA user_version"));
  if (version != 0) {
    return {};
  }
  MIMEO_TRY(db.exec("create schema", kSchema));
  MIMEO_TRY(
      db.exec("set application_id", "PRAGMA application_id = " + std::to_string(kApplicationId)));
  MIMEO_TRY(
      db.exec("set schema version", "PRAGMA user_version = " + std::to_string(kSchemaVersion)));
  return transaction.commit();
}

}  // namespace

Result<Catalog> Catalog::open(const std::string& path) {
  MIMEO_TRY(create_if_missing(path));
  MIMEO_ASSIGN_OR_RETURN(int64_t version, check_existing(path));
  // NOMUTEX: one connection, used by one thread at a time (the caller's mutex).
  MIMEO_ASSIGN_OR_RETURN(Database db,
                         Database::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX));
  // Two daemons started at the same moment on one state directory both pass
  // check_existing(): the second one waits this long for the lock, then fails.
  MIMEO_TRY(db.exec("set busy timeout", "PRAGMA busy_timeout = 5000"));
  // Exclusive locking mode, set before the first WAL access: SQLite then
  // keeps the WAL index in the heap instead of a shared-memory file and takes
  // its file locks once, where every transaction took and dropped 4 to 8
  // fcntl() locks (about 30 us on a clone request here). The catalog's one
  // user is this daemon; a second daemon on the same state directory is
  // refused (check_existing()).
  MIMEO_ASSIGN_OR_RETURN(std::string locking,
                         db.query_text("set locking mode", "PRAGMA locking_mode = EXCLUSIVE"));
  if (locking != "exclusive") {
    return make_error("catalog " + path + ": cannot lock it for this process (locking mode " +
                      locking + ")");
  }
  MIMEO_ASSIGN_OR_RETURN(std::string journal,
                         db.query_text("set WAL journal", "PRAGMA journal_mode = WAL"));
  if (journal != "wal") {
    return make_error("catalog " + path + ": cannot use a write-ahead log (journal mode " +
                      journal + ")");
  }
  // In WAL mode, synchronous=NORMAL syncs at checkpoints, not at every commit:
  // a commit is durable once its write() returned, which survives a SIGKILL
  // of the daemon (the data is in the kernel's page cache). Only a power loss
  // or kernel crash may lose the last commits, never the database's integrity.
  MIMEO_TRY(db.exec("set synchronous", "PRAGMA synchronous = NORMAL"));
  MIMEO_TRY(db.exec("enable foreign keys", "PRAGMA foreign_keys = ON"));
  if (version == 0) {
    MIMEO_TRY(create_schema(db));
  }
  return Catalog(std::move(db));
}

}  // namespace mimeo::service
