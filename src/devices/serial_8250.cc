#include "devices/serial_8250.h"

#include <algorithm>

namespace mimeo::devices {

using namespace uart;  // NOLINT(google-build-using-namespace): register names

namespace {

size_t fifo_capacity(uint8_t fcr) { return (fcr & kFcrEnable) ? Serial8250::kFifoCapacity : 1; }

size_t trigger_level(uint8_t fcr) {
  static constexpr size_t kLevels[] = {1, 4, 8, 14};
  return kLevels[(fcr & kFcrTriggerMask) >> 6];
}

}  // namespace

Serial8250::Serial8250(std::shared_ptr<IrqLine> irq, std::shared_ptr<OutputSink> out)
    : irq_(std::move(irq)), out_(std::move(out)) {}

void Serial8250::read(uint64_t offset, std::span<uint8_t> data) {
  std::function<void()> ready;
  {
    std::lock_guard lock(mutex_);
    for (size_t i = 0; i < data.size(); ++i) {
      data[i] = offset + i < kRegisterCount ? read_register(offset + i) : 0xff;
    }
    ready = take_ready_callback();
  }
  if (ready) {
    ready();
  }
}

void Serial8250::write(uint64_t offset, std::span<const uint8_t> data) {
  std::function<void()> ready;
  {
    std::lock_guard lock(mutex_);
    for (size_t i = 0; i < data.size() && offset + i < kRegisterCount; ++i) {
      write_register(offset + i, data[i]);
    }
    ready = take_ready_callback();
  }
  if (ready) {
    ready();
  }
}

uint8_t Serial8250::line_status() const {
  uint8_t lsr = lsr_errors_ | kLsrThrEmpty | kLsrTransmitterEmpty;
  if (!rx_fifo_.empty()) {
    lsr |= kLsrDataReady;
  }
  return lsr;
}

uint8_t Serial8250::modem_status_lines() const {
  return loopback() ? loopback_modem_status(mcr_) : kDefaultModemStatus;
}

uint8_t Serial8250::interrupt_identification() const {
  uint8_t id = kIirNoInterrupt;
  if ((ier_ & kIerLineStatus) && (lsr_errors_ & kLsrErrors)) {
    id = kIirLineStatus;
  } else if ((ier_ & kIerRxData) && !rx_fifo_.empty()) {
    id = fifo_enabled() && rx_fifo_.size() < trigger_level(fcr_) ? kIirRxTimeout : kIirRxData;
  } else if ((ier_ & kIerThrEmpty) && thr_interrupt_pending_) {
    id = kIirThrEmpty;
  } else if ((ier_ & kIerModemStatus) && msr_deltas_) {
    id = kIirModemStatus;
  }
  return id | (fifo_enabled() ? kIirFifoEnabled : 0);
}

size_t Serial8250::room_locked() const {
  if (loopback()) {
    return 0;
  }
  return fifo_capacity(fcr_) - std::min(rx_fifo_.size(), fifo_capacity(fcr_));
}

uint8_t Serial8250::read_register(uint64_t offset) {
  const bool dlab = (lcr_ & kLcrDlab) != 0;
  switch (offset) {
    case kRbr: {
      if (dlab) {
        return dll_;
      }
      if (rx_fifo_.empty()) {
        return 0;
      }
      uint8_t byte = rx_fifo_.front();
      rx_fifo_.pop_front();
      update_irq();
      return byte;
    }
    case kIer: return dlab ? dlm_ : ier_;
    case kIir: {
      uint8_t iir = interrupt_identification();
      // Reading IIR acknowledges the THR-empty interrupt when it is the one reported.
      if ((iir & kIirIdMask) == kIirThrEmpty) {
        thr_interrupt_pending_ = false;
        update_irq();
      }
      return iir;
    }
    case kLcr: return lcr_;
    case kMcr: return mcr_;
    case kLsr: {
      uint8_t lsr = line_status();
      if (lsr_errors_) {
        lsr_errors_ = 0;  // reading LSR clears the error bits and their interrupt
        update_irq();
      }
      return lsr;
    }
    case kMsr: {
      uint8_t msr = modem_status_lines() | msr_deltas_;
      if (msr_deltas_) {
        msr_deltas_ = 0;
        update_irq();
      }
      return msr;
    }
    case kScr: return scr_;
    default: return 0xff;
  }
}

void Serial8250::write_register(uint64_t offset, uint8_t value) {
  const bool dlab = (lcr_ & kLcrDlab) != 0;
  switch (offset) {
    case kThr:
      if (dlab) {
        dll_ = value;
      } else {
        transmit(value);
      }
      break;
    case kIer:
      if (dlab) {
        dlm_ = value;
        break;
      }
      // Enabling the THR-empty interrupt while THR is empty raises it, even if it was
      // acknowledged before (Linux's and Windows' drivers rely on this, as on hardware).
      if (!(ier_ & kIerThrEmpty) && (value & kIerThrEmpty)) {
        thr_interrupt_pending_ = true;
      }
      ier_ = value & kIerMask;
      update_irq();
      break;
    case kFcr: write_fcr(value); break;
    case kLcr: lcr_ = value; break;
    case kMcr: write_mcr(value); break;
    case kLsr: break;  // LSR and MSR are read-only here (factory test writes are ignored)
    case kMsr: break;
    case kScr: scr_ = value; break;
    default: break;
  }
}

void Serial8250::write_fcr(uint8_t value) {
  // The other FCR bits are only programmed together with FCR bit 0.
  uint8_t fcr = (value & kFcrEnable) ? (value & kFcrStoredMask) : 0;
  bool mode_change = ((fcr ^ fcr_) & kFcrEnable) != 0;
  // Switching between FIFO and 16450 mode empties the FIFOs, as does bit 1 for the receiver.
  if (mode_change || ((value & kFcrEnable) && (value & kFcrClearRx))) {
    rx_fifo_.clear();
  }
  fcr_ = fcr;
  update_irq();
}

void Serial8250::write_mcr(uint8_t value) {
  uint8_t old_mcr = mcr_;
  mcr_ = value & kMcrMask;
  if ((old_mcr & kMcrLoop) && loopback()) {
    uint8_t before = loopback_modem_status(old_mcr);
    uint8_t after = loopback_modem_status(mcr_);
    uint8_t changed = before ^ after;
    if (changed & kMsrCts) msr_deltas_ |= kMsrDeltaCts;
    if (changed & kMsrDsr) msr_deltas_ |= kMsrDeltaDsr;
    if ((before & kMsrRi) && !(after & kMsrRi)) msr_deltas_ |= kMsrTrailingRi;
    if (changed & kMsrDcd) msr_deltas_ |= kMsrDeltaDcd;
  }
  update_irq();
}

void Serial8250::transmit(uint8_t byte) {
  // Writing THR acknowledges the THR-empty interrupt; the byte leaves at once and the
  // register is empty again, which raises the interrupt anew (a falling then rising edge
  // when it was pending, as on hardware).
  thr_interrupt_pending_ = false;
  update_irq();
  if (loopback()) {
    receive_loopback(byte);
  } else if (out_) {
    out_->write(std::span<const uint8_t>(&byte, 1));
  }
  thr_interrupt_pending_ = true;
  update_irq();
}

void Serial8250::receive_loopback(uint8_t byte) {
  if (rx_fifo_.size() < fifo_capacity(fcr_)) {
    rx_fifo_.push_back(byte);
    return;
  }
  lsr_errors_ |= kLsrOverrun;
  if (!fifo_enabled()) {
    rx_fifo_.back() = byte;  // 16450 mode: the new character overwrites RBR
  }  // FIFO mode: the character in the shift register is lost, the FIFO is kept
}

void Serial8250::update_irq() {
  bool level = (interrupt_identification() & kIirNoInterrupt) == 0;
  if (level != irq_level_) {
    irq_level_ = level;
    if (irq_) {
      irq_->set_level(level);
    }
  }
}

std::function<void()> Serial8250::take_ready_callback() {
  if (!input_waiting_ || room_locked() == 0) {
    return {};
  }
  input_waiting_ = false;
  return input_ready_;
}

size_t Serial8250::enqueue_input(std::span<const uint8_t> bytes) {
  std::lock_guard lock(mutex_);
  size_t n = std::min(bytes.size(), room_locked());
  rx_fifo_.insert(rx_fifo_.end(), bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(n));
  if (n < bytes.size()) {
    input_waiting_ = true;
  }
  if (n > 0) {
    update_irq();
  }
  return n;
}

size_t Serial8250::input_room() const {
  std::lock_guard lock(mutex_);
  size_t room = room_locked();
  if (room == 0) {
    input_waiting_ = true;
  }
  return room;
}

void Serial8250::set_input_ready_callback(std::function<void()> ready) {
  std::lock_guard lock(mutex_);
  input_ready_ = std::move(ready);
}

}  // namespace mimeo::devices
