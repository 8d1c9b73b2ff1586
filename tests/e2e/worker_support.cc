#include "e2e/worker_support.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "e2e/unix_sockets.h"

namespace mimeo::e2e {

WorkerUnderTest spawn_worker(const std::string& template_dir, const std::string& sockets,
                             const std::string& id, std::optional<std::string> control) {
  WorkerUnderTest worker;
  worker.control = control.value_or(sockets + "/" + id + ".control");
  worker.console = sockets + "/" + id + ".console";
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe2 failed";
    return worker;
  }
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  // The write end alone is inherited, at its own number (tests spawn one at a time).
  ::fcntl(write_end.get(), F_SETFD, 0);
  worker.process = MimeoProcess::start({"worker", "--template", template_dir, "--id", id,
                                        "--control", worker.control, "--console", worker.console,
                                        "--notify-fd", std::to_string(write_end.get())});
  write_end.reset();
  worker.notify = LineChannel(std::move(read_end));
  return worker;
}

LineChannel connect_channel(const std::string& path, milliseconds timeout) {
  return LineChannel(connect_unix(path, timeout));
}

}  // namespace mimeo::e2e
