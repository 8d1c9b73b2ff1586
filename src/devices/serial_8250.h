// A 16550A-compatible UART (the PC's COM ports) as a plain state machine: the guest drives it
// through read/write at register offsets 0..7, it raises and releases an injected IrqLine,
// sends transmitted bytes to an OutputSink, and takes host input through enqueue_input.
//
// What is modelled: all registers (RBR/THR, IER, IIR/FCR, LCR, MCR, LSR, MSR, SCR, DLL/DLM
// behind LCR.DLAB), the four interrupt sources with the data sheet's IIR priorities, a
// 64-byte receive FIFO (1 byte in 16450 mode, FCR bit 0 clear), loopback (MCR bit 4: THR
// feeds the receiver, MCR drives MSR, host input is held back), overrun in loopback.
// What is not: baud rate timing (transmission is instantaneous, so LSR.THRE and TEMT are
// always set), parity/framing errors and breaks (the host side has none), the transmit FIFO,
// and the receive timeout's 4-character delay: in FIFO mode a receive FIFO below its trigger
// level reports the timeout interrupt (IIR 0x0c) at once.
//
// The interrupt output is level-triggered: asserted while an enabled interrupt is pending.
// set_level is only called on changes, with the device's lock held so levels stay ordered.
// As in QEMU and other VMMs, MCR.OUT2 does not gate the line (on a PC it enables the IRQ
// driver); guests that never set OUT2 still get interrupts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "base/result.h"
#include "devices/bus_device.h"
#include "devices/irq_line.h"
#include "devices/output_sink.h"
#include "devices/uart_registers.h"

namespace mimeo::devices {

class Serial8250 final : public BusDevice {
 public:
  static constexpr size_t kFifoCapacity = 64;
  // Size of the port range the device occupies.
  static constexpr uint64_t kRegisterCount = uart::kRegisterCount;
  // Modem status lines seen when not in loopback: a peer that is always there and ready
  // (DCD, DSR, CTS), as other VMMs report.
  static constexpr uint8_t kDefaultModemStatus = uart::kMsrDcd | uart::kMsrDsr | uart::kMsrCts;
  // Divisor latch after reset: 115200 / 12 = 9600 baud.
  static constexpr uint8_t kDefaultDivisorLow = 12;

  // Everything a snapshot needs, as plain data. Register values are as the guest would read
  // them (LSR and MSR included); `rx_fifo` holds the received bytes not yet read, oldest first.
  struct State {
    uint8_t ier = 0;
    uint8_t fcr = 0;  // FIFO enable, DMA mode and trigger level bits (FCR is write-only)
    uint8_t lcr = 0;
    uint8_t mcr = 0;
    uint8_t lsr = uart::kLsrThrEmpty | uart::kLsrTransmitterEmpty;
    uint8_t msr = kDefaultModemStatus;
    uint8_t scr = 0;
    uint8_t dll = kDefaultDivisorLow;
    uint8_t dlm = 0;
    bool thr_interrupt_pending = false;  // the THR-empty interrupt not yet acknowledged
    std::vector<uint8_t> rx_fifo;

    bool operator==(const State&) const = default;
  };

  // Either pointer may be null: no interrupt line, or output discarded.
  Serial8250(std::shared_ptr<IrqLine> irq, std::shared_ptr<OutputSink> out);

  // BusDevice: byte registers at offsets 0..7; wider accesses act on consecutive registers.
  void read(uint64_t offset, std::span<uint8_t> data) override;
  void write(uint64_t offset, std::span<const uint8_t> data) override;

  // Host input (thread-safe). Accepts as many bytes as the receive FIFO has room for and
  // returns that count; the caller keeps the rest and offers it again once there is room
  // (see set_input_ready_callback). Accepts nothing in loopback mode, where the UART's
  // serial input is disconnected.
  size_t enqueue_input(std::span<const uint8_t> bytes);
  // How many bytes enqueue_input would accept now.
  [[nodiscard]] size_t input_room() const;
  [[nodiscard]] bool wants_input() const { return input_room() > 0; }
  // `ready` is called once room appears after enqueue_input accepted less than it was offered
  // or input_room() answered 0. It runs on the thread that made the room (a vCPU thread),
  // without the device's lock held: it should only wake the input thread. May be empty.
  void set_input_ready_callback(std::function<void()> ready);

  [[nodiscard]] State save() const;
  // Replaces the whole device state after checking it (the state may come from an untrusted
  // snapshot file); on error the device is unchanged. Updates the interrupt line to match.
  Status restore(const State& state);
  // Why `state` could not have been produced by this device, if it could not.
  static Status validate(const State& state);

 private:
  [[nodiscard]] bool fifo_enabled() const { return (fcr_ & uart::kFcrEnable) != 0; }
  [[nodiscard]] bool loopback() const { return (mcr_ & uart::kMcrLoop) != 0; }
  [[nodiscard]] uint8_t line_status() const;
  [[nodiscard]] uint8_t modem_status_lines() const;
  [[nodiscard]] uint8_t interrupt_identification() const;
  [[nodiscard]] size_t room_locked() const;

  uint8_t read_register(uint64_t offset);
  void write_register(uint64_t offset, uint8_t value);
  void write_fcr(uint8_t value);
  void write_mcr(uint8_t value);
  void transmit(uint8_t byte);
  void receive_loopback(uint8_t byte);
  void update_irq();
  // The ready callback to run after unlocking, or an empty function.
  std::function<void()> take_ready_callback();

  mutable std::mutex mutex_;
  std::shared_ptr<IrqLine> irq_;
  std::shared_ptr<OutputSink> out_;
  std::function<void()> input_ready_;

  uint8_t ier_ = 0;
  uint8_t fcr_ = 0;
  uint8_t lcr_ = 0;
  uint8_t mcr_ = 0;
  uint8_t lsr_errors_ = 0;  // OE (the only error this model produces)
  uint8_t msr_deltas_ = 0;
  uint8_t scr_ = 0;
  uint8_t dll_ = kDefaultDivisorLow;
  uint8_t dlm_ = 0;
  bool thr_interrupt_pending_ = false;
  std::deque<uint8_t> rx_fifo_;

  bool irq_level_ = false;
  mutable bool input_waiting_ = false;
};

}  // namespace mimeo::devices
