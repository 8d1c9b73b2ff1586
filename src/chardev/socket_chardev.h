// -chardev socket,path=PATH[,server=on[,wait=off]] / -serial unix:PATH,...: a Unix socket.
//
// As a server it listens on PATH (see UnixListener) and serves one client at a time; the next
// one is accepted when the current one hangs up. As a client (server=off) it connects once
// and stays disconnected after the peer hangs up (QEMU without reconnect=).
// Output goes to the connected client and is dropped while there is none. A slow client
// never blocks the vCPU: writes are non-blocking, and what the socket does not take is kept
// in a bounded buffer (kMaxPendingOutput) flushed by the chardev's thread; beyond that,
// output is dropped and counted.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "base/unique_fd.h"
#include "chardev/chardev.h"
#include "chardev/unix_socket.h"
#include "chardev/wake_fd.h"

namespace mimeo::chardev {

class SocketChardev final : public Chardev {
 public:
  static constexpr size_t kMaxPendingOutput = 64 * 1024;

  // Listens on `path`; with `wait`, blocks until the first client connects (saying so on
  // stderr, as QEMU does).
  static Result<std::unique_ptr<SocketChardev>> listen(std::string id, const std::string& path,
                                                       bool wait);
  static Result<std::unique_ptr<SocketChardev>> connect(std::string id, const std::string& path);
  ~SocketChardev() override;

  void write(std::span<const uint8_t> bytes) override;
  [[nodiscard]] std::string describe() const override;
  void notify_input_room() override;
  [[nodiscard]] bool connected() const override;
  // Output bytes dropped because no client was connected or the buffer was full.
  [[nodiscard]] uint64_t dropped_output() const;

 protected:
  Status begin_input(InputHandler on_input, InputRoom room) override;

 private:
  SocketChardev(std::string id, std::string path, std::optional<UnixListener> listener,
                WakeFd wake);
  Status start_thread();
  void run();
  void accept_client();
  void set_client(UniqueFd client);
  void flush_pending();
  // Reads once from the client; false when the client is gone.
  bool read_client(int client, size_t room);

  const std::string path_;
  std::optional<UnixListener> listener_;  // empty in client mode
  WakeFd wake_;
  std::atomic<bool> stop_{false};
  std::thread thread_;

  mutable std::mutex mutex_;  // guards everything below
  UniqueFd client_;
  std::string pending_;
  uint64_t dropped_ = 0;
  InputHandler on_input_;
  InputRoom room_;
};

}  // namespace mimeo::chardev
