#include "service/sqlite_db.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cerrno>

#include "common/temp_dir.h"

namespace mimeo::service {
namespace {

TEST(SqliteErrnoTest, MapsWhatCallersActOn) {
  EXPECT_EQ(sqlite_errno(SQLITE_FULL, 0), ENOSPC);
  EXPECT_EQ(sqlite_errno(SQLITE_BUSY, 0), EAGAIN);
  EXPECT_EQ(sqlite_errno(SQLITE_BUSY_SNAPSHOT, 0), EAGAIN);
  EXPECT_EQ(sqlite_errno(SQLITE_LOCKED, 0), EAGAIN);
  EXPECT_EQ(sqlite_errno(SQLITE_CONSTRAINT_UNIQUE, 0), EEXIST);
  EXPECT_EQ(sqlite_errno(SQLITE_CONSTRAINT_PRIMARYKEY, 0), EEXIST);
  EXPECT_EQ(sqlite_errno(SQLITE_CONSTRAINT_FOREIGNKEY, 0), EBUSY);
  EXPECT_EQ(sqlite_errno(SQLITE_CONSTRAINT_CHECK, 0), 0);
  EXPECT_EQ(sqlite_errno(SQLITE_IOERR_WRITE, EIO), EIO);
  EXPECT_EQ(sqlite_errno(SQLITE_CANTOPEN, EACCES), EACCES);
  EXPECT_EQ(sqlite_errno(SQLITE_READONLY, 0), EROFS);
  EXPECT_EQ(sqlite_errno(SQLITE_NOTADB, 0), 0);
}

class SqliteDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::open(path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    ASSERT_TRUE(db.ok()) << db.error().describe();
    db_.emplace(std::move(db).value());
    ASSERT_TRUE(db_->exec("create", "CREATE TABLE t (k TEXT PRIMARY KEY, v REAL, n TEXT)").ok());
  }

  mimeo::testing::TempDir dir_;
  std::string path_ = dir_.file("test.db");
  std::optional<Database> db_;
};

TEST_F(SqliteDbTest, CachedStatementsComeBackResetAndUnbound) {
  auto insert = db_->cached("insert", "INSERT INTO t (k, v, n) VALUES (?1, ?2, ?3)");
  ASSERT_TRUE(insert.ok());
  ASSERT_TRUE((*insert)->bind(1, std::string_view("a")).ok());
  ASSERT_TRUE((*insert)->bind(2, 1.5).ok());
  ASSERT_TRUE((*insert)->bind(3, std::optional<std::string>("x")).ok());
  ASSERT_TRUE((*insert)->run().ok());
  auto again = db_->cached("insert", "INSERT INTO t (k, v, n) VALUES (?1, ?2, ?3)");
  ASSERT_EQ(*again, *insert);  // one prepared statement per SQL text
  ASSERT_TRUE((*again)->bind(1, std::string_view("b")).ok());
  ASSERT_TRUE((*again)->run().ok());  // ?2 and ?3 were cleared: NULL

  auto select = db_->cached("select", "SELECT k, v, n FROM t ORDER BY k");
  ASSERT_TRUE(select.ok());
  ASSERT_TRUE((*select)->step().value());
  EXPECT_EQ((*select)->column_text(0), "a");
  EXPECT_EQ((*select)->column_double(1), 1.5);
  EXPECT_EQ((*select)->column_optional_text(2), "x");
  ASSERT_TRUE((*select)->step().value());
  EXPECT_EQ((*select)->column_optional_text(2), std::nullopt);
  EXPECT_FALSE((*select)->step().value());
}

TEST_F(SqliteDbTest, ErrorsNameThePathTheOperationAndSqlitesMessage) {
  auto insert = db_->cached("insert thing", "INSERT INTO t (k) VALUES (?1)");
  ASSERT_TRUE((*insert)->bind(1, std::string_view("a")).ok());
  ASSERT_TRUE((*insert)->run().ok());
  (*insert)->reset();
  ASSERT_TRUE((*insert)->bind(1, std::string_view("a")).ok());
  Status duplicate = (*insert)->run();
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().message, path_ + ": insert thing: UNIQUE constraint failed: t.k");
  EXPECT_EQ(duplicate.error().err, EEXIST);

  Status bad = db_->exec("make a mess", "SELECT nonsense FROM nowhere");
  EXPECT_EQ(bad.error().message, path_ + ": make a mess: no such table: nowhere");
  EXPECT_EQ(db_->query_int("count", "SELECT count(*) FROM t").value(), 1);
}

TEST_F(SqliteDbTest, TransactionRollsBackUnlessCommitted) {
  {
    auto transaction = Transaction::begin(*db_);
    ASSERT_TRUE(transaction.ok());
    ASSERT_TRUE(db_->exec("insert", "INSERT INTO t (k) VALUES ('gone')").ok());
  }
  EXPECT_EQ(db_->query_int("count", "SELECT count(*) FROM t").value(), 0);
  auto transaction = Transaction::begin(*db_);
  ASSERT_TRUE(db_->exec("insert", "INSERT INTO t (k) VALUES ('kept')").ok());
  ASSERT_TRUE(transaction->commit().ok());
  EXPECT_EQ(db_->query_text("keys", "SELECT k FROM t").value(), "kept");
}

TEST_F(SqliteDbTest, OpenReportsThePath) {
  std::string missing = dir_.file("no/such.db");
  auto db = Database::open(missing, SQLITE_OPEN_READWRITE);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().message.rfind(missing + ": open: ", 0), 0u) << db.error().message;
}

}  // namespace
}  // namespace mimeo::service
