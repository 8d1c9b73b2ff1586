// `mimeo serve`'s REST API: HTTP/1.1 on a Unix socket, each connection served
// by one of a set of long-lived threads that accept connections themselves
// (ConnectionThreads; capped: beyond the cap a connection gets 503 and is
// closed), each request answered by the core (service::RequestHandler). Free
// of Beast and Asio.
//
//   auto server = ApiServer::create(path, handler);   // listens already
//   std::thread t([&] { (void)(*server)->serve(); });
//   ...; (*server)->stop(); t.join();                  // socket file removed
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"
#include "daemon/api_socket.h"
#include "daemon/connection_threads.h"
#include "daemon/http_connection.h"
#include "daemon/status_counts.h"
#include "service/request_handler.h"

namespace mimeo::daemon {

struct ApiServerOptions {
  unsigned max_connections = 128;
  ConnectionLimits limits;
  // Idle connection threads kept waiting for new connections (at least 1);
  // more that have waited `spare_thread_linger` end.
  unsigned spare_threads = 2;
  std::chrono::milliseconds spare_thread_linger{1000};
};

class ApiServer {
 public:
  // Listens on `socket_path` (owner-only; see ApiSocket::listen for when an
  // existing path is refused). `handler` must outlive the server.
  static Result<std::unique_ptr<ApiServer>> create(const std::string& socket_path,
                                                   service::RequestHandler& handler,
                                                   ApiServerOptions options = {});
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;
  // Stops, waits for the connections, removes the socket file.
  ~ApiServer();

  // Accepts and serves connections until stop(); then closes the listener,
  // ends the connections (each once its current request, if any, is
  // answered), waits for their threads and removes the socket file. Call once.
  Status serve();

  // Makes serve() return promptly. Any thread; async-signal-safe (one write
  // to an eventfd), so a signal handler may call it too.
  void stop();

  [[nodiscard]] const std::string& socket_path() const { return path_; }
  // Connections being served now.
  [[nodiscard]] unsigned connections() const { return threads_->connections(); }
  // Connection threads alive now, idle or serving.
  [[nodiscard]] unsigned connection_threads() const { return threads_->threads(); }

 private:
  ApiServer(ApiSocket socket, UniqueFd stop_fd);

  ApiSocket socket_;
  std::string path_;
  UniqueFd stop_fd_;
  StatusCounts answers_;
  std::mutex serve_mutex_;  // held while serve() runs
  std::unique_ptr<ConnectionThreads> threads_;
};

}  // namespace mimeo::daemon
