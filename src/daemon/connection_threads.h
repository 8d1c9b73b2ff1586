// The REST API's connection threads: long-lived, and each accepts its next
// connection itself. An idle thread waits on the listening socket and the
// stop eventfd (AcceptWaiter: a new connection wakes one idle thread), calls
// accept4 (non-blocking: another thread may have taken the connection), then
// serves the connection to its end and goes back to waiting. A new connection
// never waits for a thread to be created, nor for a handoff between threads.
//
// The thread that runs run() looks after the set: it starts `spare` threads,
// starts `spare` more when the last idle one takes a connection (up to
// `max_connections` + 1 in all), and joins those that end. An idle thread
// beyond `spare` that has waited `spare_linger` ends. While `max_connections`
// are served, the one thread more answers every new connection with `busy`
// and closes it.
//
//   auto threads = ConnectionThreads::create(setup, handler, answers);
//   Status served = (*threads)->run();   // until stop_fd is readable
//   ...close the listener; (*threads)->join();
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "base/result.h"
#include "base/unique_fd.h"
#include "chardev/wake_fd.h"
#include "daemon/accept_waiter.h"
#include "daemon/http_connection.h"
#include "daemon/status_counts.h"
#include "service/request_handler.h"

namespace mimeo::daemon {

struct ConnectionThreadsSetup {
  int listen_fd = -1;  // non-blocking
  int stop_fd = -1;    // an eventfd that stays readable once written
  unsigned max_connections = 128;
  unsigned spare = 2;  // idle threads kept waiting for connections
  std::chrono::milliseconds spare_linger{1000};
  ConnectionLimits limits;
  std::string busy;  // the whole answer beyond max_connections
};

class ConnectionThreads {
 public:
  // `handler` and `answers` must outlive the threads.
  static Result<std::unique_ptr<ConnectionThreads>> create(ConnectionThreadsSetup setup,
                                                           service::RequestHandler& handler,
                                                           StatusCounts& answers);
  ConnectionThreads(const ConnectionThreads&) = delete;
  ConnectionThreads& operator=(const ConnectionThreads&) = delete;
  // Makes every thread end (writes stop_fd) and joins them.
  ~ConnectionThreads();

  // Keeps the threads until stop_fd becomes readable, or poll fails (then it
  // writes stop_fd itself). Returns once no thread waits on the listening
  // socket any more, so the caller may close it. Call once.
  Status run();

  // Waits for every thread; those serving a connection end once its current
  // request, if any, is answered. Call after run().
  void join();

  // Connections being served now.
  [[nodiscard]] unsigned connections() const { return active_.load(); }
  // Connection threads alive now (idle or serving).
  [[nodiscard]] unsigned threads() const;

 private:
  struct Thread {
    std::thread thread;
    std::atomic<bool> done{false};
  };

  ConnectionThreads(ConnectionThreadsSetup setup, chardev::WakeFd wake,
                    service::RequestHandler& handler, StatusCounts& answers);
  // Starts threads until `spare` are idle (or the limit); false when a thread
  // could not be created.
  bool start_spares();
  void join_finished();
  void signal_stop() const;
  void thread_main(Thread& self);
  // Waits for and accepts the next connection, as one of the idle threads;
  // an invalid fd when this thread is to end (no longer counted idle then).
  UniqueFd accept_next(AcceptWaiter& waiter, std::chrono::steady_clock::time_point idle_since);
  void answer_busy(int fd);

  ConnectionThreadsSetup setup_;
  chardev::WakeFd wake_;  // a thread wants the set looked after
  service::RequestHandler& handler_;
  StatusCounts& answers_;
  std::atomic<unsigned> active_{0};

  mutable std::mutex mutex_;
  std::condition_variable waiting_done_;  // idle_ reached 0 while stopping_
  unsigned idle_ = 0;                     // threads started or waiting for a connection
  unsigned alive_ = 0;                    // threads not yet ended
  bool stopping_ = false;
  std::list<Thread> threads_;  // only the run() thread touches it
};

}  // namespace mimeo::daemon
