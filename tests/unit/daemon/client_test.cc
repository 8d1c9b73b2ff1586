// The CLI's client: clear errors when no daemon answers, and timeouts.
#include "daemon/client.h"

#include <gtest/gtest.h>

#include "server_fixture.h"

namespace mimeo::daemon::testing {
namespace {

class ClientTest : public ServerTest {};

TEST_F(ClientTest, NoDaemonIsAClearError) {
  auto response = Client(path_).request("GET", "/health");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().describe(),
            "cannot connect to the mimeo daemon at " + path_ + ": No such file or directory");
  EXPECT_FALSE(daemon_listening(path_));
}

TEST_F(ClientTest, ADaemonThatNeverAnswersTimesOut) {
  // A listener that accepts (the kernel does) but never reads or writes.
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  EXPECT_TRUE(daemon_listening(path_));
  auto started = std::chrono::steady_clock::now();
  auto response = Client(path_, 200ms).request("GET", "/health");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().describe(),
            "the mimeo daemon at " + path_ + " did not answer GET /health within 0.2 s");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  ::close(fd);
}

TEST_F(ClientTest, SendsBodiesAsJsonAndReturnsEveryStatus) {
  start();
  auto response = Client(path_).request("POST", "/clones", R"({"template":"none"})");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->content_type, "application/json");
  EXPECT_EQ(json::parse(response->body)["error"]["code"], "not_found");
}

TEST_F(ClientTest, ARequestLineHttpCannotCarryIsAnError) {
  start();
  auto response = Client(path_).request("GET", "/templates/a b\r\nX: y");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().describe(),
            "not a request path (percent-encode names): '/templates/a b\r\nX: y'");
  EXPECT_FALSE(Client(path_).request("GET /x", "/health").ok());
  EXPECT_EQ(Client(path_).request("GET", "/templates/" + percent_encode("a b")).value().status,
            404);
}

TEST(PercentEncodeTest, KeepsUnreservedBytesOnly) {
  EXPECT_EQ(percent_encode("web-1.0_~x"), "web-1.0_~x");
  EXPECT_EQ(percent_encode("a b/c%"), "a%20b%2Fc%25");
  EXPECT_EQ(percent_encode("\xff"), "%FF");
}

}  // namespace
}  // namespace mimeo::daemon::testing
