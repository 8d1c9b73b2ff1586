// The mimeo identity device: shows the guest its Identity (identity.h) through two I/O ports,
// so a guest cloned from a template can find out, without a reboot, that it must renew what
// it derived from the old identity. The layout is documented in docs/identity.md.
//
// Ports (base 0x5a0; nothing a PC guest or Linux probes lives there: QEMU's fw_cfg is
// 0x510-0x51b, pvpanic 0x505, isa-debug-exit 0x501/0xf4, the ACPI PM blocks 0x600 and up):
//   base+0 write: selects a field (the low byte of the access) and rewinds the read offset.
//          read:  the selected field's length in bytes, little-endian, as wide as the access
//                 (inb/inw/inl); a length that does not fit the access reads as all ones.
//   base+1 read:  the next byte(s) of the selected field; each byte read advances the offset.
//                 Bytes past the end, and every byte of an unknown field, read 0. A wider
//                 access (inw, inl, or `rep insb`) returns that many consecutive bytes.
//          write: ignored.
// Fields: 0 signature "MIMEOID1" (8 bytes), 1 version (4 bytes LE, 1), 2 VM UUID (16),
// 3 generation ID (16), 4 random seed (32), 5 MAC count (1), 6 MACs (6 each),
// 7 generation counter (8 bytes LE).
//
// A guest that may be snapshotted in the middle of reading reads the generation counter
// before and after the other fields and starts over if it changed.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "base/result.h"
#include "devices/bus_device.h"
#include "devices/identity.h"
#include "devices/io_bus.h"

namespace mimeo::devices {

class IdentityDevice final : public BusDevice {
 public:
  static constexpr uint16_t kBasePort = 0x5a0;
  static constexpr uint64_t kPortCount = 2;
  static constexpr uint64_t kSelectOffset = 0;
  static constexpr uint64_t kDataOffset = 1;
  static constexpr uint32_t kVersion = 1;

  enum Field : uint8_t {
    kSignature = 0,
    kVersionField = 1,
    kUuid = 2,
    kGenerationId = 3,
    kSeed = 4,
    kMacCount = 5,
    kMacs = 6,
    kGenerationCounter = 7,
  };
  static constexpr uint8_t kFieldCount = 8;
  // The selector after a write of a value that names no field: length 0, data reads 0.
  static constexpr uint8_t kNoField = 0xff;

  // Everything a snapshot needs, as plain data.
  struct State {
    uint8_t selector = kSignature;  // a Field or kNoField
    uint32_t offset = 0;            // bytes of the selected field read so far (<= its length)
    Identity identity;

    bool operator==(const State&) const = default;
  };

  // `identity` should satisfy Identity::validate() (Identity::fresh does); MACs beyond
  // Identity::kMaxMacs are not shown.
  explicit IdentityDevice(Identity identity);

  void read(uint64_t offset, std::span<uint8_t> data) override;
  void write(uint64_t offset, std::span<const uint8_t> data) override;

  // Replaces the identity the guest sees (thread-safe). The selector and read offset stay,
  // so a guest in the middle of a field reads the rest from the new value; the generation
  // counter is what tells it.
  void set_identity(const Identity& identity);
  [[nodiscard]] Identity identity() const;

  [[nodiscard]] State save() const;
  // Restores the selector and read offset after checking `state` (it may come from an
  // untrusted snapshot file; on error the device is unchanged). The saved identity is NOT
  // installed: a restored VM is a new VM, so the device keeps the identity it was created
  // with (fresh for this process) and only takes the saved generation counter + 1, so that
  // the guest sees the counter change. The offset is clamped to the current field's length.
  Status restore(const State& state);
  // Why `state` could not have been produced by this device, if it could not: a selector
  // that is neither a field nor kNoField, an offset beyond the selected field's length in
  // the saved identity, more than Identity::kMaxMacs MACs.
  static Status validate(const State& state);

  // The bytes of `field` for `identity`, as the guest reads them (empty for an unknown one).
  static std::vector<uint8_t> field_bytes(const Identity& identity, uint8_t field);

  // Inserts the device at kBasePort (kPortCount ports) into `pio`.
  static Status attach(IoBus& pio, const std::shared_ptr<IdentityDevice>& device);

 private:
  void select_locked(uint8_t selector);

  mutable std::mutex mutex_;
  Identity identity_;
  uint8_t selector_ = kSignature;
  uint32_t offset_ = 0;
  std::vector<uint8_t> selected_;  // field_bytes(identity_, selector_)
};

}  // namespace mimeo::devices
