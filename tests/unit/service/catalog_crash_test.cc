// A daemon killed with SIGKILL in the middle of catalog writes leaves a
// catalog that opens, passes integrity_check and holds only whole rows.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <thread>

#include "common/temp_dir.h"
#include "service/catalog.h"
#include "unit/service/catalog_test_rows.h"

namespace mimeo::service {
namespace {

using testing::handed_out;
using testing::sample_clone;
using testing::sample_hand_out;
using testing::sample_template;

constexpr unsigned kChurnPoolSize = 3;
constexpr const char* kExitReason = "guest exited with code 3";

void must(const Status& status) {
  if (!status.ok()) {
    std::fprintf(stderr, "churn: %s\n", status.error().describe().c_str());
    std::_Exit(3);
  }
}

std::string template_name(int child, unsigned round) {
  return "t" + std::to_string(child) + "-" + std::to_string(round);
}

std::string clone_id(int child, unsigned round, int k) {
  char id[32];
  std::snprintf(id, sizeof(id), "%04x%06x%02x", child, round & 0xffffff, k);
  return id;
}

// What the daemon does, over and over, until it is killed: a template with
// three warm clones, two of them handed out; one exits, one gets a new pid,
// one is removed; the template of two rounds ago is removed with its clones.
[[noreturn]] void churn(const std::string& path, int child) {
  auto catalog = Catalog::open(path);
  if (!catalog.ok()) {
    std::fprintf(stderr, "churn: %s\n", catalog.error().describe().c_str());
    std::_Exit(2);
  }
  for (unsigned round = 0;; ++round) {
    std::string name = template_name(child, round);
    must(catalog->add_template(sample_template(name)));
    must(catalog->set_template_status(name, TemplateStatus::kReady));
    must(catalog->set_pool_size(name, kChurnPoolSize));
    for (int k = 0; k < 3; ++k) {
      must(catalog->add_clone(sample_clone(clone_id(child, round, k), name)));
    }
    for (int k = 0; k < 2; ++k) {
      must(catalog->hand_out_clone(clone_id(child, round, k),
                                   sample_hand_out(clone_id(child, round, k))));
    }
    must(catalog->set_clone_state(clone_id(child, round, 0), CloneRecordState::kExited,
                                  std::string(kExitReason)));
    std::string pid_changed = clone_id(child, round, 1);
    must(catalog->set_clone_pid(pid_changed, sample_clone(pid_changed, name).pid + 1));
    must(catalog->remove_clone(clone_id(child, round, 2)));
    if (round >= 2) {
      must(catalog->remove_clone(clone_id(child, round - 2, 0)));
      must(catalog->remove_clone(clone_id(child, round - 2, 1)));
      must(catalog->remove_template(template_name(child, round - 2)));
    }
  }
}

// Every stage a template row of churn() can be in.
bool whole_template(const TemplateRecord& row) {
  TemplateRecord expected = sample_template(row.name);
  if (row == expected) {
    return true;
  }
  expected.status = TemplateStatus::kReady;
  if (row == expected) {
    return true;
  }
  expected.pool_size = kChurnPoolSize;
  return row == expected;
}

// Every stage a clone row of churn() can be in.
bool whole_clone(const CloneRecord& row) {
  CloneRecord warm = sample_clone(row.id, row.template_name);
  CloneRecord running = handed_out(warm);
  CloneRecord exited = running;
  exited.state = CloneRecordState::kExited;
  exited.reason = kExitReason;
  CloneRecord new_pid = running;
  new_pid.pid += 1;
  return row == warm || row == running || row == exited || row == new_pid;
}

std::string integrity_check(const std::string& path) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* stmt = nullptr;
  std::string result = "cannot run integrity_check";
  if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    result = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return result;
}

TEST(CatalogCrashTest, SigkillDuringWritesLeavesWholeRows) {
  mimeo::testing::TempDir dir;
  std::string path = dir.file("catalog.db");
  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> delay_us(0, 60000);
  size_t rows_seen = 0;
  for (int child = 0; child < 20; ++child) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      churn(path, child);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(random)));
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int wait_status = 0;
    ASSERT_EQ(::waitpid(pid, &wait_status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(wait_status))
        << "the churning child failed on its own, exit " << WEXITSTATUS(wait_status);

    {
      auto catalog = Catalog::open(path);  // runs PRAGMA quick_check
      ASSERT_TRUE(catalog.ok()) << catalog.error().describe();
      auto templates = catalog->templates();
      auto clones = catalog->clones();
      ASSERT_TRUE(templates.ok() && clones.ok());
      for (const TemplateRecord& row : *templates) {
        EXPECT_TRUE(whole_template(row)) << "torn template row " << row.name;
      }
      for (const CloneRecord& row : *clones) {
        EXPECT_TRUE(whole_clone(row)) << "torn clone row " << row.id;
        EXPECT_TRUE(catalog->find_template(row.template_name).value().has_value()) << row.id;
      }
      rows_seen += templates->size() + clones->size();
    }  // closed: the catalog's exclusive lock would keep integrity_check out
    EXPECT_EQ(integrity_check(path), "ok");
  }
  EXPECT_GT(rows_seen, 0u) << "no child wrote anything before it was killed";
}

}  // namespace
}  // namespace mimeo::service
