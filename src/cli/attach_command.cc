// `mimeo attach REF`: a clone's console through its socket.
#include <poll.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "chardev/raw_terminal.h"
#include "chardev/unix_socket.h"
#include "cli/daemon_commands.h"

namespace mimeo::cli {

namespace {

constexpr char kDetach = 0x1d;  // Ctrl-]

bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, 1000);
      continue;
    }
    if (n <= 0) {
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

int daemon_attach(const daemon::Client& client, const std::string& ref, int linger_ms) {
  auto response = client.request("GET", "/clones/" + daemon::percent_encode(ref));
  if (!response.ok()) {
    std::fprintf(stderr, "mimeo attach: %s\n", response.error().describe().c_str());
    return 1;
  }
  auto json = nlohmann::json::parse(response->body, nullptr, false);
  if (response->status != 200 || !json.is_object() || !json.contains("console_socket")) {
    std::string message = json.is_object() && json.contains("error")
                              ? json["error"].value("message", "unknown error")
                              : "HTTP status " + std::to_string(response->status);
    std::fprintf(stderr, "mimeo attach: %s\n", message.c_str());
    return 1;
  }
  const std::string path = json["console_socket"].get<std::string>();
  auto console = chardev::connect_unix(path);
  if (!console.ok()) {
    std::fprintf(stderr, "mimeo attach: %s\n", console.error().describe().c_str());
    return 1;
  }
  const bool tty = ::isatty(0) != 0;
  std::unique_ptr<chardev::RawTerminal> raw;
  if (tty) {
    auto entered = chardev::RawTerminal::enter(0, false);
    if (entered.ok()) {
      raw = std::move(*entered);
    }
    std::fprintf(stderr, "mimeo attach: console of %s (Ctrl-] detaches)\r\n", ref.c_str());
  }
  bool input_open = true;
  char buffer[4096];
  for (;;) {
    pollfd fds[2] = {{console->get(), POLLIN, 0}, {0, POLLIN, 0}};
    int ready = ::poll(fds, input_open ? 2 : 1, input_open ? -1 : linger_ms);
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    if (ready == 0) {
      return 0;  // stdin ended and the guest has gone quiet
    }
    if (fds[0].revents != 0) {
      ssize_t n = ::read(console->get(), buffer, sizeof buffer);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        if (tty) {
          std::fprintf(stderr, "\r\nmimeo attach: the clone's console closed\r\n");
        }
        return 0;
      }
      if (n > 0 && !write_all(1, buffer, static_cast<size_t>(n))) {
        return 1;
      }
    }
    if (input_open && fds[1].revents != 0) {
      ssize_t n = ::read(0, buffer, sizeof buffer);
      if (n <= 0) {
        input_open = false;
        continue;
      }
      if (tty) {
        for (ssize_t i = 0; i < n; ++i) {
          if (buffer[i] == kDetach) {
            (void)write_all(console->get(), buffer, static_cast<size_t>(i));
            std::fprintf(stderr, "\r\nmimeo attach: detached\r\n");
            return 0;
          }
        }
      }
      if (!write_all(console->get(), buffer, static_cast<size_t>(n))) {
        return 1;
      }
    }
  }
}

}  // namespace mimeo::cli
