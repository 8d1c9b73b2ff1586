// The server's connection threads: reused from one connection to the next,
// never more than the connection limit allows (beyond it: 503 at once), the
// spare ones beyond the number kept ending after a while.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <vector>

#include "server_fixture.h"

namespace mimeo::daemon::testing {
namespace {

class ConnectionThreadsTest : public ServerTest {
 protected:
  // A kept-alive connection with one request answered: a thread serves it
  // until it closes.
  int held_connection() {
    int fd = raw_connect(path_);
    EXPECT_GE(fd, 0);
    send_all(fd, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    char answer[4096];
    ssize_t n = ::recv(fd, answer, sizeof answer, 0);
    EXPECT_GT(n, 0);
    EXPECT_EQ(parse_answer(std::string(answer, n > 0 ? static_cast<size_t>(n) : 0)).status, 200);
    return fd;
  }
  // Waits up to 5 s for `done`.
  template <class Condition>
  static bool eventually(Condition done) {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) {
        return false;
      }
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }
};

std::set<std::string> process_threads() {
  std::set<std::string> tids;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) {
    tids.insert(entry.path().filename().string());
  }
  return tids;
}

TEST_F(ConnectionThreadsTest, SequentialConnectionsReuseTheSameThreads) {
  start();
  ASSERT_EQ(call("GET", "/health").status, 200);
  std::set<std::string> seen = process_threads();
  const size_t before = seen.size();
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(
        parse_answer(raw("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).status,
        200)
        << "connection " << i;
    std::set<std::string> now = process_threads();
    seen.insert(now.begin(), now.end());
  }
  // A thread per connection would have shown ~200 thread ids; the spare
  // threads (2), and the few more started when a connection arrives while
  // the previous one is still being closed, serve them all.
  EXPECT_LE(seen.size(), before + 4);
  EXPECT_LE(server_->connection_threads(), 4U);
}

TEST_F(ConnectionThreadsTest, ConnectionsBeyondTheLimitGet503AtOnce) {
  ApiServerOptions options;
  options.max_connections = 3;
  start(options);
  std::vector<int> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(held_connection());
  }
  EXPECT_EQ(server_->connections(), 3U);
  for (int i = 0; i < 5; ++i) {
    auto started = std::chrono::steady_clock::now();
    RawAnswer answer = parse_answer(raw("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_EQ(answer.status, 503) << "connection " << i;
    EXPECT_EQ(answer.headers["connection"], "close");
    EXPECT_EQ(json::parse(answer.body)["error"]["code"], "unavailable");
    EXPECT_EQ(json::parse(answer.body)["error"]["message"],
              "the daemon is serving 3 connections, its limit; retry later");
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  }
  // The limit's threads, and one more that answers 503.
  EXPECT_LE(server_->connection_threads(), 4U);
  // A connection that ends makes room for the next.
  ::close(held.back());
  held.pop_back();
  ASSERT_TRUE(eventually([&] { return server_->connections() == 2U; }));
  EXPECT_EQ(call("GET", "/health").status, 200);
  for (int fd : held) {
    ::close(fd);
  }
  ASSERT_TRUE(eventually([&] { return server_->connections() == 0U; }));
  EXPECT_NE(call("GET", "/metrics").body.find("mimeo_http_requests_total{code=\"503\"} 5\n"),
            std::string::npos);
}

TEST_F(ConnectionThreadsTest, SpareThreadsBeyondTheKeptNumberEnd) {
  ApiServerOptions options;
  options.spare_threads = 1;
  options.spare_thread_linger = 100ms;
  start(options);
  ASSERT_TRUE(eventually([&] { return server_->connection_threads() == 1U; }));
  std::vector<int> held;
  for (int i = 0; i < 6; ++i) {
    held.push_back(held_connection());
  }
  EXPECT_EQ(server_->connections(), 6U);
  // One more waits for the next connection.
  EXPECT_TRUE(eventually([&] { return server_->connection_threads() == 7U; }))
      << server_->connection_threads() << " threads";
  for (int fd : held) {
    ::close(fd);
  }
  ASSERT_TRUE(eventually([&] { return server_->connections() == 0U; }));
  EXPECT_TRUE(eventually([&] { return server_->connection_threads() == 1U; }))
      << server_->connection_threads() << " threads";
  EXPECT_EQ(call("GET", "/health").status, 200);
}

TEST_F(ConnectionThreadsTest, StopEndsEveryThread) {
  const std::set<std::string> before = process_threads();
  start();
  std::vector<int> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(held_connection());
  }
  EXPECT_GT(process_threads().size(), before.size() + 4);
  auto started = std::chrono::steady_clock::now();
  stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  EXPECT_EQ(process_threads(), before);
  for (int fd : held) {
    EXPECT_EQ(read_until_close(fd, 1s), "");
    ::close(fd);
  }
}

}  // namespace
}  // namespace mimeo::daemon::testing
