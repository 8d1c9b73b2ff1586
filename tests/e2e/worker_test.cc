// `mimeo worker` as the daemon uses it (docs/worker.md): a warm clone that says
// "ready" on its notify fd, is started, paused and resumed over its control
// socket, serves the guest's console on a socket, and leaves nothing behind.
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <nlohmann/json.hpp>

#include "e2e/worker_support.h"

extern char** environ;

namespace mimeo::e2e {
namespace {

constexpr milliseconds kReady{10'000};

bool is_owner_only_socket(const std::string& path) {
  const FileState state = file_state(path);
  return state.exists && S_ISSOCK(state.mode) && (state.mode & 0777) == 0600;
}

class Worker : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    parent_ = new TempDir();
    template_ = parent_->file("guest-template");
    create_template(template_);
  }
  static void TearDownTestSuite() {
    delete parent_;
    parent_ = nullptr;
  }
  void SetUp() override { ASSERT_EQ(file_state(template_ + "/state").exists, true); }

  // A worker that said "ready".
  WorkerUnderTest warm_worker(const std::string& id) {
    WorkerUnderTest worker = spawn_worker(template_, sockets_.path(), id);
    EXPECT_TRUE(worker.process);
    if (worker.process) {
      EXPECT_EQ(worker.notify.next_line(kReady), "ready") << worker.process->stderr_text();
    }
    return worker;
  }

  static void expect_gone(const WorkerUnderTest& worker) {
    EXPECT_FALSE(file_state(worker.control).exists) << worker.control;
    EXPECT_FALSE(file_state(worker.console).exists) << worker.console;
  }

  static inline TempDir* parent_ = nullptr;
  static inline std::string template_;
  TempDir sockets_;
};

TEST_F(Worker, WarmThenStartedPausedResumedAndStopped) {
  WorkerUnderTest worker = warm_worker("0123456789ab");
  ASSERT_TRUE(worker.process);
  EXPECT_TRUE(worker.notify.next_line(milliseconds(1000)) == std::nullopt && worker.notify.eof());
  EXPECT_TRUE(is_owner_only_socket(worker.control));
  EXPECT_TRUE(is_owner_only_socket(worker.console));
  const pid_t pid = worker.process->pid();
  // MimeoProcess makes it a process group leader, which cannot call setsid();
  // SessionOfItsOwn covers a worker spawned as the daemon spawns it.
  EXPECT_EQ(::getpgid(pid), pid);

  LineChannel control = connect_channel(worker.control);
  ASSERT_TRUE(control.valid());
  const std::string id = " pid=" + std::to_string(pid) + " id=0123456789ab";
  EXPECT_EQ(ask(control, "status"), "ok warm" + id);
  // Once started, `status` adds the VM UUID (here the template's: no uuid= on start).
  const auto started_status = [&](const std::string& state) {
    const std::string reply = ask(control, "status");
    const std::string head = "ok " + state + id + " uuid=";
    return reply.starts_with(head) && reply.size() == head.size() + 36 ? state : reply;
  };
  LineChannel console = connect_channel(worker.console);
  ASSERT_TRUE(console.valid());
  EXPECT_EQ(ask(control, "resume"), "error resume: the clone is warm, not paused (use start)");
  EXPECT_EQ(ask(control, "pause"), "error pause: the clone is warm, not running");
  EXPECT_EQ(ask(control, "start"), "ok running");
  EXPECT_EQ(ask(console, "ping"), "pong");
  EXPECT_EQ(ask(control, "start"), "error start: the clone was started already (it is running)");
  EXPECT_EQ(ask(control, "pause"), "ok paused");
  EXPECT_EQ(started_status("paused"), "paused");
  // Paused: the guest answers only once resumed.
  ASSERT_TRUE(console.send_line("ping"));
  EXPECT_EQ(console.next_line(milliseconds(300)), std::nullopt);
  EXPECT_EQ(ask(control, "resume"), "ok running");
  EXPECT_EQ(console.next_line(milliseconds(5000)), "pong");
  EXPECT_EQ(ask(control, "hello"),
            "error unknown request 'hello' (status, start [uuid=UUID], pause, resume or stop)");
  EXPECT_EQ(started_status("running"), "running");

  // The daemon may go away and come back: the worker takes the next client.
  control = LineChannel();
  control = connect_channel(worker.control);
  ASSERT_TRUE(control.valid());
  EXPECT_EQ(started_status("running"), "running");
  EXPECT_EQ(ask(console, "ping"), "pong");
  EXPECT_EQ(ask(control, "stop"), "ok stopping");
  EXPECT_EQ(worker.process->wait_exit(), 0);
  expect_gone(worker);
  EXPECT_NE(worker.process->stderr_text().find("mimeo: VM stopped on request: stop on the "
                                               "control socket\n"),
            std::string::npos)
      << worker.process->stderr_text();
}

TEST_F(Worker, StartGivesTheUuidAndTheGuestSeesAFreshIdentity) {
  WorkerUnderTest worker = warm_worker("uuid-test");
  ASSERT_TRUE(worker.process);
  LineChannel control = connect_channel(worker.control);
  LineChannel console = connect_channel(worker.console);
  ASSERT_TRUE(control.valid() && console.valid());
  EXPECT_EQ(ask(control, "start uuid=1234"),
            "error start: '1234' is not a UUID (want 8-4-4-4-12 hex digits)");
  const std::string uuid = "12345678-9abc-4def-8123-456789abcdef";
  EXPECT_EQ(ask(control, "start uuid=" + uuid), "ok running");
  auto identity = parse_identity(ask(console, "identity"));
  ASSERT_TRUE(identity);
  EXPECT_EQ(identity->uuid, uuid);
  EXPECT_EQ(identity->gen, "1");  // the template's counter + 1
  EXPECT_TRUE(worker.process->signal(SIGTERM));
  EXPECT_EQ(worker.process->wait_exit(), 0);
  expect_gone(worker);
}

// As `mimeo clone`: the guest's isa-debug-exit status, the report on stderr.
TEST_F(Worker, GuestExitEndsTheWorkerWithTheStatusCloneGives) {
  WorkerUnderTest worker = warm_worker("exits");
  ASSERT_TRUE(worker.process);
  LineChannel control = connect_channel(worker.control);
  LineChannel console = connect_channel(worker.console);
  ASSERT_TRUE(control.valid() && console.valid());
  EXPECT_EQ(ask(control, "start"), "ok running");
  EXPECT_EQ(ask(console, "exit 3"), "exiting 3");
  EXPECT_EQ(worker.process->wait_exit(), 7);
  EXPECT_TRUE(worker.process->stderr_text().ends_with(
      "mimeo: guest exited through isa-debug-exit with status 7\n"))
      << worker.process->stderr_text();
  expect_gone(worker);
}

// Spawned as the daemon spawns it (posix_spawn, no process group of its own).
TEST_F(Worker, SessionOfItsOwn) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  UniqueFd notify(fds[0]);
  const std::string control = sockets_.file("session.control");
  std::vector<std::string> args = {MIMEO_BINARY,  "worker",
                                   "--template",  template_,
                                   "--id",        "session",
                                   "--control",   control,
                                   "--console",   sockets_.file("session.console"),
                                   "--notify-fd", std::to_string(fds[1])};
  std::vector<char*> argv;
  for (auto& arg : args) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);
  pid_t pid = -1;
  ASSERT_EQ(::posix_spawn(&pid, MIMEO_BINARY, nullptr, nullptr, argv.data(), environ), 0);
  ::close(fds[1]);
  LineChannel ready(std::move(notify));
  EXPECT_EQ(ready.next_line(kReady), "ready");
  EXPECT_EQ(::getsid(pid), pid);
  LineChannel channel = connect_channel(control);
  if (ask(channel, "stop") != "ok stopping") {
    ADD_FAILURE() << "no answer to stop";
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  EXPECT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST_F(Worker, SignalsOfATerminalAreIgnoredAndSigtermStopsAWarmClone) {
  WorkerUnderTest worker = warm_worker("signals");
  ASSERT_TRUE(worker.process);
  for (int sig : {SIGINT, SIGHUP, SIGPIPE}) {
    EXPECT_TRUE(worker.process->signal(sig));
  }
  LineChannel control = connect_channel(worker.control);
  EXPECT_TRUE(ask(control, "status").starts_with("ok warm pid="));
  EXPECT_TRUE(worker.process->signal(SIGTERM));
  EXPECT_EQ(worker.process->wait_exit(), 0);
  expect_gone(worker);
}

// The same checks of the untrusted template as `mimeo clone`, the error on
// the notify fd, and nothing left behind.
TEST_F(Worker, ABadTemplateIsRefusedOnTheNotifyFdAndNothingIsCreated) {
  TempDir scratch;
  const std::string tampered = scratch.file("share-on");
  ASSERT_NO_FATAL_FAILURE(copy_template(template_, tampered));
  const std::string metadata = tampered + "/template.json";
  auto doc = nlohmann::json::parse(read_text(metadata));
  for (auto& option : doc["clone_options"]) {
    std::string text = option.get<std::string>();
    if (auto at = text.find("readonly=on,rom=off"); at != std::string::npos) {
      text.replace(at, 19, "share=on");
    }
    option = text;
  }
  write_text(metadata, doc.dump());
  // Found only when restoring, after the sockets were made: they go again.
  const std::string damaged = scratch.file("state-damaged");
  ASSERT_NO_FATAL_FAILURE(copy_template(template_, damaged));
  std::string state = read_text(damaged + "/state");
  state[state.size() / 2] = static_cast<char>(state[state.size() / 2] ^ 1);
  write_text(damaged + "/state", state);

  for (const std::string& dir : {scratch.file("missing"), tampered, damaged}) {
    const auto clone = run_mimeo({"clone", dir});
    ASSERT_TRUE(clone.err.starts_with("mimeo clone: ")) << clone.err;
    const std::string message = clone.err.substr(13, clone.err.size() - 14);
    WorkerUnderTest worker = spawn_worker(dir, sockets_.path(), "bad");
    ASSERT_TRUE(worker.process);
    EXPECT_EQ(worker.notify.next_line(kReady), "error " + message);
    EXPECT_EQ(worker.process->wait_exit(), 1);
    EXPECT_EQ(worker.process->stderr_text(), "mimeo worker: " + message + "\n");
    EXPECT_TRUE(directory_state(sockets_.path()).empty());
  }
}

TEST_F(Worker, RefusesAControlPathThatIsNotAStaleSocket) {
  const std::string file = sockets_.file("control");
  write_text(file, "keep me\n");
  WorkerUnderTest worker = spawn_worker(template_, sockets_.path(), "path", file);
  ASSERT_TRUE(worker.process);
  const std::string message =
      "--control: " + file + " exists and is not a socket; refusing to replace it";
  EXPECT_EQ(worker.notify.next_line(kReady), "error " + message);
  EXPECT_EQ(worker.process->wait_exit(), 1);
  EXPECT_EQ(read_text(file), "keep me\n");
  EXPECT_FALSE(file_state(worker.console).exists);
}

TEST_F(Worker, AnOverlongRequestClosesTheConnectionOnly) {
  WorkerUnderTest worker = warm_worker("long");
  ASSERT_TRUE(worker.process);
  LineChannel control = connect_channel(worker.control);
  EXPECT_EQ(ask(control, std::string(300, 'x')),
            "error request longer than 256 bytes; closing the connection");
  EXPECT_EQ(control.next_line(milliseconds(2000)), std::nullopt);
  EXPECT_TRUE(control.eof());
  control = connect_channel(worker.control);
  EXPECT_TRUE(ask(control, "status").starts_with("ok warm pid="));
  EXPECT_EQ(ask(control, "stop"), "ok stopping");
  EXPECT_EQ(worker.process->wait_exit(), 0);
}

}  // namespace
}  // namespace mimeo::e2e
