// The QMP monitor on a Unix socket (-qmp unix:PATH,server=on,wait=off): one client at a
// time, as QEMU's monitor; a second client's connection waits, unanswered, until the
// first one leaves. A thread polls the listening socket or the client and an eventfd;
// input is cut into JSON values (no line ends needed), each line of output ends with
// "\r\n". Commands run on that thread one at a time (a migration blocks the monitor
// until it is done).
//
// The destructor stops the thread: it kills an exec: migration in progress, sends what
// is still queued (for up to a second) and removes the socket file. Destroy the server
// before the backend and the machine.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/unique_fd.h"
#include "chardev/unix_socket.h"
#include "chardev/wake_fd.h"
#include "qmp/json_splitter.h"
#include "qmp/qmp_backend.h"
#include "qmp/qmp_option.h"
#include "qmp/qmp_session.h"
#include "vmm/exit_report.h"

namespace mimeo::qmp {

class QmpServer {
 public:
  // Output queued for a client that does not read is capped: beyond this, its input is
  // not read until it has taken its replies.
  static constexpr size_t kMaxPendingOutput = 1 << 20;

  // Listens on spec.path with owner-only permissions (a socket left by a dead process is
  // replaced; any other file, or a live socket, is refused, naming the path). Does not
  // wait for a client: see wait_for_client().
  static Result<std::unique_ptr<QmpServer>> start(const QmpSpec& spec, QmpBackend& backend,
                                                  SessionOptions options = {});
  ~QmpServer();
  QmpServer(const QmpServer&) = delete;
  QmpServer& operator=(const QmpServer&) = delete;

  // Blocks until a client has connected (QEMU's wait=on): true; false when
  // stop_waiting() was called (from another thread: a stop signal meanwhile).
  bool wait_for_client();
  void stop_waiting();
  // From any thread, after the VM stopped: the SHUTDOWN event QEMU would send for it
  // (none after `quit`, which sent its own, or for isa-debug-exit).
  void vm_stopped(const vmm::ExitReport& report);

  [[nodiscard]] const std::string& path() const { return listener_.path(); }

 private:
  QmpServer(chardev::UnixListener listener, chardev::WakeFd wake, QmpBackend& backend,
            SessionOptions options);
  void run();
  void accept_client();
  void read_client();
  void drop_client();
  void queue(std::string line);
  // Sends what the socket takes now; false when the client is gone.
  bool flush();
  void flush_before_exit();
  void take_inbox();

  chardev::UnixListener listener_;
  chardev::WakeFd wake_;
  QmpBackend& backend_;
  QmpSession session_;     // used by the thread only
  JsonSplitter splitter_;  // used by the thread only
  UniqueFd client_;        // used by the thread only
  std::string pending_;    // used by the thread only
  std::atomic<bool> stop_{false};

  std::mutex mutex_;  // guards what follows
  std::condition_variable connected_;
  bool ever_connected_ = false;
  bool stop_waiting_ = false;
  std::vector<ShutdownCause> inbox_;

  std::thread thread_;  // last: started once everything above exists
};

}  // namespace mimeo::qmp
