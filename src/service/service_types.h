// What the daemon's requests and answers hold, as plain data: the REST front
// end maps JSON to and from these; the core never sees JSON or HTTP.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "service/service_error.h"

namespace mimeo::service {

// When a template's VM counts as ready to be frozen: exactly one of the two.
struct ReadyCondition {
  std::optional<std::string> serial_text;  // a COM1 line containing this text
  std::optional<double> after_seconds;     // this long after the start
};

// POST /templates: boot a VM and freeze it into a template the daemon owns.
struct TemplateSpec {
  std::string name;
  std::string kernel;                 // host path (PVH ELF or bzImage)
  std::optional<std::string> initrd;  // host path
  std::string memory = "128M";        // QEMU -m syntax
  unsigned cpus = 1;
  std::string cmdline;
  ReadyCondition ready;
  double timeout_seconds = 60;
  std::optional<unsigned> pool_size;  // default: the daemon's --pool-size
};

// POST /templates/import: register an existing template directory (made by
// `mimeo template create`). The daemon does not own it: deleting the template
// only forgets it.
struct TemplateImport {
  std::string name;
  std::string dir;
  std::optional<unsigned> pool_size;
};

struct TemplateInfo {
  std::string name;
  std::string dir;
  bool owned = false;  // created by the daemon, removed with it
  uint64_t memory_bytes = 0;
  unsigned cpus = 0;
  int64_t created_unix = 0;  // seconds since the epoch
  unsigned pool_size = 0;    // warm clones to keep
  unsigned pool_warm = 0;    // warm clones ready now
  unsigned clones = 0;       // clones handed out and not deleted
};

enum class CloneState {
  kRunning,
  kPaused,
  kExited,   // the guest stopped (shutdown, reset, debug-exit); see `reason`
  kCrashed,  // the clone's process died (signal, emulation error)
  kLost,     // gone while the daemon was not running
};

[[nodiscard]] const char* clone_state_name(CloneState state);

// POST /clones
struct CloneRequest {
  std::string template_name;
  unsigned count = 1;
  std::optional<std::string> name;  // only with count 1
};

struct CloneInfo {
  std::string id;  // 12 hex digits, unique in the catalog
  std::optional<std::string> name;
  std::string template_name;
  CloneState state = CloneState::kRunning;
  int pid = 0;
  std::string uuid;            // the VM UUID the guest sees
  std::string console_socket;  // connect to it for the guest's COM1
  int64_t created_unix = 0;
  double create_ms = 0;  // request to the worker told to start, in the daemon
  bool from_pool = false;
  std::optional<std::string> reason;  // why it exited, crashed or was lost
};

// One clone of a POST /clones batch: the clone, or why it failed.
struct CloneOutcome {
  std::optional<CloneInfo> clone;
  std::optional<ServiceError> error;
};

struct Health {
  std::string version;
  double uptime_seconds = 0;
  unsigned templates = 0;
  unsigned clones = 0;
  unsigned warm = 0;
};

// A Prometheus-style histogram: counts[i] is how many observations were
// <= upper_bounds[i] (cumulative); `count` includes those above the last bound.
struct Histogram {
  std::vector<double> upper_bounds;
  std::vector<uint64_t> counts;
  double sum = 0;
  uint64_t count = 0;
};

struct MetricsSnapshot {
  Histogram clone_create_seconds;  // request to the clone told to run
  uint64_t clones_alive = 0;       // handed out and running or paused
  uint64_t clones_warm = 0;        // in warm pools
  uint64_t clones_created_total = 0;
  uint64_t pool_hits_total = 0;    // clones taken from a warm pool
  uint64_t pool_misses_total = 0;  // clones started on the request
  // Host memory of the clones' processes (alive and warm), from smaps_rollup.
  uint64_t memory_private_bytes = 0;
  uint64_t memory_shared_bytes = 0;
  // Failures by kind: "clone_start", "worker_crash", "template_create", ...
  std::map<std::string, uint64_t> errors_total;
};

}  // namespace mimeo::service
