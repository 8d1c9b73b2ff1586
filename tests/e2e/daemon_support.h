// What the daemon tests share: `mimeo serve` as a child process on a socket
// and state directory of the test's own, its REST API through daemon::Client
// with JSON answers, and the test guest's template made through the API.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/temp_dir.h"
#include "daemon/client.h"
#include "e2e/mimeo_process.h"

namespace mimeo::e2e {

using Json = nlohmann::json;

struct ApiAnswer {
  int status = 0;
  Json body;  // null when empty or not JSON
};

class DaemonProcess {
 public:
  // Starts `mimeo serve --socket DIR/api.sock --state-dir STATE --pool-size N`
  // and waits until it answers; nullptr (with a test failure) if it does not.
  static std::unique_ptr<DaemonProcess> start(const std::string& socket,
                                              const std::string& state_dir, unsigned pool_size);

  // Stops the daemon as a service manager would (SIGTERM), so that its warm
  // clones are stopped too.
  ~DaemonProcess();

  ApiAnswer call(const std::string& method, const std::string& path,
                 const std::optional<Json>& body = std::nullopt) const;
  // POST /templates for the test guest (ready on its ready line); the answer.
  ApiAnswer create_guest_template(const std::string& name, unsigned pool_size) const;
  // DELETE of every clone GET /clones lists (their processes end).
  void delete_all_clones() const;
  // Waits until the template's pool holds `warm` clones.
  bool wait_pool(const std::string& name, unsigned warm,
                 milliseconds timeout = milliseconds(20000)) const;

  MimeoProcess& process() { return *process_; }
  [[nodiscard]] const std::string& socket() const { return socket_; }

 private:
  DaemonProcess(std::unique_ptr<MimeoProcess> process, std::string socket)
      : process_(std::move(process)), socket_(std::move(socket)), client_(socket_) {}

  std::unique_ptr<MimeoProcess> process_;
  std::string socket_;
  daemon::Client client_;
};

// Connects to a clone's console socket and checks that its guest answers
// `ping` with `pong`.
bool guest_answers(const std::string& console_socket, milliseconds timeout = milliseconds(5000));

// Is `pid` alive (and not a zombie)?
bool process_alive(pid_t pid);

// Pids of `mimeo worker` processes whose command line mentions `state_dir`.
std::vector<pid_t> workers_of(const std::string& state_dir);

// A daemon of the test's own for each test: socket and state directory in a
// temporary directory, pools of 2 by default. Clones a test leaves are deleted
// at its end: they would outlive the daemon (handed-out clones do, by design).
class DaemonFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    socket_ = dir_.path() + "/api.sock";
    state_ = dir_.path() + "/state";
    daemon_ = DaemonProcess::start(socket_, state_, 2);
    ASSERT_NE(daemon_, nullptr);
  }
  void TearDown() override {
    if (daemon_) {
      daemon_->delete_all_clones();
    }
  }

  testing::TempDir dir_;
  std::string socket_;
  std::string state_;
  std::unique_ptr<DaemonProcess> daemon_;
};

}  // namespace mimeo::e2e
