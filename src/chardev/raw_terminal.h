// Puts a terminal in raw mode (as QEMU's stdio chardev does: no echo, no line editing, no
// CR/LF translation of input, 8 bits, output post-processing kept) and guarantees its
// restoration: on destruction, at exit(), and on fatal signals (SIGINT, SIGTERM, SIGHUP,
// SIGQUIT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) whose disposition was the default when
// raw mode was entered: the handler restores the terminal and re-raises the signal with its
// default action. Signals the program handles or ignores itself are left alone.
// One terminal at a time per process (the restore state is global, for the signal handler).
#pragma once

#include <memory>

#include "base/result.h"

namespace mimeo::chardev {

class RawTerminal {
 public:
  // `keep_signals`: ^C, ^\ and ^Z still raise signals (QEMU's signal=on); otherwise they
  // reach the guest like any other byte.
  static Result<std::unique_ptr<RawTerminal>> enter(int fd, bool keep_signals);
  ~RawTerminal();
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;

 private:
  RawTerminal() = default;
};

}  // namespace mimeo::chardev
