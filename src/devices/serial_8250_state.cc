// Serial8250 save/restore: the snapshot contract.
#include <fmt/format.h>

#include "devices/serial_8250.h"

namespace mimeo::devices {

using namespace uart;  // NOLINT(google-build-using-namespace): register names

namespace {

Error bad_state(const std::string& why) { return make_error("serial 8250 state: " + why); }

}  // namespace

Serial8250::State Serial8250::save() const {
  std::lock_guard lock(mutex_);
  State s;
  s.ier = ier_;
  s.fcr = fcr_;
  s.lcr = lcr_;
  s.mcr = mcr_;
  s.lsr = line_status();
  s.msr = modem_status_lines() | msr_deltas_;
  s.scr = scr_;
  s.dll = dll_;
  s.dlm = dlm_;
  s.thr_interrupt_pending = thr_interrupt_pending_;
  s.rx_fifo.assign(rx_fifo_.begin(), rx_fifo_.end());
  return s;
}

Status Serial8250::validate(const State& s) {
  if (s.ier & ~kIerMask) {
    return bad_state(fmt::format("IER {:#04x} has reserved bits set", s.ier));
  }
  if (s.fcr & ~kFcrStoredMask) {
    return bad_state(fmt::format("FCR {:#04x} has bits set that are not stored", s.fcr));
  }
  if (!(s.fcr & kFcrEnable) && s.fcr != 0) {
    return bad_state(fmt::format("FCR {:#04x} has bits set with the FIFO disabled", s.fcr));
  }
  if (s.mcr & ~kMcrMask) {
    return bad_state(fmt::format("MCR {:#04x} has reserved bits set", s.mcr));
  }
  const size_t capacity = (s.fcr & kFcrEnable) ? kFifoCapacity : 1;
  if (s.rx_fifo.size() > capacity) {
    return bad_state(fmt::format("receive FIFO holds {} bytes, more than its capacity {}",
                                 s.rx_fifo.size(), capacity));
  }
  const uint8_t always = kLsrThrEmpty | kLsrTransmitterEmpty;
  if ((s.lsr & always) != always) {
    return bad_state(fmt::format(
        "LSR {:#04x} lacks THRE or TEMT, which are always set (transmission is synchronous)",
        s.lsr));
  }
  if (s.lsr & (kLsrParityError | kLsrFramingError | kLsrBreak | kLsrFifoError)) {
    return bad_state(
        fmt::format("LSR {:#04x} reports parity, framing or break errors, which this device "
                    "never produces",
                    s.lsr));
  }
  if (((s.lsr & kLsrDataReady) != 0) != !s.rx_fifo.empty()) {
    return bad_state(
        fmt::format("LSR {:#04x} data-ready bit disagrees with a receive FIFO of {} "
                    "bytes",
                    s.lsr, s.rx_fifo.size()));
  }
  const uint8_t lines = (s.mcr & kMcrLoop) ? loopback_modem_status(s.mcr) : kDefaultModemStatus;
  if ((s.msr & ~kMsrDeltaMask) != lines) {
    return bad_state(
        fmt::format("MSR {:#04x} line states disagree with MCR {:#04x} (expected "
                    "{:#04x})",
                    s.msr, s.mcr, lines));
  }
  return {};
}

Status Serial8250::restore(const State& s) {
  MIMEO_TRY(validate(s));
  std::function<void()> ready;
  {
    std::lock_guard lock(mutex_);
    ier_ = s.ier;
    fcr_ = s.fcr;
    lcr_ = s.lcr;
    mcr_ = s.mcr;
    lsr_errors_ = s.lsr & kLsrErrors;
    msr_deltas_ = s.msr & kMsrDeltaMask;
    scr_ = s.scr;
    dll_ = s.dll;
    dlm_ = s.dlm;
    thr_interrupt_pending_ = s.thr_interrupt_pending;
    rx_fifo_.assign(s.rx_fifo.begin(), s.rx_fifo.end());
    update_irq();
    ready = take_ready_callback();
  }
  if (ready) {
    ready();
  }
  return {};
}

}  // namespace mimeo::devices
