// The daemon's socket file: owner-only, never stealing a live daemon's path or
// another file, replacing what a dead daemon left, removed on stop.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "server_fixture.h"

namespace mimeo::daemon::testing {
namespace {

class SocketTest : public ServerTest {};

// A socket file nobody listens on, as a killed daemon leaves it.
void leave_stale_socket(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ::close(fd);
}

TEST_F(SocketTest, IsOwnerOnlyWhateverTheUmask) {
  mode_t old = ::umask(0);
  start();
  ::umask(old);
  struct stat st {};
  ASSERT_EQ(::lstat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0600U);
}

TEST_F(SocketTest, ASecondServerOnTheSamePathIsRefused) {
  start();
  FakeCore other;
  auto second = ApiServer::create(path_, other);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().describe(), "another daemon listens on " + path_);
  EXPECT_EQ(call("GET", "/health").status, 200);  // the first one is untouched
}

TEST_F(SocketTest, AStaleSocketIsReplaced) {
  leave_stale_socket(path_);
  EXPECT_FALSE(daemon_listening(path_));
  start();
  EXPECT_TRUE(daemon_listening(path_));
  EXPECT_EQ(call("GET", "/health").status, 200);
}

TEST_F(SocketTest, AnotherFileIsNeverReplaced) {
  std::ofstream(path_) << "precious";
  auto server = ApiServer::create(path_, core_);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.error().describe(),
            path_ + " exists and is not a socket; refusing to replace it");
  std::ifstream in(path_);
  std::string content;
  in >> content;
  EXPECT_EQ(content, "precious");
}

TEST_F(SocketTest, PathsThatCannotBeSocketsAreErrors) {
  auto empty = ApiServer::create("", core_);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().describe(), "the daemon's socket path is empty");
  auto long_path = ApiServer::create(dir_.file(std::string(200, 'x')), core_);
  ASSERT_FALSE(long_path.ok());
  EXPECT_NE(long_path.error().describe().find("the limit is 107"), std::string::npos);
  auto missing_dir = ApiServer::create(dir_.file("no/such/dir.sock"), core_);
  ASSERT_FALSE(missing_dir.ok());
  EXPECT_EQ(missing_dir.error().describe(),
            "bind " + dir_.file("no/such/dir.sock") + ": No such file or directory");
}

TEST_F(SocketTest, StopRemovesTheSocketButNotAFileThatReplacedIt) {
  start();
  stop();
  EXPECT_FALSE(std::filesystem::exists(path_));
  EXPECT_FALSE(daemon_listening(path_));

  start();
  std::filesystem::remove(path_);
  std::ofstream(path_) << "someone else's";
  stop();
  EXPECT_TRUE(std::filesystem::is_regular_file(path_));
}

TEST_F(SocketTest, ServeReturnsAtOnceWhenStoppedBeforehand) {
  auto server = ApiServer::create(path_, core_);
  ASSERT_TRUE(server.ok());
  (*server)->stop();
  EXPECT_TRUE((*server)->serve().ok());
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(SocketTest, DestroyingAServerThatNeverServedRemovesItsSocket) {
  {
    auto server = ApiServer::create(path_, core_);
    ASSERT_TRUE(server.ok());
    EXPECT_TRUE(std::filesystem::exists(path_));
  }
  EXPECT_FALSE(std::filesystem::exists(path_));
}

}  // namespace
}  // namespace mimeo::daemon::testing
