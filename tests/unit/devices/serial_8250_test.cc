// The UART driven the way guest drivers drive it (Linux's 8250 probe, earlyprintk, an
// interrupt-driven driver), with the interrupt line and the output recorded.
#include "devices/serial_8250.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "recorders.h"

namespace mimeo::devices {
namespace {

using namespace uart;  // NOLINT(google-build-using-namespace)
using testing::RecordingIrq;
using testing::RecordingSink;

class Serial8250Test : public ::testing::Test {
 protected:
  uint8_t in(uint64_t reg) {
    uint8_t value = 0;
    serial->read(reg, std::span(&value, 1));
    return value;
  }
  void out(uint64_t reg, uint8_t value) { serial->write(reg, std::span(&value, 1)); }
  size_t enqueue(std::string_view text) {
    return serial->enqueue_input(
        std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  }
  std::string drain_rx() {
    std::string got;
    while (in(kLsr)&kLsrDataReady) {
      got += static_cast<char>(in(kRbr));
    }
    return got;
  }

  std::shared_ptr<RecordingIrq> irq = std::make_shared<RecordingIrq>();
  std::shared_ptr<RecordingSink> sink = std::make_shared<RecordingSink>();
  std::shared_ptr<Serial8250> serial = std::make_shared<Serial8250>(irq, sink);
};

TEST_F(Serial8250Test, PowerOnState) {
  EXPECT_EQ(in(kIer), 0);
  EXPECT_EQ(in(kIir), kIirNoInterrupt);
  EXPECT_EQ(in(kLcr), 0);
  EXPECT_EQ(in(kMcr), 0);
  EXPECT_EQ(in(kLsr), kLsrThrEmpty | kLsrTransmitterEmpty);
  EXPECT_EQ(in(kMsr), kMsrDcd | kMsrDsr | kMsrCts);
  EXPECT_TRUE(irq->transitions().empty());
}

// The checks of Linux's autoconfig() in drivers/tty/serial/8250/8250_port.c.
TEST_F(Serial8250Test, PassesLinuxProbe) {
  // Existence test: IER keeps its low four bits.
  out(kIer, 0);
  EXPECT_EQ(in(kIer)&0x0f, 0);
  out(kIer, 0x0f);
  EXPECT_EQ(in(kIer)&0x0f, 0x0f);
  out(kIer, 0);
  // Loopback test: RTS and OUT2 come back as CTS and DCD.
  out(kMcr, kMcrLoop | kMcrRts | kMcrOut2);
  EXPECT_EQ(in(kMsr)&0xf0, 0x90);
  out(kMcr, 0);
  // FIFO detection: IIR bits 6-7 follow FCR bit 0; 0xc0 means a working 16550A FIFO.
  out(kFcr, kFcrEnable);
  EXPECT_EQ(in(kIir)&0xc0, 0xc0);
  // With DLAB set, the EFR probe of 16650s reads IIR, which is not 0 here.
  out(kLcr, 0x80);
  EXPECT_NE(in(kIir), 0);
  out(kLcr, 0);
  out(kFcr, 0);
  EXPECT_EQ(in(kIir)&0xc0, 0);
  // Scratch register.
  out(kScr, 0xa5);
  EXPECT_EQ(in(kScr), 0xa5);
  out(kScr, 0x5a);
  EXPECT_EQ(in(kScr), 0x5a);
  // IER=0x0f raised the THR-empty interrupt for a moment (as in QEMU: OUT2 does not gate the
  // line); the probe leaves it released.
  EXPECT_EQ(irq->transitions(), (std::vector<bool>{true, false}));
}

TEST_F(Serial8250Test, DivisorLatchHidesRbrAndIer) {
  out(kIer, kIerRxData);
  out(kLcr, kLcrDlab | 0x03);
  EXPECT_EQ(in(kDll), Serial8250::kDefaultDivisorLow);
  out(kDll, 0x01);  // 115200 baud
  out(kDlm, 0x00);
  EXPECT_EQ(in(kDll), 0x01);
  EXPECT_EQ(in(kDlm), 0x00);
  EXPECT_EQ(sink->text(), "");  // the divisor write did not transmit
  out(kLcr, 0x03);              // 8N1, DLAB off
  EXPECT_EQ(in(kIer), kIerRxData);
  EXPECT_EQ(in(kLcr), 0x03);
  out(kThr, 'A');
  EXPECT_EQ(sink->text(), "A");
  out(kLcr, kLcrDlab | 0x03);
  EXPECT_EQ(in(kDll), 0x01);
}

// arch/x86/boot/early_serial_console.c and earlyprintk=serial: polled, no interrupts.
TEST_F(Serial8250Test, PolledEarlyPrintk) {
  out(kLcr, 0x03);
  out(kIer, 0);
  out(kFcr, 0);
  out(kMcr, kMcrDtr | kMcrRts);
  out(kLcr, kLcrDlab | 0x03);
  out(kDll, 1);
  out(kDlm, 0);
  out(kLcr, 0x03);
  for (char c : std::string("Linux version 6.1\n")) {
    for (int spins = 0; !(in(kLsr)&kLsrThrEmpty); ++spins) {
      ASSERT_LT(spins, 10) << "THRE never set";
    }
    out(kThr, static_cast<uint8_t>(c));
    EXPECT_TRUE(in(kLsr)&kLsrTransmitterEmpty);
  }
  EXPECT_EQ(sink->text(), "Linux version 6.1\n");
  EXPECT_TRUE(irq->transitions().empty());
}

TEST_F(Serial8250Test, ThrEmptyInterruptIsRaisedAcknowledgedAndRearmed) {
  out(kFcr, kFcrEnable);
  out(kIer, kIerThrEmpty);  // enabling it while THR is empty raises it
  EXPECT_EQ(irq->transitions(), std::vector<bool>{true});
  EXPECT_EQ(in(kIir), kIirFifoEnabled | kIirThrEmpty);  // reading IIR acknowledges it
  EXPECT_EQ(irq->transitions(), (std::vector<bool>{true, false}));
  EXPECT_EQ(in(kIir), kIirFifoEnabled | kIirNoInterrupt);

  out(kThr, 'x');  // the byte leaves at once: THR is empty again
  EXPECT_EQ(irq->transitions(), (std::vector<bool>{true, false, true}));
  out(kThr, 'y');  // not acknowledged: the write drops the line and the empty THR raises it
  EXPECT_EQ(irq->transitions(), (std::vector<bool>{true, false, true, false, true}));
  EXPECT_EQ(sink->text(), "xy");

  out(kIer, 0);  // masking releases the line
  EXPECT_FALSE(irq->level());
  EXPECT_EQ(in(kIir), kIirFifoEnabled | kIirNoInterrupt);
  // Linux's THRE test: re-enabling raises it again even after the acknowledgement.
  out(kIer, kIerThrEmpty);
  EXPECT_TRUE(irq->level());
}

TEST_F(Serial8250Test, ReceiveWithInterruptsAndTriggerLevel) {
  out(kFcr, kFcrEnable | kFcrClearRx | kFcrClearTx | 0xc0);  // trigger at 14 bytes
  out(kIer, kIerRxData);
  EXPECT_TRUE(irq->transitions().empty());

  EXPECT_EQ(enqueue("ls\r"), 3U);
  EXPECT_EQ(irq->transitions(), std::vector<bool>{true});
  // Below the trigger level the data is reported as a character timeout.
  EXPECT_EQ(in(kIir), kIirFifoEnabled | kIirRxTimeout);
  EXPECT_EQ(in(kLsr)&kLsrDataReady, kLsrDataReady);
  EXPECT_EQ(in(kRbr), 'l');
  EXPECT_TRUE(irq->level());  // still data
  EXPECT_EQ(drain_rx(), "s\r");
  EXPECT_EQ(irq->transitions(), (std::vector<bool>{true, false}));
  EXPECT_EQ(in(kIir), kIirFifoEnabled | kIirNoInterrupt);

  EXPECT_EQ(enqueue("0123456789abcdef"), 16U);
  EXPECT_EQ(in(kIir), kIirFifoEnabled | kIirRxData);  // at or above the trigger level
  EXPECT_EQ(drain_rx(), "0123456789abcdef");
  EXPECT_FALSE(irq->level());
}

TEST_F(Serial8250Test, InterruptPriorities) {
  out(kFcr, kFcrEnable);  // trigger level 1
  out(kIer, kIerRxData | kIerThrEmpty | kIerLineStatus | kIerModemStatus);
  ASSERT_EQ(enqueue("a"), 1U);
  EXPECT_EQ(in(kIir)&kIirIdMask, kIirRxData);  // data before THR empty
  EXPECT_EQ(in(kIir)&kIirIdMask, kIirRxData);  // reading IIR did not clear either
  EXPECT_EQ(in(kRbr), 'a');
  EXPECT_EQ(in(kIir)&kIirIdMask, kIirThrEmpty);
  EXPECT_EQ(in(kIir)&kIirIdMask, kIirNoInterrupt);
  EXPECT_FALSE(irq->level());

  // Loopback: fill the FIFO and overrun it, and wiggle a modem line.
  out(kMcr, kMcrLoop);
  out(kMcr, kMcrLoop | kMcrRts);  // CTS changes: modem status interrupt (lowest priority)
  EXPECT_EQ(in(kIir)&kIirIdMask, kIirModemStatus);
  for (int i = 0; i < 65; ++i) {
    out(kThr, static_cast<uint8_t>('A' + i % 26));
  }
  EXPECT_EQ(in(kIir)&kIirIdMask, kIirLineStatus);  // overrun beats everything
  uint8_t lsr = in(kLsr);
  EXPECT_EQ(lsr & (kLsrOverrun | kLsrDataReady), kLsrOverrun | kLsrDataReady);
  EXPECT_EQ(in(kLsr)&kLsrOverrun, 0);  // reading LSR cleared it
  EXPECT_EQ(in(kIir)&kIirIdMask, kIirRxData);
  EXPECT_EQ(drain_rx().size(), Serial8250::kFifoCapacity);
  // Read IIR until it reports the THR and then the modem status, and read MSR to clear it.
  EXPECT_EQ(in(kIir)&kIirIdMask, kIirThrEmpty);
  EXPECT_EQ(in(kIir)&kIirIdMask, kIirModemStatus);
  EXPECT_EQ(in(kMsr), kMsrCts | kMsrDeltaCts);
  EXPECT_EQ(in(kMsr), kMsrCts);
  EXPECT_EQ(in(kIir)&kIirIdMask, kIirNoInterrupt);
  EXPECT_FALSE(irq->level());
  EXPECT_EQ(sink->text(), "");  // nothing left the UART in loopback
}

TEST_F(Serial8250Test, LoopbackEchoesAndHoldsBackHostInput) {
  int ready_calls = 0;
  serial->set_input_ready_callback([&] { ++ready_calls; });
  out(kFcr, kFcrEnable);
  out(kMcr, kMcrLoop | kMcrDtr | kMcrOut1);
  EXPECT_EQ(in(kMsr)&0xf0, kMsrDsr | kMsrRi);
  out(kThr, 'z');
  EXPECT_EQ(in(kLsr)&kLsrDataReady, kLsrDataReady);
  EXPECT_EQ(in(kRbr), 'z');
  EXPECT_EQ(sink->text(), "");

  EXPECT_EQ(enqueue("host"), 0U);  // the serial input is disconnected in loopback
  EXPECT_FALSE(serial->wants_input());
  out(kMcr, kMcrLoop | kMcrDtr);  // RI falls: trailing-edge bit
  EXPECT_EQ(in(kMsr), kMsrDsr | kMsrTrailingRi);
  EXPECT_EQ(ready_calls, 0);
  out(kMcr, kMcrDtr | kMcrRts | kMcrOut2);  // back to normal
  EXPECT_EQ(ready_calls, 1);
  EXPECT_EQ(in(kMsr), Serial8250::kDefaultModemStatus);
  EXPECT_EQ(enqueue("host"), 4U);
  EXPECT_EQ(drain_rx(), "host");
}

TEST_F(Serial8250Test, LoopbackIn16450ModeOverwritesTheHoldingRegister) {
  out(kMcr, kMcrLoop);
  out(kThr, '1');
  out(kThr, '2');
  EXPECT_EQ(in(kLsr) & (kLsrOverrun | kLsrDataReady), kLsrOverrun | kLsrDataReady);
  EXPECT_EQ(in(kRbr), '2');
  EXPECT_EQ(in(kLsr)&kLsrDataReady, 0);
}

TEST_F(Serial8250Test, FullFifoRefusesInputAndSignalsRoom) {
  int ready_calls = 0;
  serial->set_input_ready_callback([&] { ++ready_calls; });
  // 16450 mode: one byte at a time.
  EXPECT_EQ(enqueue("ab"), 1U);
  EXPECT_EQ(in(kRbr), 'a');
  EXPECT_EQ(ready_calls, 1);

  out(kFcr, kFcrEnable);
  std::string big(100, 'x');
  EXPECT_EQ(serial->input_room(), Serial8250::kFifoCapacity);
  EXPECT_EQ(enqueue(big), Serial8250::kFifoCapacity);
  EXPECT_FALSE(serial->wants_input());
  EXPECT_EQ(enqueue("y"), 0U);
  EXPECT_EQ(ready_calls, 1);
  EXPECT_EQ(in(kRbr), 'x');  // one byte of room: the callback runs once
  EXPECT_EQ(ready_calls, 2);
  EXPECT_EQ(in(kRbr), 'x');
  EXPECT_EQ(ready_calls, 2);
  EXPECT_EQ(enqueue("yz"), 2U);
  EXPECT_EQ(in(kLsr)&kLsrOverrun, 0);  // host input never overruns
  // Clearing the receive FIFO also makes room.
  EXPECT_EQ(enqueue("!"), 0U);
  out(kFcr, kFcrEnable | kFcrClearRx);
  EXPECT_EQ(ready_calls, 3);
  EXPECT_EQ(in(kLsr)&kLsrDataReady, 0);
}

TEST_F(Serial8250Test, InputFromAnotherThreadArrivesInOrder) {
  out(kFcr, kFcrEnable);
  std::string text;
  for (int i = 0; i < 2000; ++i) {
    text += static_cast<char>('a' + i % 26);
  }
  std::thread host([&] {
    size_t sent = 0;
    while (sent < text.size()) {
      sent += enqueue(std::string_view(text).substr(sent));
      std::this_thread::yield();
    }
  });
  std::string got;
  while (got.size() < text.size()) {
    got += drain_rx();
  }
  host.join();
  EXPECT_EQ(got, text);
}

TEST_F(Serial8250Test, WideAccessesActOnConsecutiveRegisters) {
  out(kScr, 0x42);
  uint8_t pair[2] = {0, 0};
  serial->read(kMsr, pair);
  EXPECT_EQ(pair[0], Serial8250::kDefaultModemStatus);
  EXPECT_EQ(pair[1], 0x42);
  uint8_t past_end[2] = {0, 0};
  serial->read(kScr, past_end);
  EXPECT_EQ(past_end[1], 0xff);
}

}  // namespace
}  // namespace mimeo::devices
