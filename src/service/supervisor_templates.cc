// The supervisor's template requests: create (by running `mimeo template
// create`), import, list, get, pool size, delete.
#include <sys/stat.h>

#include <cmath>
#include <filesystem>

#include "service/names.h"
#include "service/supervisor.h"
#include "service/template_builder.h"
#include "service/unix_time.h"
#include "service/worker_paths.h"

namespace mimeo::service {

namespace {

constexpr unsigned kMaxPoolSize = 1000;
constexpr unsigned kMaxCpus = 64;

ServiceStatus check_spec(const TemplateSpec& spec) {
  if (!is_valid_name(spec.name)) {
    return invalid(invalid_name_message("template", spec.name));
  }
  if (spec.kernel.empty()) {
    return invalid("\"kernel\" is required: the path of the guest kernel on the host");
  }
  if (spec.cpus < 1 || spec.cpus > kMaxCpus) {
    return invalid("\"cpus\" must be between 1 and " + std::to_string(kMaxCpus));
  }
  if (spec.ready.serial_text.has_value() == spec.ready.after_seconds.has_value()) {
    return invalid(
        "\"ready\" needs exactly one of \"serial\" (a console line to wait for) and "
        "\"after_seconds\"");
  }
  if (spec.ready.serial_text && spec.ready.serial_text->empty()) {
    return invalid("\"ready\": \"serial\" must not be empty");
  }
  if (spec.ready.after_seconds &&
      (!std::isfinite(*spec.ready.after_seconds) || *spec.ready.after_seconds < 0)) {
    return invalid("\"ready\": \"after_seconds\" must be a number of seconds >= 0");
  }
  if (!std::isfinite(spec.timeout_seconds) || spec.timeout_seconds <= 0 ||
      spec.timeout_seconds > 3600) {
    return invalid("\"timeout_seconds\" must be more than 0 and at most 3600");
  }
  if (spec.pool_size && *spec.pool_size > kMaxPoolSize) {
    return invalid("\"pool_size\" must be at most " + std::to_string(kMaxPoolSize));
  }
  return {};
}

}  // namespace

ServiceResult<TemplateInfo> Supervisor::create_template(const TemplateSpec& spec) {
  if (auto checked = check_spec(spec); !checked.ok()) {
    return checked.error();
  }
  const std::string dir = options_.state_dir + "/templates/" + spec.name;
  TemplateRecord record;
  record.name = spec.name;
  record.dir = dir;
  record.owned = true;
  record.cpus = spec.cpus;
  record.created_unix = unix_now();
  record.pool_size = spec.pool_size.value_or(options_.default_pool_size);
  record.status = TemplateStatus::kCreating;
  {
    // The row (kCreating) reserves the name while the template is made, and
    // tells a daemon restarted after a kill to remove what was left.
    std::lock_guard lock(mutex_);
    if (stopping_) {
      return ServiceError{ErrorKind::kUnavailable, "the daemon is stopping"};
    }
    if (auto added = catalog().add_template(record); !added.ok()) {
      return added.error().err == EEXIST ? conflict("a template named '" + spec.name + "' exists")
                                         : catalog_service_error(added.error());
    }
  }
  auto forget = [&] {
    remove_state_dir(dir);
    std::error_code ignored;
    // A `template create` killed by a signal (SIGBUS when its guest's RAM
    // file cannot grow on a full disk) leaves its unpublished DIR.tmp-XXXXXX.
    const std::string prefix = spec.name + ".tmp-";
    for (const auto& entry :
         std::filesystem::directory_iterator(options_.state_dir + "/templates", ignored)) {
      if (entry.path().filename().string().starts_with(prefix)) {
        remove_state_dir(entry.path().string());
      }
    }
    std::lock_guard lock(mutex_);
    (void)catalog().remove_template(spec.name);
  };
  // Left over by a template create that outlived a killed daemon.
  remove_state_dir(dir);
  if (auto built = build_template(options_.mimeo_binary, dir, spec); !built.ok()) {
    forget();
    metrics_.count_error("template_create");
    return built.error();
  }
  auto facts = options_.inspect_template(dir);
  if (!facts.ok()) {
    forget();
    metrics_.count_error("template_create");
    return internal(facts.error());
  }
  record.memory_bytes = facts->memory_bytes;
  record.cpus = facts->cpus;
  record.status = TemplateStatus::kReady;
  std::lock_guard lock(mutex_);
  // Facts first, then kReady: the row is either still kCreating or whole.
  if (auto removed = catalog().remove_template(spec.name); !removed.ok()) {
    return catalog_service_error(removed.error());
  }
  if (auto added = catalog().add_template(record); !added.ok()) {
    remove_state_dir(dir);
    return catalog_service_error(added.error());
  }
  pools_[spec.name] = Pool{dir, record.pool_size, 0, {}, {}};
  pools_changed_.notify_all();
  log("template '" + spec.name + "' created in " + dir);
  return template_info(record);
}

ServiceResult<TemplateInfo> Supervisor::import_template(const TemplateImport& request) {
  if (!is_valid_name(request.name)) {
    return invalid(invalid_name_message("template", request.name));
  }
  if (request.dir.empty() || request.dir.front() != '/') {
    return invalid("\"dir\" must be an absolute path to a template directory");
  }
  if (request.pool_size && *request.pool_size > kMaxPoolSize) {
    return invalid("\"pool_size\" must be at most " + std::to_string(kMaxPoolSize));
  }
  struct stat st {};
  if (::stat(request.dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return invalid(request.dir + " is not a directory");
  }
  auto facts = options_.inspect_template(request.dir);
  if (!facts.ok()) {
    return invalid(facts.error().describe());
  }
  TemplateRecord record;
  record.name = request.name;
  record.dir = request.dir;
  record.owned = false;
  record.memory_bytes = facts->memory_bytes;
  record.cpus = facts->cpus;
  record.created_unix = unix_now();
  record.pool_size = request.pool_size.value_or(options_.default_pool_size);
  record.status = TemplateStatus::kReady;
  std::lock_guard lock(mutex_);
  if (auto added = catalog().add_template(record); !added.ok()) {
    return added.error().err == EEXIST ? conflict("a template named '" + request.name + "' exists")
                                       : catalog_service_error(added.error());
  }
  pools_[request.name] = Pool{request.dir, record.pool_size, 0, {}, {}};
  pools_changed_.notify_all();
  log("template '" + request.name + "' imported from " + request.dir);
  return template_info(record);
}

std::vector<TemplateInfo> Supervisor::list_templates() {
  std::lock_guard lock(mutex_);
  std::vector<TemplateInfo> list;
  auto records = catalog().templates();
  if (!records.ok()) {
    log("catalog: " + records.error().describe());
    return list;
  }
  for (const auto& record : *records) {
    if (record.status == TemplateStatus::kReady) {
      auto info = template_info(record);
      if (auto clones = catalog().count_clones_of(record.name); clones.ok()) {
        info.clones = *clones;
      }
      list.push_back(std::move(info));
    }
  }
  return list;
}

ServiceResult<TemplateInfo> Supervisor::get_template(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto record = catalog().find_template(name);
  if (!record.ok()) {
    return catalog_service_error(record.error());
  }
  if (!record->has_value() || (*record)->status != TemplateStatus::kReady) {
    return not_found("no template named '" + name + "'");
  }
  auto info = template_info(**record);
  if (auto clones = catalog().count_clones_of(name); clones.ok()) {
    info.clones = *clones;
  }
  return info;
}

ServiceResult<TemplateInfo> Supervisor::set_pool_size(const std::string& name, unsigned size) {
  if (size > kMaxPoolSize) {
    return invalid("the pool size must be at most " + std::to_string(kMaxPoolSize));
  }
  std::vector<WorkerPtr> surplus;
  {
    std::lock_guard lock(mutex_);
    auto pool = pools_.find(name);
    if (pool == pools_.end()) {
      return not_found("no template named '" + name + "'");
    }
    if (auto set = catalog().set_pool_size(name, size); !set.ok()) {
      return catalog_service_error(set.error());
    }
    pool->second.target = size;
    while (pool->second.warm.size() > size) {
      WorkerPtr worker = pool->second.warm.back();
      pool->second.warm.pop_back();
      workers_.erase(worker->id);
      reaper_->unwatch(worker->process.pidfd());
      (void)catalog().remove_clone(worker->id);
      surplus.push_back(std::move(worker));
    }
  }
  pools_changed_.notify_all();
  for (const auto& worker : surplus) {
    stop_worker(worker);
  }
  return get_template(name);
}

ServiceStatus Supervisor::delete_template(const std::string& name) {
  std::vector<WorkerPtr> warm;
  TemplateRecord record;
  {
    std::unique_lock lock(mutex_);
    auto found = catalog().find_template(name);
    if (!found.ok()) {
      return catalog_service_error(found.error());
    }
    if (!found->has_value() || (*found)->status != TemplateStatus::kReady) {
      return not_found("no template named '" + name + "'");
    }
    record = **found;
    auto clones = catalog().count_clones_of(name);
    if (!clones.ok()) {
      return catalog_service_error(clones.error());
    }
    if (*clones > 0) {
      return conflict("template '" + name + "' has " + std::to_string(*clones) +
                      " clone(s); delete them first");
    }
    if (auto pool = pools_.find(name); pool != pools_.end()) {
      pool->second.target = 0;
      // A warm clone being started now is stopped by the filler, which removes
      // its row in the same critical section where it counts it as started.
      pools_changed_.wait(lock, [&] { return stopping_ || pool->second.starting == 0; });
      for (auto& worker : pool->second.warm) {
        workers_.erase(worker->id);
        reaper_->unwatch(worker->process.pidfd());
        warm.push_back(worker);
      }
      pool->second.warm.clear();
    }
  }
  for (const auto& worker : warm) {
    stop_worker(worker);
  }
  std::lock_guard lock(mutex_);
  for (const auto& worker : warm) {
    (void)catalog().remove_clone(worker->id);
  }
  if (auto removed = catalog().remove_template(name); !removed.ok()) {
    return removed.error().err == EBUSY
               ? conflict("template '" + name + "' is still in use by a clone being started")
               : catalog_service_error(removed.error());
  }
  pools_.erase(name);
  if (record.owned) {
    remove_state_dir(record.dir);
  }
  log("template '" + name + "' deleted");
  return {};
}

}  // namespace mimeo::service
