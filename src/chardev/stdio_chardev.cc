#include "chardev/stdio_chardev.h"

#include <poll.h>

#include <array>
#include <cstring>

#include "chardev/fd_write.h"

namespace mimeo::chardev {

namespace {

constexpr size_t kReadChunk = 4096;
std::atomic<bool> g_stdio_in_use{false};

}  // namespace

Result<std::unique_ptr<StdioChardev>> StdioChardev::open(std::string id, StdioOptions options) {
  if (g_stdio_in_use.exchange(true)) {
    return make_error("chardev stdio: standard input/output is already used by another chardev");
  }
  auto wake = WakeFd::create();
  if (!wake.ok()) {
    g_stdio_in_use = false;
    return wake.error().context("chardev stdio");
  }
  std::unique_ptr<RawTerminal> raw;
  if (::isatty(options.in_fd)) {
    auto entered = RawTerminal::enter(options.in_fd, options.signal);
    if (!entered.ok()) {
      g_stdio_in_use = false;
      return entered.error().context("chardev stdio");
    }
    raw = std::move(*entered);
  }
  return std::unique_ptr<StdioChardev>(
      new StdioChardev(std::move(id), std::move(options), std::move(*wake), std::move(raw)));
}

StdioChardev::StdioChardev(std::string id, StdioOptions options, WakeFd wake,
                           std::unique_ptr<RawTerminal> raw_terminal)
    : Chardev(std::move(id)),
      options_(std::move(options)),
      wake_(std::move(wake)),
      raw_terminal_(std::move(raw_terminal)) {}

StdioChardev::~StdioChardev() {
  stop_ = true;
  wake_.notify();
  if (thread_.joinable()) {
    thread_.join();
  }
  raw_terminal_.reset();  // restore the terminal before another stdio chardev may open
  g_stdio_in_use = false;
}

void StdioChardev::write(std::span<const uint8_t> bytes) {
  std::lock_guard lock(output_mutex_);
  // Nothing sensible to do when standard output is gone (EPIPE): the output is dropped.
  [[maybe_unused]] auto status = write_all(options_.out_fd, bytes);
}

Status StdioChardev::begin_input(InputHandler on_input, InputRoom room) {
  on_input_ = std::move(on_input);
  room_ = std::move(room);
  try {
    thread_ = std::thread([this] { run(); });
  } catch (const std::system_error& e) {
    return make_error(std::string("chardev stdio: cannot start its thread: ") + e.what());
  }
  return {};
}

bool StdioChardev::read_input(size_t room) {
  std::array<uint8_t, kReadChunk> buffer;
  ssize_t n = ::read(options_.in_fd, buffer.data(), std::min(room, buffer.size()));
  if (n < 0) {
    return errno == EINTR || errno == EAGAIN;
  }
  if (n == 0) {
    return false;  // end of input
  }
  std::span<const uint8_t> typed(buffer.data(), static_cast<size_t>(n));
  if (!is_terminal()) {
    on_input_(typed);
    return true;
  }
  EscapeFilter::Output out = escape_.feed(typed);
  if (!out.data.empty()) {
    on_input_(out.data);
  }
  if (out.help) {
    write(std::span(reinterpret_cast<const uint8_t*>(kEscapeHelp), std::strlen(kEscapeHelp)));
  }
  if (out.quit) {
    if (options_.on_quit) {
      options_.on_quit();
    }
    return false;
  }
  return true;
}

void StdioChardev::run() {
  while (!stop_) {
    size_t room = room_ ? room_() : kReadChunk;
    std::array<pollfd, 2> fds{};
    fds[0] = {wake_.fd(), POLLIN, 0};
    // While the consumer is full, input is not watched at all (poll ignores fd -1), so a
    // hang-up with unread data waits for room like the data does.
    fds[1] = {room > 0 ? options_.in_fd : -1, POLLIN, 0};
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      continue;  // EINTR
    }
    if (fds[0].revents) {
      wake_.drain();
      continue;
    }
    if (fds[1].revents & POLLNVAL) {
      return;
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      if (!read_input(room)) {
        return;
      }
    }
  }
}

}  // namespace mimeo::chardev
