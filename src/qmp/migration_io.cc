#include "qmp/migration_io.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>

#include "snapshot/byte_sink.h"
#include "snapshot/stream_decoder.h"

namespace mimeo::qmp {

namespace {

using Clock = std::chrono::steady_clock;

class CountingSink : public snapshot::ByteSink {
 public:
  explicit CountingSink(snapshot::ByteSink& next) : next_(next) {}
  Status write(std::span<const uint8_t> data) override {
    MIMEO_TRY(next_.write(data));
    count_ += data.size();
    return {};
  }
  [[nodiscard]] uint64_t count() const { return count_; }

 private:
  snapshot::ByteSink& next_;
  uint64_t count_ = 0;
};

// Writing to a pipe whose reader is gone raises SIGPIPE, which would end the program
// unless ignored. Blocked in this thread, it stays pending instead (and write() fails
// with EPIPE); one that arrived meanwhile is taken before the old mask is restored.
class SigpipeBlocked {
 public:
  SigpipeBlocked() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, &old_);
  }
  ~SigpipeBlocked() {
    sigset_t pending;
    sigemptyset(&pending);
    if (!sigismember(&old_, SIGPIPE) && sigpending(&pending) == 0 &&
        sigismember(&pending, SIGPIPE)) {
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGPIPE);
      timespec zero{};
      sigtimedwait(&set, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlocked(const SigpipeBlocked&) = delete;
  SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

 private:
  sigset_t old_{};
};

// Registers a child in the slot for as long as it is in use.
class SlotEntry {
 public:
  SlotEntry(ChildSlot& slot, ExecChild* child) : slot_(slot) { slot_.set(child); }
  ~SlotEntry() { slot_.set(nullptr); }
  SlotEntry(const SlotEntry&) = delete;
  SlotEntry& operator=(const SlotEntry&) = delete;

 private:
  ChildSlot& slot_;
};

MigrationStats stats_of(const vmm::SaveReport& report, uint64_t bytes, Clock::time_point start) {
  MigrationStats stats;
  stats.stream_bytes = bytes;
  stats.ram_in_stream = report.ram_bytes_in_stream;
  stats.ram_in_files = report.ram_bytes_in_files;
  stats.duration = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
  return stats;
}

Result<MigrationStats> save_to_file(vmm::Machine& machine, const std::string& path,
                                    bool ignore_shared) {
  const auto start = Clock::now();
  std::optional<vmm::SaveReport> report;
  uint64_t bytes = 0;
  MIMEO_TRY(snapshot::write_file_atomically(path, [&](int fd) -> Status {
    snapshot::FdSink file(fd, path);
    CountingSink sink(file);
    MIMEO_ASSIGN_OR_RETURN(report, machine.save_state({.ignore_shared = ignore_shared}, sink));
    bytes = sink.count();
    return {};
  }));
  return stats_of(*report, bytes, start);
}

Result<MigrationStats> save_to_command(vmm::Machine& machine, const std::string& command,
                                       bool ignore_shared, ChildSlot& slot) {
  const auto start = Clock::now();
  MIMEO_ASSIGN_OR_RETURN(auto child, ExecChild::spawn(command, ExecChild::Direction::kToChild));
  SlotEntry entry(slot, child.get());
  Result<vmm::SaveReport> report = make_error("not saved");
  uint64_t bytes = 0;
  {
    SigpipeBlocked sigpipe;
    snapshot::FdSink pipe(child->pipe_fd(), "exec:" + command);
    CountingSink sink(pipe);
    report = machine.save_state({.ignore_shared = ignore_shared}, sink);
    bytes = sink.count();
  }
  if (!report.ok()) {
    // The command must not take a truncated stream for a whole one: it is killed
    // before it sees the end of its input. If it had failed first (which is why the
    // stream could not be written), its own failure is the better explanation.
    child->kill();
    child->close_pipe();
    auto exited = child->wait();
    if (!exited.ok() && child->exited()) {
      return exited.error();
    }
    return report.error();
  }
  child->close_pipe();
  MIMEO_TRY(child->wait());
  return stats_of(*report, bytes, start);
}

Result<std::vector<uint8_t>> read_all_from(ExecChild& child) {
  std::vector<uint8_t> bytes;
  size_t used = 0;
  for (;;) {
    if (bytes.size() - used < 64 * 1024) {
      bytes.resize(bytes.size() < (1 << 20) ? (1 << 20) : bytes.size() * 2);
    }
    ssize_t n = ::read(child.pipe_fd(), bytes.data() + used, bytes.size() - used);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return errno_error("exec:" + child.command() + ": read");
    }
    if (n == 0) {
      break;
    }
    used += static_cast<size_t>(n);
  }
  bytes.resize(used);
  return bytes;
}

}  // namespace

Result<MigrationStats> save_to_uri(vmm::Machine& machine, const MigrationUri& uri,
                                   bool ignore_shared, ChildSlot& slot) {
  if (uri.kind == MigrationUri::Kind::kFile) {
    return save_to_file(machine, uri.target, ignore_shared);
  }
  return save_to_command(machine, uri.target, ignore_shared, slot);
}

Result<IncomingStream> read_from_uri(const MigrationUri& uri, ChildSlot& slot, bool* opened) {
  *opened = false;
  IncomingStream incoming;
  if (uri.kind == MigrationUri::Kind::kFile) {
    UniqueFd probe(::open(uri.target.c_str(), O_RDONLY | O_CLOEXEC));
    if (!probe) {
      return errno_error("open " + uri.target);
    }
    *opened = true;
    MIMEO_ASSIGN_OR_RETURN(auto file, snapshot::read_stream_file(uri.target));
    incoming.file_.emplace(std::move(file));
    return incoming;
  }
  MIMEO_ASSIGN_OR_RETURN(auto child,
                         ExecChild::spawn(uri.target, ExecChild::Direction::kFromChild));
  SlotEntry entry(slot, child.get());
  *opened = true;
  auto bytes = read_all_from(*child);
  if (!bytes.ok()) {
    child->kill();
    (void)child->wait();
    return bytes.error();
  }
  child->close_pipe();
  MIMEO_TRY(child->wait());
  incoming.bytes_ = std::move(bytes.value());
  auto decoded = snapshot::decode(incoming.bytes_);
  if (!decoded.ok()) {
    return decoded.error().context(uri.text);
  }
  incoming.decoded_.emplace(std::move(decoded.value()));
  return incoming;
}

}  // namespace mimeo::qmp
