#include "e2e/daemon_support.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "e2e/line_channel.h"
#include "e2e/unix_sockets.h"

namespace mimeo::e2e {

std::unique_ptr<DaemonProcess> DaemonProcess::start(const std::string& socket,
                                                    const std::string& state_dir,
                                                    unsigned pool_size) {
  auto process = MimeoProcess::start({"serve", "--socket", socket, "--state-dir", state_dir,
                                      "--pool-size", std::to_string(pool_size)});
  if (!process) {
    return nullptr;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!daemon::daemon_listening(socket)) {
    if (std::chrono::steady_clock::now() > deadline || !process_alive(process->pid())) {
      ADD_FAILURE() << "mimeo serve did not listen on " << socket << ": " << process->stderr_text();
      return nullptr;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  return std::unique_ptr<DaemonProcess>(new DaemonProcess(std::move(process), socket));
}

DaemonProcess::~DaemonProcess() {
  if (process_->signal(SIGTERM)) {
    (void)process_->wait_exit();
  }
}

ApiAnswer DaemonProcess::call(const std::string& method, const std::string& path,
                              const std::optional<Json>& body) const {
  auto response =
      client_.request(method, path, body ? std::optional<std::string>(body->dump()) : std::nullopt);
  if (!response.ok()) {
    ADD_FAILURE() << method << " " << path << ": " << response.error().describe();
    return {};
  }
  ApiAnswer answer;
  answer.status = response->status;
  answer.body = Json::parse(response->body, nullptr, false);
  if (answer.body.is_discarded()) {
    answer.body = nullptr;
  }
  return answer;
}

void DaemonProcess::delete_all_clones() const {
  const ApiAnswer list = call("GET", "/clones");
  if (!list.body.is_object() || !list.body.contains("clones")) {
    return;
  }
  for (const auto& clone : list.body["clones"]) {
    (void)call("DELETE", "/clones/" + clone["id"].get<std::string>());
  }
}

ApiAnswer DaemonProcess::create_guest_template(const std::string& name, unsigned pool_size) const {
  return call("POST", "/templates",
              Json{{"name", name},
                   {"kernel", MIMEO_GUEST_ELF},
                   {"memory", "64M"},
                   {"ready", {{"serial", "mimeo-guest ready"}}},
                   {"timeout_seconds", 30},
                   {"pool_size", pool_size}});
}

bool DaemonProcess::wait_pool(const std::string& name, unsigned warm, milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto answer = call("GET", "/templates/" + name);
    if (answer.status == 200 && answer.body.value("pool_warm", 0U) >= warm) {
      return true;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  return false;
}

bool guest_answers(const std::string& console_socket, milliseconds timeout) {
  LineChannel console(connect_unix(console_socket, timeout));
  if (!console.valid()) {
    return false;
  }
  return ask(console, "ping", timeout).find("pong") != std::string::npos;
}

bool process_alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) {
    return false;
  }
  auto close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() && text[close + 2] != 'Z';
}

std::vector<pid_t> workers_of(const std::string& state_dir) {
  std::vector<pid_t> pids;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    std::ifstream cmdline(entry.path() / "cmdline");
    std::string text((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
    if (text.find(std::string("worker") + '\0') != std::string::npos &&
        text.find(state_dir + "/") != std::string::npos) {
      const pid_t pid = std::stoi(name);
      if (process_alive(pid)) {
        pids.push_back(pid);
      }
    }
  }
  return pids;
}

}  // namespace mimeo::e2e
