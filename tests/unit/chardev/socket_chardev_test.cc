#include "chardev/socket_chardev.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <thread>

#include "base/unique_fd.h"
#include "chardev/open_chardev.h"
#include "test_support.h"

namespace mimeo::chardev {
namespace {

using testing::bytes_of;
using testing::eventually;
using testing::InputCollector;
using testing::ScratchDir;

// The far end, as a user's `socat - UNIX-CONNECT:path` would be.
class Client {
 public:
  explicit Client(const std::string& path) {
    fd_ = UniqueFd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    connected_ = ::connect(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  bool connected() const { return connected_; }
  void send(std::string_view s) {
    ASSERT_EQ(::send(fd_.get(), s.data(), s.size(), MSG_NOSIGNAL), static_cast<ssize_t>(s.size()));
  }
  // Reads until `n` bytes arrived or 5 s passed.
  std::string receive(size_t n) {
    std::string got;
    while (got.size() < n) {
      pollfd p{fd_.get(), POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) {
        break;
      }
      char buf[65536];
      ssize_t r = ::recv(fd_.get(), buf, std::min(sizeof buf, n - got.size()), 0);
      if (r <= 0) {
        break;
      }
      got.append(buf, static_cast<size_t>(r));
    }
    return got;
  }
  void close() { fd_.reset(); }

 private:
  UniqueFd fd_;
  bool connected_ = false;
};

Result<std::unique_ptr<Chardev>> open_server(const std::string& path, bool wait = false) {
  auto spec = parse_chardev_option("socket,id=con0,path=" + path +
                                   ",server=on,wait=" + (wait ? "on" : "off"));
  if (!spec.ok()) {
    return spec.error();
  }
  return open_chardev(*spec);
}

TEST(SocketChardev, ExchangesBytesBothWaysWithOneClientAtATime) {
  ScratchDir dir;
  const std::string path = dir.file("console.sock");
  auto opened = open_server(path);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  Chardev& dev = **opened;
  InputCollector input;
  ASSERT_TRUE(dev.start_input(std::ref(input)).ok());
  EXPECT_EQ(dev.describe(), "unix:" + path + ",server=on");

  dev.write(bytes_of("boot output nobody sees\n"));  // no client yet: dropped
  EXPECT_FALSE(dev.connected());

  Client first(path);
  ASSERT_TRUE(first.connected());
  ASSERT_TRUE(eventually([&] { return dev.connected(); }));
  dev.write(bytes_of("login: "));
  EXPECT_EQ(first.receive(7), "login: ");
  first.send("root\r");
  EXPECT_EQ(input.wait_for(5), "root\r");

  // A second client waits in the backlog until the first one hangs up.
  Client second(path);
  ASSERT_TRUE(second.connected());
  first.close();
  second.send("ls\r");  // read once the chardev has accepted it
  EXPECT_EQ(input.wait_for(8), "root\rls\r");
  dev.write(bytes_of("bin etc\r\n"));
  EXPECT_EQ(second.receive(9), "bin etc\r\n");

  // After a disconnect, a new client is served again.
  second.close();
  ASSERT_TRUE(eventually([&] { return !dev.connected(); }));
  Client third(path);
  ASSERT_TRUE(eventually([&] { return dev.connected(); }));
  dev.write(bytes_of("again"));
  EXPECT_EQ(third.receive(5), "again");
}

TEST(SocketChardev, SocketIsOwnerOnlyAndRemovedOnDestruction) {
  ScratchDir dir;
  const std::string path = dir.file("vm.sock");
  ::umask(0);  // even with a permissive umask
  auto dev = open_server(path);
  ::umask(022);
  ASSERT_TRUE(dev.ok()) << dev.error().describe();
  struct stat st {};
  ASSERT_EQ(::lstat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  dev->reset();
  EXPECT_NE(::lstat(path.c_str(), &st), 0);
  EXPECT_EQ(errno, ENOENT);
}

TEST(SocketChardev, ReplacesAStaleSocketButNotOtherFiles) {
  ScratchDir dir;
  const std::string path = dir.file("vm.sock");
  {
    // A socket left behind by a process that died: bound, then closed without unlink.
    UniqueFd s(::socket(AF_UNIX, SOCK_STREAM, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    ASSERT_EQ(::bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  }
  auto dev = open_server(path);
  ASSERT_TRUE(dev.ok()) << dev.error().describe();

  // A live socket is not taken over.
  auto again = open_server(path);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().describe(),
            "chardev con0: " + path + " is a socket another process is listening on");
  dev->reset();

  const std::string regular = dir.file("notes.txt");
  std::ofstream(regular) << "precious";
  auto clobber = open_server(regular);
  ASSERT_FALSE(clobber.ok());
  EXPECT_EQ(clobber.error().describe(),
            "chardev con0: " + regular + " exists and is not a socket; refusing to replace it");
  std::ifstream in(regular);
  std::string content;
  in >> content;
  EXPECT_EQ(content, "precious");
}

TEST(SocketChardev, ReportsUnusablePaths) {
  ScratchDir dir;
  auto missing_dir = open_server(dir.file("nope/vm.sock"));
  ASSERT_FALSE(missing_dir.ok());
  EXPECT_EQ(missing_dir.error().describe(),
            "chardev con0: bind " + dir.file("nope/vm.sock") + ": No such file or directory");
  auto too_long = open_server("/tmp/" + std::string(120, 'a'));
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.error().message.find("the limit is 107"), std::string::npos);
}

TEST(SocketChardev, WaitOnBlocksUntilTheFirstClient) {
  ScratchDir dir;
  const std::string path = dir.file("wait.sock");
  std::atomic<bool> opened{false};
  std::thread client_thread([&] {
    ASSERT_TRUE(eventually([&] { return std::filesystem::exists(path); }));
    EXPECT_FALSE(opened);  // open_chardev is still waiting
    Client client(path);
    ASSERT_TRUE(client.connected());
    EXPECT_EQ(client.receive(5), "hello");
  });
  auto dev = open_server(path, /*wait=*/true);
  opened = true;
  ASSERT_TRUE(dev.ok()) << dev.error().describe();
  EXPECT_TRUE((*dev)->connected());  // no race: the client was accepted before open returned
  (*dev)->write(bytes_of("hello"));
  client_thread.join();
}

TEST(SocketChardev, ClientModeConnectsToAListener) {
  ScratchDir dir;
  const std::string path = dir.file("peer.sock");
  auto listener = UnixListener::create(path);
  ASSERT_TRUE(listener.ok());
  auto spec = parse_serial_option("unix:" + path);
  ASSERT_TRUE(spec.ok());
  auto dev = open_chardev(spec->backend);
  ASSERT_TRUE(dev.ok()) << dev.error().describe();
  pollfd p{listener->fd(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1);
  auto peer = listener->accept();
  ASSERT_TRUE(peer.ok());
  InputCollector input;
  ASSERT_TRUE((*dev)->start_input(std::ref(input)).ok());
  (*dev)->write(bytes_of("ping"));
  char buf[4];
  pollfd r{peer->get(), POLLIN, 0};
  ASSERT_EQ(::poll(&r, 1, 5000), 1);
  ASSERT_EQ(::recv(peer->get(), buf, 4, MSG_WAITALL), 4);
  EXPECT_EQ(std::string(buf, 4), "ping");
  ASSERT_EQ(::send(peer->get(), "pong", 4, 0), 4);
  EXPECT_EQ(input.wait_for(4), "pong");
  peer->reset();
  EXPECT_TRUE(eventually([&] { return !(*dev)->connected(); }));

  auto refused = open_chardev(parse_serial_option("unix:" + dir.file("nobody.sock"))->backend);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().describe(),
            "chardev socket: connect " + dir.file("nobody.sock") + ": No such file or directory");
}

TEST(SocketChardev, InputWaitsForRoom) {
  ScratchDir dir;
  const std::string path = dir.file("flow.sock");
  auto dev = open_server(path);
  ASSERT_TRUE(dev.ok());
  std::atomic<size_t> room{0};
  InputCollector input;
  ASSERT_TRUE((*dev)
                  ->start_input(
                      [&](std::span<const uint8_t> b) {
                        room -= b.size();
                        input(b);
                      },
                      [&] { return room.load(); })
                  .ok());
  Client client(path);
  ASSERT_TRUE(eventually([&] { return (*dev)->connected(); }));
  client.send("0123456789");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(input.text(), "");  // no room: nothing read
  room = 4;
  (*dev)->notify_input_room();
  EXPECT_EQ(input.wait_for(4), "0123");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(input.text(), "0123");  // never more than the room
  room = 100;
  (*dev)->notify_input_room();
  EXPECT_EQ(input.wait_for(10), "0123456789");
}

TEST(SocketChardev, SlowClientNeverBlocksTheWriter) {
  ScratchDir dir;
  const std::string path = dir.file("slow.sock");
  auto opened = SocketChardev::listen("con0", path, false);
  ASSERT_TRUE(opened.ok());
  SocketChardev& dev = **opened;
  Client client(path);
  ASSERT_TRUE(eventually([&] { return dev.connected(); }));

  // Far more than the socket buffer plus the pending buffer, while the client reads nothing.
  std::string line(1000, 'x');
  line.back() = '\n';
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 4000; ++i) {
    dev.write(bytes_of(line));
  }
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(2));
  EXPECT_GT(dev.dropped_output(), 0U);
  // What was not dropped arrives in order once the client reads.
  std::string got = client.receive(4000 * line.size() - dev.dropped_output());
  EXPECT_EQ(got.substr(0, line.size()), line);
  EXPECT_EQ(got.size(), 4000 * line.size() - dev.dropped_output());
}

}  // namespace
}  // namespace mimeo::chardev
