#include "devices/identity.h"

#include <fmt/format.h>
#include <sys/random.h>

#include <algorithm>
#include <cerrno>

namespace mimeo::devices {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// Fills `out` from getrandom(2) (blocking until the kernel's pool is initialized, which it
// is long before anyone starts a VM). Requests above 256 bytes may return short or be
// interrupted by a signal: loop.
Status fill_random(std::span<uint8_t> out) {
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return errno_error(fmt::format("identity: getrandom of {} bytes", out.size()));
    }
    done += static_cast<size_t>(n);
  }
  return {};
}

// RFC 4122 section 4.4: version 4 in the high nibble of byte 6, variant 10x in byte 8.
void set_version4_variant1(Uuid& uuid) {
  uuid[6] = static_cast<uint8_t>((uuid[6] & 0x0f) | 0x40);
  uuid[8] = static_cast<uint8_t>((uuid[8] & 0x3f) | 0x80);
}

// IEEE 802: bit 0 of the first octet is the group (multicast) bit, bit 1 the locally
// administered bit. Random MACs must not collide with vendors' globally assigned ones.
void make_local_unicast(MacAddress& mac) { mac[0] = static_cast<uint8_t>((mac[0] & 0xfc) | 0x02); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_uuid_dash_position(size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

}  // namespace

Result<Identity> Identity::fresh(size_t mac_count) {
  if (mac_count > kMaxMacs) {
    return make_error(
        fmt::format("identity: {} MAC addresses requested, the limit is {}", mac_count, kMaxMacs));
  }
  Identity id;
  id.macs.resize(mac_count);
  // One getrandom call for everything: 64 bytes plus 6 per MAC.
  std::vector<uint8_t> random(id.uuid.size() + id.generation_id.size() + id.seed.size() +
                              mac_count * sizeof(MacAddress));
  MIMEO_TRY(fill_random(random));
  auto take = [pos = random.begin()](auto& dest) mutable {
    std::copy(pos, pos + static_cast<ptrdiff_t>(dest.size()), dest.begin());
    pos += static_cast<ptrdiff_t>(dest.size());
  };
  take(id.uuid);
  take(id.generation_id);
  take(id.seed);
  for (MacAddress& mac : id.macs) {
    take(mac);
    make_local_unicast(mac);
  }
  set_version4_variant1(id.uuid);
  return id;
}

Result<Identity> Identity::renewed() const {
  MIMEO_ASSIGN_OR_RETURN(Identity next, fresh(macs.size()));
  next.generation = generation + 1;
  return next;
}

Status Identity::validate() const {
  if (macs.size() > kMaxMacs) {
    return make_error(
        fmt::format("identity: {} MAC addresses, the limit is {}", macs.size(), kMaxMacs));
  }
  for (const MacAddress& mac : macs) {
    if (mac[0] & 0x01) {
      return make_error("identity: MAC address " + mac_string(mac) +
                        " is a multicast address (bit 0 of the first byte is set)");
    }
  }
  return {};
}

std::string hex_string(std::span<const uint8_t> bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out += kHexDigits[b >> 4];
    out += kHexDigits[b & 0xf];
  }
  return out;
}

std::string mac_string(const MacAddress& mac) {
  return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", mac[0], mac[1], mac[2], mac[3],
                     mac[4], mac[5]);
}

std::string Identity::uuid_string() const {
  std::string hex = hex_string(uuid);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

std::string Identity::generation_id_hex() const { return hex_string(generation_id); }

std::string Identity::seed_hex() const { return hex_string(seed); }

std::string Identity::macs_string() const {
  if (macs.empty()) {
    return "-";
  }
  std::string out;
  for (const MacAddress& mac : macs) {
    if (!out.empty()) {
      out += ',';
    }
    out += mac_string(mac);
  }
  return out;
}

std::string Identity::describe() const {
  return fmt::format("uuid={} genid={} seed={} gen={} macs={}", uuid_string(), generation_id_hex(),
                     seed_hex(), generation, macs_string());
}

Result<Uuid> Identity::parse_uuid(std::string_view text) {
  auto bad = [&] {
    return make_error(
        fmt::format("'{}' is not a UUID (want 8-4-4-4-12 hex digits, e.g. "
                    "1b4e28ba-2fa1-41d2-883f-0016d3cca427)",
                    text));
  };
  if (text.size() != 36) {
    return bad();
  }
  Uuid uuid{};
  size_t nibble = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (is_uuid_dash_position(i)) {
      if (text[i] != '-') {
        return bad();
      }
      continue;
    }
    int v = hex_value(text[i]);
    if (v < 0) {
      return bad();
    }
    uuid[nibble / 2] = static_cast<uint8_t>(uuid[nibble / 2] | (nibble % 2 ? v : v << 4));
    ++nibble;
  }
  return uuid;
}

}  // namespace mimeo::devices
