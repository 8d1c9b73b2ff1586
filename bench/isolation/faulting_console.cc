#include "faulting_console.h"

namespace mimeo::bench {

void FaultingConsole::write(std::span<const uint8_t> bytes) {
  if (armed_) {
    int* volatile target = target_;
    *target = 1;  // SIGSEGV: the deliberate device-model bug
  }
  socket_->write(bytes);
}

}  // namespace mimeo::bench
