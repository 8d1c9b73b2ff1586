// The identifiers that must differ between VMs cloned from one template (see the "Security
// Alert" of QEMU's docs/system/vm-templating.rst): a VM UUID, a generation ID, a random seed
// for the guest's entropy pool and the NICs' MAC addresses. The identity device
// (identity_device.h) shows them to the guest; docs/identity.md has the policy.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace mimeo::devices {

using Uuid = std::array<uint8_t, 16>;
using MacAddress = std::array<uint8_t, 6>;

struct Identity {
  // The most MAC addresses an identity may hold (the identity device's MAC count is one byte;
  // 64 is far more NICs than mimeo will give a VM).
  static constexpr size_t kMaxMacs = 64;

  Uuid uuid{};                              // RFC 4122 version 4, variant 1 (unless given)
  std::array<uint8_t, 16> generation_id{};  // random
  std::array<uint8_t, 32> seed{};           // random, for the guest's entropy pool
  std::vector<MacAddress> macs;             // locally administered unicast
  uint64_t generation = 0;                  // +1 each time the identity is renewed

  bool operator==(const Identity&) const = default;

  // A new identity from getrandom(2): random UUID (version 4), generation ID, seed and
  // `mac_count` MAC addresses, generation 0. Fails when mac_count exceeds kMaxMacs or
  // getrandom fails.
  static Result<Identity> fresh(size_t mac_count);

  // New UUID, generation ID, seed and MACs (as many as now), generation + 1. A UUID that the
  // user fixed (-uuid) must be put back by the caller.
  [[nodiscard]] Result<Identity> renewed() const;

  // Why the identity cannot be shown by the identity device: more than kMaxMacs MACs, or a
  // multicast MAC (bit 0 of the first byte set).
  [[nodiscard]] Status validate() const;

  // "1b4e28ba-2fa1-41d2-883f-0016d3cca427": 8-4-4-4-12 lowercase hex digits.
  [[nodiscard]] std::string uuid_string() const;
  // 32 lowercase hex digits.
  [[nodiscard]] std::string generation_id_hex() const;
  // 64 lowercase hex digits.
  [[nodiscard]] std::string seed_hex() const;
  // "02:1a:2b:3c:4d:5e,06:..." or "-" when there are none.
  [[nodiscard]] std::string macs_string() const;
  // "uuid=<uuid> genid=<hex> seed=<hex> gen=<decimal> macs=<macs_string>": the test guest's
  // `identity` answer after its first word. It holds the seed, which is secret material for
  // the guest: for tests, not for logs.
  [[nodiscard]] std::string describe() const;

  // Parses a UUID given as 8-4-4-4-12 hex digits (either case), as QEMU's -uuid accepts it.
  // The error names the value; the caller prefixes the option ("-uuid: ").
  static Result<Uuid> parse_uuid(std::string_view text);
};

// Lowercase hex digits of `bytes`, in order, without separators.
std::string hex_string(std::span<const uint8_t> bytes);
// "aa:bb:cc:dd:ee:ff", lowercase.
std::string mac_string(const MacAddress& mac);

}  // namespace mimeo::devices
