// Register offsets and bits of the 16550A UART (National Semiconductor PC16550D data sheet).
#pragma once

#include <cstdint>

namespace mimeo::devices::uart {

// Offsets from the base port. RBR/THR and IER double as the divisor latch when LCR.DLAB is set.
inline constexpr uint64_t kRbr = 0;  // read: receiver buffer
inline constexpr uint64_t kThr = 0;  // write: transmitter holding
inline constexpr uint64_t kDll = 0;  // DLAB=1: divisor latch, low byte
inline constexpr uint64_t kIer = 1;  // interrupt enable
inline constexpr uint64_t kDlm = 1;  // DLAB=1: divisor latch, high byte
inline constexpr uint64_t kIir = 2;  // read: interrupt identification
inline constexpr uint64_t kFcr = 2;  // write: FIFO control
inline constexpr uint64_t kLcr = 3;  // line control
inline constexpr uint64_t kMcr = 4;  // modem control
inline constexpr uint64_t kLsr = 5;  // line status
inline constexpr uint64_t kMsr = 6;  // modem status
inline constexpr uint64_t kScr = 7;  // scratch
inline constexpr uint64_t kRegisterCount = 8;

// IER
inline constexpr uint8_t kIerRxData = 0x01;      // received data available (and timeout)
inline constexpr uint8_t kIerThrEmpty = 0x02;    // transmitter holding register empty
inline constexpr uint8_t kIerLineStatus = 0x04;  // overrun, parity, framing error, break
inline constexpr uint8_t kIerModemStatus = 0x08;
inline constexpr uint8_t kIerMask = 0x0f;

// IIR: bit 0 clear means an interrupt is pending; bits 1-3 name the highest-priority one.
inline constexpr uint8_t kIirNoInterrupt = 0x01;
inline constexpr uint8_t kIirLineStatus = 0x06;   // priority 1 (highest)
inline constexpr uint8_t kIirRxData = 0x04;       // priority 2
inline constexpr uint8_t kIirRxTimeout = 0x0c;    // priority 2 (FIFO mode, below trigger level)
inline constexpr uint8_t kIirThrEmpty = 0x02;     // priority 3
inline constexpr uint8_t kIirModemStatus = 0x00;  // priority 4
inline constexpr uint8_t kIirIdMask = 0x0f;
inline constexpr uint8_t kIirFifoEnabled = 0xc0;

// FCR
inline constexpr uint8_t kFcrEnable = 0x01;
inline constexpr uint8_t kFcrClearRx = 0x02;
inline constexpr uint8_t kFcrClearTx = 0x04;
inline constexpr uint8_t kFcrDmaMode = 0x08;
inline constexpr uint8_t kFcrTriggerMask = 0xc0;  // 1, 4, 8 or 14 bytes
inline constexpr uint8_t kFcrStoredMask = kFcrEnable | kFcrDmaMode | kFcrTriggerMask;

// LCR
inline constexpr uint8_t kLcrDlab = 0x80;

// MCR
inline constexpr uint8_t kMcrDtr = 0x01;
inline constexpr uint8_t kMcrRts = 0x02;
inline constexpr uint8_t kMcrOut1 = 0x04;
inline constexpr uint8_t kMcrOut2 = 0x08;
inline constexpr uint8_t kMcrLoop = 0x10;
inline constexpr uint8_t kMcrMask = 0x1f;

// LSR
inline constexpr uint8_t kLsrDataReady = 0x01;
inline constexpr uint8_t kLsrOverrun = 0x02;
inline constexpr uint8_t kLsrParityError = 0x04;
inline constexpr uint8_t kLsrFramingError = 0x08;
inline constexpr uint8_t kLsrBreak = 0x10;
inline constexpr uint8_t kLsrThrEmpty = 0x20;
inline constexpr uint8_t kLsrTransmitterEmpty = 0x40;
inline constexpr uint8_t kLsrFifoError = 0x80;
inline constexpr uint8_t kLsrErrors = kLsrOverrun | kLsrParityError | kLsrFramingError | kLsrBreak;

// MSR: deltas in the low nibble, line states in the high nibble.
inline constexpr uint8_t kMsrDeltaCts = 0x01;
inline constexpr uint8_t kMsrDeltaDsr = 0x02;
inline constexpr uint8_t kMsrTrailingRi = 0x04;
inline constexpr uint8_t kMsrDeltaDcd = 0x08;
inline constexpr uint8_t kMsrDeltaMask = 0x0f;
inline constexpr uint8_t kMsrCts = 0x10;
inline constexpr uint8_t kMsrDsr = 0x20;
inline constexpr uint8_t kMsrRi = 0x40;
inline constexpr uint8_t kMsrDcd = 0x80;

// In loopback the modem control outputs are wired to the modem status inputs:
// DTR -> DSR, RTS -> CTS, OUT1 -> RI, OUT2 -> DCD.
constexpr uint8_t loopback_modem_status(uint8_t mcr) {
  return static_cast<uint8_t>(((mcr & kMcrDtr) ? kMsrDsr : 0) | ((mcr & kMcrRts) ? kMsrCts : 0) |
                              ((mcr & kMcrOut1) ? kMsrRi : 0) | ((mcr & kMcrOut2) ? kMsrDcd : 0));
}

}  // namespace mimeo::devices::uart
