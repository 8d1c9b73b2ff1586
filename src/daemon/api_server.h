// `mimeo serve`'s REST API: HTTP/1.1 on a Unix socket, one thread per
// connection (capped; beyond the cap a connection gets 503 and is closed),
// each request answered by the core (service::RequestHandler). Free of Beast
// and Asio.
//
//   auto server = ApiServer::create(path, handler);   // listens already
//   std::thread t([&] { (void)(*server)->serve(); });
//   ...; (*server)->stop(); t.join();                  // socket file removed
#pragma once

#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "base/result.h"
#include "base/unique_fd.h"
#include "daemon/api_socket.h"
#include "daemon/http_connection.h"
#include "daemon/status_counts.h"
#include "service/request_handler.h"

namespace mimeo::daemon {

struct ApiServerOptions {
  unsigned max_connections = 128;
  ConnectionLimits limits;
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
  [[nodiscard]] unsigned connections() const { return active_.load(); }

 private:
  struct Connection {
    std::thread thread;
    std::atomic<bool> done{false};
  };

  ApiServer(ApiSocket socket, UniqueFd stop_fd, service::RequestHandler& handler,
            ApiServerOptions options);
  void accept_one();
  void start_connection(UniqueFd fd);
  void join_finished();
  void join_all();

  ApiSocket socket_;
  std::string path_;
  UniqueFd stop_fd_;
  service::RequestHandler& handler_;
  ApiServerOptions options_;
  std::string busy_;  // the whole 503 answer beyond max_connections
  StatusCounts answers_;
  std::atomic<unsigned> active_{0};
  std::list<Connection> connections_;  // only the serve() thread touches it
  std::mutex serve_mutex_;             // held while serve() runs
};

}  // namespace mimeo::daemon
