// What a daemon does when it starts on a state directory that another one
// used (maybe killed with SIGKILL): finish or undo what was half-done,
// reattach clones that still run, and report the ones that were lost.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string_view>

#include "service/supervisor.h"
#include "service/unix_time.h"
#include "service/worker_paths.h"

namespace mimeo::service {

namespace {

// True when `pid` runs `mimeo worker ... --id ID`: the last check before a
// process that does not answer on its control socket is killed.
bool is_worker_process(pid_t pid, const std::string& id) {
  // A /proc file has no size to read up to: read it as a stream.
  std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline");
  std::vector<std::string> args;
  for (std::string arg; std::getline(cmdline, arg, '\0');) {
    args.push_back(arg);
  }
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--id" && args[i + 1] == id) {
      return args.size() > 1 && args[1] == "worker";
    }
  }
  return false;
}

// Entries of `dir` (names only), without "." and "..".
std::vector<std::string> entries_of(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    names.push_back(entry.path().filename().string());
  }
  return names;
}

// The uuid in a started worker's `status` reply ("running pid=1 id=x
// uuid=..."), none for a warm one.
std::optional<std::string> started_uuid(const std::string& status) {
  if (!status.starts_with("running ") && !status.starts_with("paused ")) {
    return std::nullopt;
  }
  constexpr std::string_view kKey = " uuid=";
  const auto at = status.find(kKey);
  if (at == std::string::npos) {
    return std::nullopt;
  }
  const auto start = at + kKey.size();
  return status.substr(start, status.find(' ', start) - start);
}

}  // namespace

Status Supervisor::recover() {
  MIMEO_ASSIGN_OR_RETURN(auto templates, catalog().templates());
  std::set<std::string> known_templates;
  for (const auto& record : templates) {
    if (record.status == TemplateStatus::kCreating) {
      if (record.owned) {
        remove_state_dir(record.dir);
      }
      MIMEO_TRY(catalog().remove_template(record.name));
      log("template '" + record.name +
          "' was being created when the daemon stopped: its remains are removed");
      continue;
    }
    if (record.owned) {
      known_templates.insert(record.name);
    }
    if (auto facts = options_.inspect_template(record.dir); !facts.ok()) {
      log("template '" + record.name + "' is damaged: " + facts.error().describe());
    }
    pools_[record.name] = Pool{record.dir, record.pool_size, 0, {}, {}};
  }
  // What a killed `template create` left (DIR.tmp-*), or published after its
  // daemon was gone: not in the catalog, so no user knows of it.
  const std::string templates_dir = options_.state_dir + "/templates";
  for (const auto& name : entries_of(templates_dir)) {
    if (known_templates.count(name) == 0) {
      remove_state_dir(templates_dir + "/" + name);
      log("removed " + templates_dir + "/" + name + ", which no template in the catalog owns");
    }
  }

  MIMEO_ASSIGN_OR_RETURN(auto clones, catalog().clones());
  std::set<std::string> known_clones;
  for (const auto& record : clones) {
    recover_clone(record);
    known_clones.insert(record.id);
  }
  const std::string clones_dir = options_.state_dir + "/clones";
  for (const auto& name : entries_of(clones_dir)) {
    if (known_clones.count(name) == 0) {
      remove_state_dir(clones_dir + "/" + name);
    }
  }
  return {};
}

void Supervisor::recover_clone(const CloneRecord& record) {
  const WorkerPaths paths = worker_paths(options_.state_dir, record.id);
  const auto timeout = std::chrono::milliseconds(1000);
  switch (record.state) {
    case CloneRecordState::kWarm: {
      // A pool member of the last daemon: stop it; the pool is refilled.
      // Unless it was handed out and the daemon died before recording that
      // (unrecorded_hand_outs_): its `status` then has the uuid it got.
      if (record.pid > 0) {
        auto worker = WorkerProcess::attach(paths, record.pid, timeout);
        if (worker.ok()) {
          auto status = worker->command("status", timeout);
          if (auto uuid = status.ok() ? started_uuid(*status) : std::nullopt) {
            adopt_handed_out(record, std::move(*worker), *uuid, status->starts_with("paused"));
            return;
          }
          (void)worker->command("stop", timeout);
          worker->kill();
          worker->release();
        } else if (is_worker_process(record.pid, record.id)) {
          ::kill(record.pid, SIGKILL);
        }
      }
      (void)catalog().remove_clone(record.id);
      remove_state_dir(paths.dir);
      return;
    }
    case CloneRecordState::kRunning:
    case CloneRecordState::kPaused: {
      auto worker = record.pid > 0 ? WorkerProcess::attach(paths, record.pid, timeout)
                                   : Result<WorkerProcess>(make_error("it has no process id"));
      if (!worker.ok()) {
        std::string last = last_line_of(paths.log);
        std::string reason = "its process was gone when the daemon restarted";
        if (!last.empty()) {
          reason += " (last words: " + last + ")";
        }
        (void)catalog().set_clone_state(record.id, CloneRecordState::kLost, reason);
        log("clone " + record.id + " lost: " + reason);
        return;
      }
      auto status = worker->command("status", timeout);
      const bool paused = status.ok() && status->starts_with("paused");
      (void)catalog().set_clone_state(
          record.id, paused ? CloneRecordState::kPaused : CloneRecordState::kRunning, std::nullopt);
      reattach(record, std::move(*worker), "");
      return;
    }
    case CloneRecordState::kExited:
    case CloneRecordState::kCrashed:
    case CloneRecordState::kLost: return;
  }
}

void Supervisor::adopt_handed_out(const CloneRecord& record, WorkerProcess process,
                                  const std::string& uuid, bool paused) {
  // Its request's time and answer are not known: create_ms 0, created now.
  if (auto handed =
          catalog().hand_out_clone(record.id, HandOut{std::nullopt, uuid, 0, true, unix_now()});
      !handed.ok()) {
    log("clone " + record.id + ": " + handed.error().describe());
  }
  if (paused) {
    (void)catalog().set_clone_state(record.id, CloneRecordState::kPaused, std::nullopt);
  }
  reattach(record, std::move(process), ": it was handed out just before the daemon stopped");
}

void Supervisor::reattach(const CloneRecord& record, WorkerProcess process,
                          const std::string& note) {
  auto live = std::make_shared<Worker>(record.id, record.template_name, std::move(process));
  workers_[record.id] = live;
  if (auto watched = reaper_->watch(record.id, live->process.pidfd()); !watched.ok()) {
    log("clone " + record.id + ": " + watched.error().describe());
  }
  log("clone " + record.id + " reattached (pid " + std::to_string(record.pid) + ")" + note);
}

}  // namespace mimeo::service
