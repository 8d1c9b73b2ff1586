// exec: migration commands: the pipe, the exit status, and kill().
#include "qmp/exec_child.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace mimeo::qmp {
namespace {

std::string read_all(int fd) {
  std::string out;
  char buffer[256];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) {
    out.append(buffer, static_cast<size_t>(n));
  }
  return out;
}

TEST(ExecChild, ReadsWhatTheCommandWrites) {
  auto child = ExecChild::spawn("printf 'stream bytes'; exit 0", ExecChild::Direction::kFromChild);
  ASSERT_TRUE(child.ok()) << child.error().describe();
  EXPECT_EQ(read_all((*child)->pipe_fd()), "stream bytes");
  EXPECT_TRUE((*child)->wait().ok());
}

TEST(ExecChild, FeedsTheCommandsStdin) {
  char dir[] = "/tmp/mimeo-exec-test-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string out = std::string(dir) + "/out";
  auto child = ExecChild::spawn("cat > '" + out + "'", ExecChild::Direction::kToChild);
  ASSERT_TRUE(child.ok());
  ASSERT_EQ(::write((*child)->pipe_fd(), "hello", 5), 5);
  (*child)->close_pipe();
  EXPECT_TRUE((*child)->wait().ok());
  FILE* f = std::fopen(out.c_str(), "r");
  ASSERT_NE(f, nullptr);
  char text[16] = {};
  EXPECT_EQ(std::fread(text, 1, sizeof text, f), 5U);
  std::fclose(f);
  EXPECT_STREQ(text, "hello");
  ::unlink(out.c_str());
  ::rmdir(dir);
}

TEST(ExecChild, ANonZeroExitIsAnErrorNamingTheCommand) {
  auto child = ExecChild::spawn("exit 3", ExecChild::Direction::kFromChild);
  ASSERT_TRUE(child.ok());
  auto status = (*child)->wait();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "exec:exit 3: the command exited with status 3");
  EXPECT_TRUE((*child)->exited());
}

TEST(ExecChild, TheCommandSeesOnlyItsStandardStreams) {
  auto child = ExecChild::spawn("ls /proc/self/fd", ExecChild::Direction::kFromChild);
  ASSERT_TRUE(child.ok());
  std::string fds = read_all((*child)->pipe_fd());
  EXPECT_TRUE((*child)->wait().ok());
  // 0, 1, 2 and the directory ls itself opens.
  EXPECT_EQ(fds, "0\n1\n2\n3\n");
}

TEST(ExecChild, KillEndsTheWholePipelineFromAnotherThread) {
  auto child = ExecChild::spawn("sleep 30 | sleep 30", ExecChild::Direction::kFromChild);
  ASSERT_TRUE(child.ok());
  const auto start = std::chrono::steady_clock::now();
  std::thread killer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    (*child)->kill();
  });
  // EOF comes only when every process holding the pipe is gone.
  EXPECT_EQ(read_all((*child)->pipe_fd()), "");
  auto status = (*child)->wait();
  killer.join();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "exec:sleep 30 | sleep 30: the command was killed by SIGKILL");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

}  // namespace
}  // namespace mimeo::qmp
