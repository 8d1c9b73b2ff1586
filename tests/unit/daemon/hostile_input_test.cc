// What a careless or hostile client may send: the server answers with a JSON
// error or hangs up, never crashes or hangs, and keeps serving others.
#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#include "server_fixture.h"

namespace mimeo::daemon::testing {
namespace {

class HostileInputTest : public ServerTest {
 protected:
  void expect_still_serving() { EXPECT_EQ(call("GET", "/health").status, 200); }
};

TEST_F(HostileInputTest, HugeBodyIs413WithoutReadingIt) {
  start();
  RawAnswer answer = parse_answer(
      raw("POST /templates HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n{\"name\":"));
  EXPECT_EQ(answer.status, 413);
  EXPECT_EQ(json::parse(answer.body)["error"]["code"], "too_large");
  EXPECT_EQ(answer.headers["connection"], "close");
  // A chunked body is cut off where it passes the limit.
  int fd = raw_connect(path_);
  send_all(fd, "POST /templates HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  std::string chunk(64 * 1024, ' ');
  std::string framed = "10000\r\n" + chunk + "\r\n";
  for (int i = 0; i < 17; ++i) {
    send_all(fd, framed);
  }
  EXPECT_EQ(parse_answer(read_until_close(fd)).status, 413);
  ::close(fd);
  expect_still_serving();
}

TEST_F(HostileInputTest, HugeHeaderIs431) {
  start();
  std::string request =
      "GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(20000, 'a') + "\r\n\r\n";
  RawAnswer answer = parse_answer(raw(request));
  EXPECT_EQ(answer.status, 431);
  EXPECT_EQ(json::parse(answer.body)["error"]["code"], "headers_too_large");
  std::string long_target = "GET /templates/" + std::string(17000, 'x') + " HTTP/1.1\r\n\r\n";
  EXPECT_EQ(parse_answer(raw(long_target)).status, 431);
  expect_still_serving();
}

TEST_F(HostileInputTest, GarbageIs400AndTheConnectionCloses) {
  start();
  std::string garbage;
  for (int i = 0; i < 4096; ++i) {
    garbage += static_cast<char>((i * 7919) & 0xff);
  }
  RawAnswer answer = parse_answer(raw(garbage));
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(json::parse(answer.body)["error"]["code"], "invalid");
  EXPECT_NE(json::parse(answer.body)["error"]["message"].get<std::string>().find("malformed HTTP"),
            std::string::npos);
  EXPECT_EQ(parse_answer(raw("GET /health HTTP/9.9\r\n\r\n")).status, 400);
  EXPECT_EQ(parse_answer(raw("G(T /health HTTP/1.1\r\n\r\n")).status, 400);
  EXPECT_EQ(parse_answer(raw("GET /he alth HTTP/1.1\r\n\r\n")).status, 400);
  EXPECT_EQ(parse_answer(raw("GET /health HTTP/1.1\r\nBad Header\r\n\r\n")).status, 400);
  EXPECT_EQ(
      parse_answer(raw("POST /clones HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n"))
          .status,
      400);
  expect_still_serving();
}

TEST_F(HostileInputTest, UnknownMethodsAre405) {
  start();
  RawAnswer answer =
      parse_answer(raw("BREW /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  EXPECT_EQ(answer.status, 405);
  EXPECT_EQ(answer.headers["allow"], "GET");
}

TEST_F(HostileInputTest, HeadIs405WithoutABody) {
  start();
  std::string text =
      raw("HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n"
          "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  RawAnswer head = parse_answer(text);
  EXPECT_EQ(head.status, 405);
  EXPECT_EQ(head.headers["allow"], "GET");
  // The next answer follows the head's headers at once: no body in between.
  size_t end = text.find("\r\n\r\n");
  EXPECT_EQ(parse_answer(text.substr(end + 4)).status, 200);
}

TEST_F(HostileInputTest, BadJsonAndTypesThroughTheSocket) {
  start();
  auto post = [&](std::string body) {
    return parse_answer(
        raw("POST /clones HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            "Content-Length: " +
            std::to_string(body.size()) + "\r\n\r\n" + body));
  };
  RawAnswer not_utf8 = post("{\"template\":\"\xff\xfe\"}");
  EXPECT_EQ(not_utf8.status, 400);
  EXPECT_NE(json::parse(not_utf8.body)["error"]["message"].get<std::string>().find(
                "the body is not valid JSON: parse error at line 1, column 14: syntax error while "
                "parsing value - invalid string: ill-formed UTF-8 byte"),
            std::string::npos)
      << not_utf8.body;
  RawAnswer nested = post(std::string(100000, '[') + std::string(100000, ']'));
  EXPECT_EQ(nested.status, 400);
  EXPECT_EQ(json::parse(nested.body)["error"]["message"],
            "the body must be a JSON object, not an array");
  RawAnswer unknown = post(R"({"template":"t","\u00ff":1})");
  EXPECT_EQ(json::parse(unknown.body)["error"]["message"], "unknown field '\xc3\xbf'");
  EXPECT_EQ(post("\x00\x01").status, 400);
  expect_still_serving();
}

TEST_F(HostileInputTest, HalfARequestThenHangingUpLeavesTheServerServing) {
  start();
  for (int i = 0; i < 20; ++i) {
    int fd = raw_connect(path_);
    send_all(fd, "POST /templates HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"na");
    ::close(fd);
  }
  expect_still_serving();
}

TEST_F(HostileInputTest, SilentClientsTimeOut) {
  ApiServerOptions options;
  options.limits.timeout = 300ms;
  start(options);
  auto started = std::chrono::steady_clock::now();
  // Half a request: 408, then the connection closes.
  int half = raw_connect(path_);
  send_all(half, "GET /health HTTP/1.1\r\nHo");
  int idle = raw_connect(path_);
  RawAnswer answer = parse_answer(read_until_close(half));
  EXPECT_EQ(answer.status, 408);
  EXPECT_EQ(json::parse(answer.body)["error"]["code"], "timeout");
  // Nothing at all: closed without a word.
  EXPECT_EQ(read_until_close(idle), "");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  ::close(half);
  ::close(idle);
  expect_still_serving();
}

TEST_F(HostileInputTest, ExpectContinueGetsAnInterimAnswer) {
  start();
  int fd = raw_connect(path_);
  send_all(fd,
           "PUT /templates/x/pool HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
           "Content-Length: 10\r\nConnection: close\r\n\r\n");
  char interim[64] = {};
  ASSERT_GT(::recv(fd, interim, sizeof interim - 1, 0), 0);
  EXPECT_STREQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  send_all(fd, "{\"size\":1}");
  EXPECT_EQ(parse_answer(read_until_close(fd)).status, 404);
  ::close(fd);
}

TEST_F(HostileInputTest, TwoHundredConnectionsAtOnceAreAnsweredOr503) {
  core_.health_delay = 500ms;  // the first 128 are all busy when the rest arrive
  start();
  constexpr int kClients = 200;
  std::vector<int> fds;
  for (int i = 0; i < kClients; ++i) {
    fds.push_back(raw_connect(path_));
    ASSERT_GE(fds.back(), 0);
    send_all(fds.back(), "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  }
  int ok = 0;
  int busy = 0;
  for (int fd : fds) {
    RawAnswer answer = parse_answer(read_until_close(fd, 20s));
    ok += answer.status == 200 ? 1 : 0;
    if (answer.status == 503) {
      ++busy;
      EXPECT_EQ(json::parse(answer.body)["error"]["code"], "unavailable");
    }
    ::close(fd);
  }
  EXPECT_EQ(ok + busy, kClients);
  EXPECT_GE(ok, 1);
  EXPECT_GE(busy, 1);
  core_.health_delay = 0ms;
  expect_still_serving();
  std::string metrics = call("GET", "/metrics").body;
  EXPECT_NE(metrics.find("mimeo_http_requests_total{code=\"503\"} " + std::to_string(busy) + "\n"),
            std::string::npos);
}

TEST_F(HostileInputTest, StopEndsIdleConnectionsPromptlyAndRemovesTheSocket) {
  start();
  int idle = raw_connect(path_);
  ASSERT_GE(idle, 0);
  auto started = std::chrono::steady_clock::now();
  stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  EXPECT_EQ(read_until_close(idle, 1s), "");
  EXPECT_FALSE(std::filesystem::exists(path_));
  ::close(idle);
}

TEST_F(HostileInputTest, StopLetsARequestInFlightFinish) {
  core_.health_delay = 300ms;
  start();
  std::thread request([&] { EXPECT_EQ(call("GET", "/health").status, 200); });
  std::this_thread::sleep_for(100ms);
  stop();
  request.join();
}

}  // namespace
}  // namespace mimeo::daemon::testing
