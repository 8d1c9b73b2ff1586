#include <gtest/gtest.h>

#include "devices/serial_8250.h"
#include "recorders.h"

namespace mimeo::devices {
namespace {

using namespace uart;  // NOLINT(google-build-using-namespace)
using testing::RecordingIrq;
using testing::RecordingSink;

void out(Serial8250& s, uint64_t reg, uint8_t value) { s.write(reg, std::span(&value, 1)); }
uint8_t in(Serial8250& s, uint64_t reg) {
  uint8_t value = 0;
  s.read(reg, std::span(&value, 1));
  return value;
}

TEST(Serial8250State, SaveRestoreRoundTrip) {
  auto irq = std::make_shared<RecordingIrq>();
  Serial8250 a(irq, std::make_shared<RecordingSink>());
  out(a, kLcr, kLcrDlab);
  out(a, kDll, 3);
  out(a, kDlm, 1);
  out(a, kLcr, 0x1b);
  out(a, kFcr, kFcrEnable | 0x80);
  out(a, kMcr, kMcrDtr | kMcrRts | kMcrOut2);
  out(a, kScr, 0x77);
  out(a, kIer, kIerRxData | kIerThrEmpty);
  const uint8_t input[] = {'h', 'i', '!'};
  ASSERT_EQ(a.enqueue_input(input), 3U);

  Serial8250::State saved = a.save();
  EXPECT_EQ(saved.ier, kIerRxData | kIerThrEmpty);
  EXPECT_EQ(saved.fcr, kFcrEnable | 0x80);
  EXPECT_EQ(saved.lcr, 0x1b);
  EXPECT_EQ(saved.dll, 3);
  EXPECT_EQ(saved.dlm, 1);
  EXPECT_EQ(saved.scr, 0x77);
  EXPECT_EQ(saved.lsr, kLsrDataReady | kLsrThrEmpty | kLsrTransmitterEmpty);
  EXPECT_TRUE(saved.thr_interrupt_pending);
  EXPECT_EQ(saved.rx_fifo, (std::vector<uint8_t>{'h', 'i', '!'}));

  auto irq_b = std::make_shared<RecordingIrq>();
  Serial8250 b(irq_b, std::make_shared<RecordingSink>());
  auto restored = b.restore(saved);
  ASSERT_TRUE(restored.ok()) << restored.error().describe();
  EXPECT_EQ(b.save(), saved);
  EXPECT_EQ(irq_b->transitions(), std::vector<bool>{true});  // the pending interrupt is raised
  // The restored device behaves as the original would: same IIR, same bytes.
  EXPECT_EQ(in(b, kIir), in(a, kIir));
  EXPECT_EQ(in(b, kRbr), 'h');
  EXPECT_EQ(in(b, kRbr), 'i');
  EXPECT_EQ(in(b, kRbr), '!');
  EXPECT_EQ(in(b, kIir) & kIirIdMask, kIirThrEmpty);
}

TEST(Serial8250State, RestoreKeepsOverrunAndModemDeltas) {
  Serial8250 a(nullptr, nullptr);
  out(a, kMcr, kMcrLoop);
  out(a, kMcr, kMcrLoop | kMcrDtr);
  out(a, kThr, '1');
  out(a, kThr, '2');
  Serial8250::State saved = a.save();
  EXPECT_EQ(saved.lsr & kLsrOverrun, kLsrOverrun);
  EXPECT_EQ(saved.msr, kMsrDsr | kMsrDeltaDsr);
  Serial8250 b(nullptr, nullptr);
  ASSERT_TRUE(b.restore(saved).ok());
  EXPECT_EQ(b.save(), saved);
}

struct BadState {
  const char* what;
  std::function<void(Serial8250::State&)> corrupt;
  const char* message;
};

TEST(Serial8250State, RestoreRejectsStateTheDeviceCannotBeIn) {
  const std::vector<BadState> cases = {
      {"fifo too long",
       [](auto& s) {
         s.fcr = kFcrEnable;
         s.rx_fifo.assign(65, 'x');
         s.lsr |= kLsrDataReady;
       },
       "serial 8250 state: receive FIFO holds 65 bytes, more than its capacity 64"},
      {"16450 holding two bytes",
       [](auto& s) {
         s.rx_fifo = {1, 2};
         s.lsr |= kLsrDataReady;
       },
       "serial 8250 state: receive FIFO holds 2 bytes, more than its capacity 1"},
      {"IER reserved", [](auto& s) { s.ier = 0x10; },
       "serial 8250 state: IER 0x10 has reserved bits set"},
      {"FCR reset bits", [](auto& s) { s.fcr = kFcrEnable | kFcrClearRx; },
       "serial 8250 state: FCR 0x03 has bits set that are not stored"},
      {"FCR trigger without FIFO", [](auto& s) { s.fcr = 0xc0; },
       "serial 8250 state: FCR 0xc0 has bits set with the FIFO disabled"},
      {"MCR reserved", [](auto& s) { s.mcr = 0x20; },
       "serial 8250 state: MCR 0x20 has reserved bits set"},
      {"LSR without THRE", [](auto& s) { s.lsr = 0; },
       "serial 8250 state: LSR 0x00 lacks THRE or TEMT, which are always set (transmission is "
       "synchronous)"},
      {"LSR parity error", [](auto& s) { s.lsr |= kLsrParityError; },
       "serial 8250 state: LSR 0x64 reports parity, framing or break errors, which this device "
       "never produces"},
      {"LSR data ready without data", [](auto& s) { s.lsr |= kLsrDataReady; },
       "serial 8250 state: LSR 0x61 data-ready bit disagrees with a receive FIFO of 0 bytes"},
      {"MSR lines in loopback", [](auto& s) { s.mcr = kMcrLoop; },
       "serial 8250 state: MSR 0xb0 line states disagree with MCR 0x10 (expected 0x00)"},
  };
  auto irq = std::make_shared<RecordingIrq>();
  Serial8250 device(irq, nullptr);
  out(device, kScr, 0x99);
  const Serial8250::State before = device.save();
  for (const auto& c : cases) {
    Serial8250::State state;
    c.corrupt(state);
    auto status = device.restore(state);
    ASSERT_FALSE(status.ok()) << c.what;
    EXPECT_EQ(status.error().message, c.message) << c.what;
    EXPECT_EQ(device.save(), before) << c.what << ": a failed restore changed the device";
  }
  EXPECT_TRUE(irq->transitions().empty());
  // The default State is the power-on state and is valid.
  EXPECT_TRUE(Serial8250::validate(Serial8250::State{}).ok());
  EXPECT_EQ(Serial8250(nullptr, nullptr).save(), Serial8250::State{});
}

}  // namespace
}  // namespace mimeo::devices
