// Sample catalog rows for the catalog tests: every field derives from the
// name or id, so a test can tell a whole row from a torn or mixed one.
#pragma once

#include <functional>
#include <string>

#include "service/catalog.h"

#define ASSERT_OK(expr)                                      \
  do {                                                       \
    auto result_ = (expr);                                   \
    ASSERT_TRUE(result_.ok()) << result_.error().describe(); \
  } while (0)

namespace mimeo::service::testing {

inline TemplateRecord sample_template(const std::string& name) {
  size_t hash = std::hash<std::string>{}(name);
  TemplateRecord record;
  record.name = name;
  record.dir = "/var/lib/mimeo/templates/" + name;
  record.owned = hash % 2 == 0;
  record.memory_bytes = (uint64_t{1} << 20) * (hash % 4096 + 1);
  record.cpus = static_cast<unsigned>(hash % 8 + 1);
  record.created_unix = 1700000000 + static_cast<int64_t>(hash % 100000);
  record.pool_size = static_cast<unsigned>(hash % 5);
  record.status = TemplateStatus::kCreating;
  return record;
}

inline CloneRecord sample_clone(const std::string& id, const std::string& template_name) {
  size_t hash = std::hash<std::string>{}(id);
  CloneRecord record;
  record.id = id;
  record.template_name = template_name;
  record.state = CloneRecordState::kWarm;
  record.pid = static_cast<int>(hash % 4000000 + 2);
  record.uuid = "warm-" + id;
  record.dir = "/run/mimeo/clones/" + id;
  record.created_unix = 1700000000 + static_cast<int64_t>(hash % 100000);
  record.create_ms = static_cast<double>(hash % 1000) / 8;
  return record;
}

// The fields hand_out_clone sets for the clone `id`.
inline HandOut sample_hand_out(const std::string& id) {
  size_t hash = std::hash<std::string>{}(id);
  HandOut hand_out;
  hand_out.name = "clone-" + id;
  hand_out.uuid = "uuid-" + id;
  hand_out.create_ms = static_cast<double>(hash % 777) / 4;
  hand_out.from_pool = hash % 2 == 1;
  hand_out.created_unix = 1800000000 + static_cast<int64_t>(hash % 100000);
  return hand_out;
}

inline CloneRecord handed_out(CloneRecord record) {
  HandOut hand_out = sample_hand_out(record.id);
  record.name = hand_out.name;
  record.uuid = hand_out.uuid;
  record.create_ms = hand_out.create_ms;
  record.from_pool = hand_out.from_pool;
  record.created_unix = hand_out.created_unix;
  record.state = CloneRecordState::kRunning;
  return record;
}

}  // namespace mimeo::service::testing
