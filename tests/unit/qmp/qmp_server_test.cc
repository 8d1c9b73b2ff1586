// The QMP monitor socket with a backend that needs no VM.
#include "qmp/qmp_server.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "fake_backend.h"
#include "qmp_test_client.h"

namespace mimeo::qmp::testing {
namespace {

using namespace std::chrono_literals;

class Server : public ::testing::Test {
 protected:
  Server() {
    char name[] = "/tmp/mimeo-qmp-test-XXXXXX";
    dir_ = ::mkdtemp(name);
    path_ = dir_ + "/qmp.sock";
  }
  ~Server() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  void start() {
    auto server = QmpServer::start({path_, false}, backend_);
    ASSERT_TRUE(server.ok()) << server.error().describe();
    server_ = std::move(server.value());
  }

  // A connected, negotiated client.
  QmpTestClient client() {
    auto c = QmpTestClient::connect(path_);
    EXPECT_TRUE(c.has_value());
    EXPECT_TRUE(c->message().has_value());  // greeting
    EXPECT_EQ(c->command("qmp_capabilities"), Json::parse(R"({"return": {}})"));
    return std::move(*c);
  }

  std::string dir_;
  std::string path_;
  FakeBackend backend_;
  std::unique_ptr<QmpServer> server_;
};

TEST_F(Server, GreetsAndAnswersWithCrLfLines) {
  start();
  auto c = QmpTestClient::connect(path_);
  ASSERT_TRUE(c);
  auto greeting = c->line();
  ASSERT_TRUE(greeting);
  EXPECT_TRUE(greeting->starts_with(R"({"QMP":{"version":{"qemu":{"micro":0,"minor":2,"major":7})"))
      << *greeting;
  // No line end needed, and a command may come in pieces.
  ASSERT_TRUE(c->send(R"({"execute": "qmp_cap)"));
  std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(c->send(R"(abilities", "id": 1})"));
  EXPECT_EQ(c->line(), R"({"return":{},"id":1})");
  EXPECT_EQ(
      c->command("query-status"),
      Json::parse(R"({"return": {"status": "running", "singlestep": false, "running": true}})"));
}

TEST_F(Server, TheSocketIsOwnerOnlyAndGoneAfterwards) {
  start();
  struct stat st {};
  ASSERT_EQ(::lstat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  server_.reset();
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(Server, ARegularFileIsNeverReplaced) {
  std::ofstream(path_) << "keep me";
  auto server = QmpServer::start({path_, false}, backend_);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.error().message,
            "-qmp: " + path_ + " exists and is not a socket; refusing to replace it");
  std::ifstream in(path_);
  std::string text;
  std::getline(in, text);
  EXPECT_EQ(text, "keep me");
}

TEST_F(Server, ASecondClientWaitsUntilTheFirstLeaves) {
  start();
  auto first = std::make_optional(client());
  auto second = QmpTestClient::connect(path_);
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->line(300ms).has_value());  // no greeting while the first is there
  first.reset();
  auto greeting = second->message();
  ASSERT_TRUE(greeting);
  EXPECT_TRUE(greeting->contains("QMP"));
  // A new client negotiates again.
  EXPECT_EQ(second->command("query-status")["error"]["class"], "CommandNotFound");
}

TEST_F(Server, QuitAnswersSendsShutdownAndStopsTheVm) {
  start();
  auto c = client();
  EXPECT_EQ(c.command("quit"), Json::parse(R"({"return": {}})"));
  Json event = c.event();
  EXPECT_EQ(event["event"], "SHUTDOWN");
  EXPECT_EQ(event["data"]["reason"], "host-qmp-quit");
  EXPECT_EQ(backend_.calls, std::vector<std::string>{"quit"});
  // The program ends next: the server is destroyed, the client sees the end.
  server_.reset();
  EXPECT_TRUE(c.closed());
}

TEST_F(Server, AVmThatStopsOnItsOwnSendsShutdown) {
  start();
  auto c = client();
  server_->vm_stopped({vmm::ExitKind::kShutdown, 0, 0, "ACPI", 0});
  Json event = c.event();
  EXPECT_EQ(event["event"], "SHUTDOWN");
  EXPECT_EQ(event["data"], Json::parse(R"({"guest": true, "reason": "guest-shutdown"})"));
}

TEST_F(Server, WhatIsQueuedWhenItStopsIsStillSent) {
  start();
  auto c = client();
  server_->vm_stopped({vmm::ExitKind::kQuit, 0, 0, "SIGTERM", 0});
  server_.reset();
  Json event = c.event();
  EXPECT_EQ(event["data"]["reason"], "host-signal");
  EXPECT_TRUE(c.closed());
  EXPECT_EQ(backend_.calls, std::vector<std::string>{"abort"});
}

TEST_F(Server, WaitForClientReturnsOnceOneConnects) {
  start();
  std::atomic<bool> returned{false};
  bool connected = false;
  std::thread waiter([&] {
    connected = server_->wait_for_client();
    returned = true;
  });
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(returned);
  auto c = QmpTestClient::connect(path_);
  ASSERT_TRUE(c);
  waiter.join();
  EXPECT_TRUE(connected);
}

TEST_F(Server, WaitingForAClientCanBeCalledOff) {
  start();
  bool connected = true;
  std::thread waiter([&] { connected = server_->wait_for_client(); });
  std::this_thread::sleep_for(50ms);
  server_->stop_waiting();
  waiter.join();
  EXPECT_FALSE(connected);
}

TEST_F(Server, AClientThatHangsUpMidCommandIsForgotten) {
  start();
  {
    auto c = client();
    ASSERT_TRUE(c.send(R"({"execute": "sto)"));
  }
  auto next = client();
  EXPECT_EQ(next.command("query-name"), Json::parse(R"({"return": {}})"));
}

}  // namespace
}  // namespace mimeo::qmp::testing
