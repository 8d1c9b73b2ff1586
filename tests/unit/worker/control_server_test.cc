// The control socket with a real Unix socket and a handler that echoes, driven
// the way the worker's poll loop drives it.
#include "worker/control_server.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cstring>
#include <fstream>

#include "common/temp_dir.h"
#include "worker/control_protocol.h"

namespace mimeo::worker {
namespace {

using mimeo::testing::TempDir;

UniqueFd connect_to(const std::string& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return {};
  }
  return fd;
}

// Runs the server's side until `client` has something to read (or `rounds`
// times 10 ms passed).
std::string exchange(ControlServer& server, int client, const std::string& sent,
                     const ControlServer::Handler& handle, int rounds = 200) {
  if (!sent.empty()) {
    EXPECT_EQ(::send(client, sent.data(), sent.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(sent.size()));
  }
  for (int round = 0; round < rounds; ++round) {
    pollfd fds[2] = {{server.poll_fd(), POLLIN, 0}, {client, POLLIN, 0}};
    ::poll(fds, 2, 10);
    if (fds[0].revents != 0) {
      server.on_readable(handle);
    }
    if (fds[1].revents != 0) {
      char buffer[1024];
      ssize_t n = ::recv(client, buffer, sizeof buffer, MSG_DONTWAIT);
      return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : "(closed)";
    }
  }
  return "(nothing)";
}

ControlServer::Reply echo(std::string_view line) {
  if (line == "stop") {
    return {ok_reply("stopping"), true};
  }
  auto request = parse_request(line);
  return {request.ok() ? ok_reply(line) : error_reply(request.error().describe())};
}

TEST(ControlServer, AnswersEachLineAndTakesTheNextClientAfterAHangUp) {
  TempDir dir;
  const std::string path = dir.file("control.sock");
  auto server = ControlServer::listen(path);
  ASSERT_TRUE(server.ok()) << server.error().describe();
  struct stat st {};
  ASSERT_EQ(::lstat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600U);

  UniqueFd first = connect_to(path);
  ASSERT_TRUE(first);
  EXPECT_EQ(exchange(*server, first.get(), "status\n", echo), "ok status\n");
  EXPECT_TRUE(server->has_client());
  // A bad request gets an error and the connection stays usable.
  EXPECT_EQ(
      exchange(*server, first.get(), "nonsense\n", echo),
      "error unknown request 'nonsense' (status, start [uuid=UUID], pause, resume or stop)\n");
  EXPECT_EQ(exchange(*server, first.get(), "pa", echo, 10), "(nothing)");
  EXPECT_EQ(exchange(*server, first.get(), "use\n", echo), "ok pause\n");
  first.reset();
  UniqueFd second = connect_to(path);
  ASSERT_TRUE(second);
  EXPECT_EQ(exchange(*server, second.get(), "resume\r\n", echo), "ok resume\r\n");
}

TEST(ControlServer, ClosesTheConnectionAfterAnOverlongLine) {
  TempDir dir;
  const std::string path = dir.file("control.sock");
  auto server = ControlServer::listen(path);
  ASSERT_TRUE(server.ok());
  UniqueFd client = connect_to(path);
  ASSERT_TRUE(client);
  EXPECT_EQ(exchange(*server, client.get(), std::string(300, 'x'), echo),
            "error request longer than 256 bytes; closing the connection\n");
  EXPECT_EQ(exchange(*server, client.get(), "", echo), "(closed)");
  EXPECT_FALSE(server->has_client());
  UniqueFd next = connect_to(path);
  ASSERT_TRUE(next);
  EXPECT_EQ(exchange(*server, next.get(), "status\n", echo), "ok status\n");
}

TEST(ControlServer, ReadsNoRequestAfterAFinalReply) {
  TempDir dir;
  const std::string path = dir.file("control.sock");
  auto server = ControlServer::listen(path);
  ASSERT_TRUE(server.ok());
  UniqueFd client = connect_to(path);
  ASSERT_TRUE(client);
  int handled = 0;
  auto counting = [&handled](std::string_view line) {
    ++handled;
    return echo(line);
  };
  EXPECT_EQ(exchange(*server, client.get(), "stop\nstatus\n", counting), "ok stopping\n");
  EXPECT_EQ(handled, 1);
}

TEST(ControlServer, ReplacesAStaleSocketAndRefusesAnythingElse) {
  TempDir dir;
  const std::string path = dir.file("control.sock");
  {
    auto dead = ControlServer::listen(path);
    ASSERT_TRUE(dead.ok());
    ASSERT_EQ(::link(path.c_str(), dir.file("kept.sock").c_str()), 0);
  }  // its socket file is removed; put a stale one back
  ASSERT_EQ(::rename(dir.file("kept.sock").c_str(), path.c_str()), 0);
  auto server = ControlServer::listen(path);
  EXPECT_TRUE(server.ok()) << server.error().describe();

  auto live = ControlServer::listen(path);
  ASSERT_FALSE(live.ok());
  EXPECT_EQ(live.error().describe(), path + " is a socket another process is listening on");

  const std::string file = dir.file("file");
  std::ofstream(file) << "x";
  auto refused = ControlServer::listen(file);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().describe(),
            file + " exists and is not a socket; refusing to replace it");
}

TEST(ControlServer, RemovesItsSocketFile) {
  TempDir dir;
  const std::string path = dir.file("control.sock");
  {
    auto server = ControlServer::listen(path);
    ASSERT_TRUE(server.ok());
  }
  struct stat st {};
  EXPECT_NE(::lstat(path.c_str(), &st), 0);
}

}  // namespace
}  // namespace mimeo::worker
