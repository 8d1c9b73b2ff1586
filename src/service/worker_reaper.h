// Watches the pidfds of every worker process on one thread and reports each
// process that ends, so that a clone that dies (guest crash, emulation error,
// a bug in its device model) is noticed at once and never brings down the
// daemon or other clones.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "base/result.h"
#include "base/unique_fd.h"

namespace mimeo::service {

class WorkerReaper {
 public:
  // `on_exit(id)` runs on the reaper's thread when the watched process `id` ends.
  using ExitHandler = std::function<void(const std::string& id)>;

  static Result<std::unique_ptr<WorkerReaper>> start(ExitHandler on_exit);
  ~WorkerReaper();
  WorkerReaper(const WorkerReaper&) = delete;
  WorkerReaper& operator=(const WorkerReaper&) = delete;

  // The caller keeps `pidfd` open until it calls unwatch() or on_exit has run.
  [[nodiscard]] Status watch(const std::string& id, int pidfd);
  void unwatch(int pidfd);

 private:
  WorkerReaper(UniqueFd epoll, UniqueFd wake, ExitHandler on_exit);
  void run();

  UniqueFd epoll_;
  UniqueFd wake_;  // eventfd: ends the thread
  ExitHandler on_exit_;
  std::mutex mutex_;
  std::map<int, std::string> ids_;  // pidfd -> worker id
  std::thread thread_;
};

}  // namespace mimeo::service
