// An in-memory stand-in for the daemon's core, to test the REST front end:
// templates and clones in maps, errors of the kinds the real core returns,
// and knobs for slow answers, failing clones and exceptions. It records the
// names and refs it was asked for, so tests can see what reached the core.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "service/request_handler.h"

namespace mimeo::daemon::testing {

using namespace service;

class FakeCore : public RequestHandler {
 public:
  // Makes clone `index` of a batch fail with the returned error.
  std::function<std::optional<ServiceError>(unsigned index)> clone_failure;
  std::chrono::milliseconds health_delay{0};
  bool throw_on_list_clones = false;

  ServiceResult<TemplateInfo> create_template(const TemplateSpec& spec) override {
    std::lock_guard lock(mutex_);
    last_spec_ = spec;
    if (spec.kernel == "/full") {
      return ServiceError{ErrorKind::kNoSpace, "no space left on the state directory's disk"};
    }
    TemplateInfo info{spec.name,
                      "/state/templates/" + spec.name,
                      true,
                      128ULL << 20,
                      spec.cpus,
                      1700000000,
                      spec.pool_size.value_or(2),
                      0,
                      0};
    return add_template(std::move(info));
  }
  ServiceResult<TemplateInfo> import_template(const TemplateImport& request) override {
    std::lock_guard lock(mutex_);
    if (request.dir.empty() || request.dir[0] != '/') {
      return invalid("dir must be an absolute path, not '" + request.dir + "'");
    }
    TemplateInfo info{request.name,
                      request.dir,
                      false,
                      64ULL << 20,
                      1,
                      1700000001,
                      request.pool_size.value_or(2),
                      0,
                      0};
    return add_template(std::move(info));
  }
  std::vector<TemplateInfo> list_templates() override {
    std::lock_guard lock(mutex_);
    std::vector<TemplateInfo> list;
    for (const auto& [name, info] : templates_) {
      list.push_back(with_clone_count(info));
    }
    return list;
  }
  ServiceResult<TemplateInfo> get_template(const std::string& name) override {
    std::lock_guard lock(mutex_);
    names_seen_.push_back(name);
    auto it = templates_.find(name);
    if (it == templates_.end()) {
      return not_found("no template named '" + name + "'");
    }
    return with_clone_count(it->second);
  }
  ServiceResult<TemplateInfo> set_pool_size(const std::string& name, unsigned size) override {
    std::lock_guard lock(mutex_);
    auto it = templates_.find(name);
    if (it == templates_.end()) {
      return not_found("no template named '" + name + "'");
    }
    it->second.pool_size = size;
    return with_clone_count(it->second);
  }
  ServiceStatus delete_template(const std::string& name) override {
    std::lock_guard lock(mutex_);
    auto it = templates_.find(name);
    if (it == templates_.end()) {
      return not_found("no template named '" + name + "'");
    }
    if (with_clone_count(it->second).clones != 0) {
      return conflict("template '" + name + "' has clones");
    }
    templates_.erase(it);
    return {};
  }

  ServiceResult<std::vector<CloneOutcome>> create_clones(const CloneRequest& request) override {
    std::lock_guard lock(mutex_);
    if (templates_.count(request.template_name) == 0) {
      return not_found("no template named '" + request.template_name + "'");
    }
    std::vector<CloneOutcome> outcomes;
    for (unsigned i = 0; i < request.count; ++i) {
      if (auto error = clone_failure ? clone_failure(i) : std::nullopt) {
        outcomes.push_back({std::nullopt, *error});
        continue;
      }
      if (request.name && find_clone(*request.name) != nullptr) {
        return conflict("a clone named '" + *request.name + "' exists");
      }
      char id[16];
      std::snprintf(id, sizeof id, "%012x", ++next_id_);
      CloneInfo info{id,
                     request.name,
                     request.template_name,
                     CloneState::kRunning,
                     1000 + static_cast<int>(next_id_),
                     "uuid-" + std::string(id),
                     "/run/mimeo/" + std::string(id) + ".console",
                     1700000100,
                     2.5,
                     i % 2 == 0,
                     std::nullopt};
      clones_[id] = info;
      outcomes.push_back({info, std::nullopt});
    }
    return outcomes;
  }
  std::vector<CloneInfo> list_clones() override {
    if (throw_on_list_clones) {
      throw std::runtime_error("catalog exploded");
    }
    std::lock_guard lock(mutex_);
    std::vector<CloneInfo> list;
    for (const auto& [id, info] : clones_) {
      list.push_back(info);
    }
    return list;
  }
  ServiceResult<CloneInfo> get_clone(const std::string& ref) override {
    std::lock_guard lock(mutex_);
    names_seen_.push_back(ref);
    CloneInfo* clone = find_clone(ref);
    if (clone == nullptr) {
      return not_found("no clone '" + ref + "'");
    }
    return *clone;
  }
  ServiceResult<CloneInfo> pause_clone(const std::string& ref) override {
    return set_state(ref, CloneState::kPaused);
  }
  ServiceResult<CloneInfo> resume_clone(const std::string& ref) override {
    return set_state(ref, CloneState::kRunning);
  }
  ServiceStatus delete_clone(const std::string& ref) override {
    std::lock_guard lock(mutex_);
    CloneInfo* clone = find_clone(ref);
    if (clone == nullptr) {
      return not_found("no clone '" + ref + "'");
    }
    clones_.erase(clone->id);
    return {};
  }

  Health health() override {
    std::this_thread::sleep_for(health_delay);
    std::lock_guard lock(mutex_);
    return {"9.9.9-test", 12.5, static_cast<unsigned>(templates_.size()),
            static_cast<unsigned>(clones_.size()), 3};
  }
  MetricsSnapshot metrics() override {
    MetricsSnapshot m;
    m.clone_create_seconds = {{0.001, 0.005, 0.01}, {1, 4, 6}, 0.0425, 7};
    m.clones_alive = 5;
    m.clones_warm = 3;
    m.clones_created_total = 7;
    m.pool_hits_total = 4;
    m.pool_misses_total = 3;
    m.memory_private_bytes = 1 << 20;
    m.memory_shared_bytes = 64 << 20;
    m.errors_total = {{"clone_start", 2}, {"odd\"kind\\", 1}};
    return m;
  }

  // What get_template and get_clone were asked for, in order.
  std::vector<std::string> names_seen() {
    std::lock_guard lock(mutex_);
    return names_seen_;
  }
  std::optional<TemplateSpec> last_spec() {
    std::lock_guard lock(mutex_);
    return last_spec_;
  }

 private:
  ServiceResult<TemplateInfo> add_template(TemplateInfo info) {
    if (templates_.count(info.name) != 0) {
      return conflict("a template named '" + info.name + "' exists");
    }
    templates_[info.name] = info;
    return info;
  }
  TemplateInfo with_clone_count(TemplateInfo info) const {
    info.clones = 0;
    for (const auto& [id, clone] : clones_) {
      info.clones += clone.template_name == info.name ? 1 : 0;
    }
    return info;
  }
  CloneInfo* find_clone(const std::string& ref) {
    for (auto& [id, clone] : clones_) {
      if (id == ref || clone.name == ref) {
        return &clone;
      }
    }
    return nullptr;
  }
  ServiceResult<CloneInfo> set_state(const std::string& ref, CloneState state) {
    std::lock_guard lock(mutex_);
    CloneInfo* clone = find_clone(ref);
    if (clone == nullptr) {
      return not_found("no clone '" + ref + "'");
    }
    clone->state = state;
    return *clone;
  }

  std::mutex mutex_;
  std::vector<std::string> names_seen_;
  std::optional<TemplateSpec> last_spec_;
  std::map<std::string, TemplateInfo> templates_;
  std::map<std::string, CloneInfo> clones_;
  unsigned next_id_ = 0;
};

}  // namespace mimeo::daemon::testing
