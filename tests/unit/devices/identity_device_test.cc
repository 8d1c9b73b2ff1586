#include "devices/identity_device.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "devices/io_bus.h"

namespace mimeo::devices {
namespace {

using ::testing::HasSubstr;

constexpr uint16_t kSelect = IdentityDevice::kBasePort;
constexpr uint16_t kData = IdentityDevice::kBasePort + 1;

// A guest's view: the device attached to a port bus, accessed with inb/outb.
class GuestView {
 public:
  explicit GuestView(Identity identity)
      : device_(std::make_shared<IdentityDevice>(std::move(identity))) {
    auto attached = IdentityDevice::attach(pio_, device_);
    EXPECT_TRUE(attached.ok()) << attached.error().describe();
  }

  IdentityDevice& device() { return *device_; }

  void outb(uint16_t port, uint8_t value) { EXPECT_TRUE(pio_.write(port, std::span(&value, 1))); }
  uint8_t inb(uint16_t port) {
    uint8_t value = 0;
    EXPECT_TRUE(pio_.read(port, std::span(&value, 1)));
    return value;
  }
  uint16_t inw(uint16_t port) {
    uint8_t bytes[2] = {};
    EXPECT_TRUE(pio_.read(port, bytes));
    return static_cast<uint16_t>(bytes[0] | bytes[1] << 8);
  }

  // Selects `field`, reads its length from the select port, then that many bytes one inb
  // at a time, as the test guest does.
  std::vector<uint8_t> read_field(uint8_t field) {
    outb(kSelect, field);
    const uint16_t length = inw(kSelect);
    std::vector<uint8_t> bytes;
    for (uint16_t i = 0; i < length; ++i) {
      bytes.push_back(inb(kData));
    }
    return bytes;
  }

 private:
  IoBus pio_{"pio"};
  std::shared_ptr<IdentityDevice> device_;
};

template <class Container>
std::vector<uint8_t> bytes_of(const Container& c) {
  return std::vector<uint8_t>(std::begin(c), std::end(c));
}

Identity fresh_or_die(size_t mac_count) {
  auto id = Identity::fresh(mac_count);
  EXPECT_TRUE(id.ok()) << id.error().describe();
  return id.ok() ? *id : Identity{};
}

Identity known_identity() {
  Identity id;
  for (uint8_t i = 0; i < 16; ++i) {
    id.uuid[i] = static_cast<uint8_t>(0x10 + i);
    id.generation_id[i] = static_cast<uint8_t>(0xa0 + i);
  }
  for (uint8_t i = 0; i < 32; ++i) {
    id.seed[i] = i;
  }
  id.macs = {{0x02, 0x11, 0x22, 0x33, 0x44, 0x55}, {0x06, 0xaa, 0xbb, 0xcc, 0xdd, 0xee}};
  id.generation = 0x0102030405060708;
  return id;
}

TEST(IdentityDevice, GuestReadsEveryFieldByteByByte) {
  const Identity id = known_identity();
  GuestView guest(id);
  const std::string signature = "MIMEOID1";
  EXPECT_EQ(guest.read_field(IdentityDevice::kSignature), bytes_of(signature));
  EXPECT_EQ(guest.read_field(IdentityDevice::kVersionField), (std::vector<uint8_t>{1, 0, 0, 0}));
  EXPECT_EQ(guest.read_field(IdentityDevice::kUuid), bytes_of(id.uuid));
  EXPECT_EQ(guest.read_field(IdentityDevice::kGenerationId), bytes_of(id.generation_id));
  EXPECT_EQ(guest.read_field(IdentityDevice::kSeed), bytes_of(id.seed));
  EXPECT_EQ(guest.read_field(IdentityDevice::kMacCount), std::vector<uint8_t>{2});
  EXPECT_EQ(guest.read_field(IdentityDevice::kMacs),
            (std::vector<uint8_t>{0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 0x06, 0xaa, 0xbb, 0xcc, 0xdd,
                                  0xee}));
  EXPECT_EQ(guest.read_field(IdentityDevice::kGenerationCounter),
            (std::vector<uint8_t>{8, 7, 6, 5, 4, 3, 2, 1}));
}

TEST(IdentityDevice, SignatureIsSelectedAtReset) {
  GuestView guest(known_identity());
  std::string read;
  for (int i = 0; i < 8; ++i) {
    read += static_cast<char>(guest.inb(kData));
  }
  EXPECT_EQ(read, "MIMEOID1");
}

TEST(IdentityDevice, SelectPortReadsTheFieldLength) {
  GuestView guest(fresh_or_die(3));
  const std::vector<std::pair<uint8_t, uint8_t>> lengths = {
      {IdentityDevice::kSignature, 8}, {IdentityDevice::kVersionField, 4},
      {IdentityDevice::kUuid, 16},     {IdentityDevice::kGenerationId, 16},
      {IdentityDevice::kSeed, 32},     {IdentityDevice::kMacCount, 1},
      {IdentityDevice::kMacs, 18},     {IdentityDevice::kGenerationCounter, 8}};
  for (auto [field, length] : lengths) {
    guest.outb(kSelect, field);
    EXPECT_EQ(guest.inb(kSelect), length) << "field " << int{field};
  }
}

TEST(IdentityDevice, LengthThatDoesNotFitAByteReadsAllOnesWithInb) {
  GuestView guest(fresh_or_die(Identity::kMaxMacs));
  guest.outb(kSelect, IdentityDevice::kMacs);
  EXPECT_EQ(guest.inb(kSelect), 0xff);
  EXPECT_EQ(guest.inw(kSelect), 6 * 64);
  EXPECT_EQ(guest.read_field(IdentityDevice::kMacCount), std::vector<uint8_t>{64});
}

TEST(IdentityDevice, ReadsPastTheEndGiveZeroUntilReselected) {
  const Identity id = known_identity();
  GuestView guest(id);
  guest.outb(kSelect, IdentityDevice::kGenerationCounter);
  for (int i = 0; i < 8; ++i) {
    guest.inb(kData);
  }
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(guest.inb(kData), 0) << "read " << i << " past the end";
  }
  // Selecting again, even the same field, rewinds.
  guest.outb(kSelect, IdentityDevice::kGenerationCounter);
  EXPECT_EQ(guest.inb(kData), 8);
}

TEST(IdentityDevice, UnknownSelectorsHaveLengthZeroAndReadZero) {
  GuestView guest(known_identity());
  for (uint8_t selector : {uint8_t{8}, uint8_t{0x7f}, uint8_t{0xff}}) {
    guest.outb(kSelect, selector);
    EXPECT_EQ(guest.inb(kSelect), 0);
    EXPECT_EQ(guest.inb(kData), 0);
    EXPECT_EQ(guest.inb(kData), 0);
    EXPECT_EQ(guest.device().save().selector, IdentityDevice::kNoField);
  }
}

TEST(IdentityDevice, WideDataReadsReturnConsecutiveBytes) {
  IdentityDevice dev(known_identity());
  const uint8_t select = IdentityDevice::kUuid;
  dev.write(IdentityDevice::kSelectOffset, std::span(&select, 1));
  uint8_t four[4] = {};
  dev.read(IdentityDevice::kDataOffset, four);  // inl
  EXPECT_EQ(bytes_of(four), (std::vector<uint8_t>{0x10, 0x11, 0x12, 0x13}));
  uint8_t sixteen[16] = {};  // what `rep insb` of 16 does, element by element, after 12 more
  for (uint8_t& b : sixteen) {
    dev.read(IdentityDevice::kDataOffset, std::span(&b, 1));
  }
  EXPECT_EQ(sixteen[0], 0x14);
  EXPECT_EQ(sixteen[11], 0x1f);
  EXPECT_EQ(sixteen[12], 0);  // past the end
}

TEST(IdentityDevice, DataPortWritesAreIgnoredAndWideSelectsUseTheLowByte) {
  GuestView guest(known_identity());
  guest.outb(kSelect, IdentityDevice::kUuid);
  EXPECT_EQ(guest.inb(kData), 0x10);
  guest.outb(kData, 0x42);
  EXPECT_EQ(guest.inb(kData), 0x11);
  IdentityDevice& dev = guest.device();
  const uint8_t wide[2] = {IdentityDevice::kSeed, 0x01};  // outw 0x0104
  dev.write(IdentityDevice::kSelectOffset, wide);
  EXPECT_EQ(dev.save().selector, IdentityDevice::kSeed);
}

TEST(Identity, FreshUuidIsVersion4Variant1) {
  for (int i = 0; i < 32; ++i) {
    Identity id = fresh_or_die(0);
    EXPECT_EQ(id.uuid[6] >> 4, 4);
    EXPECT_EQ(id.uuid[8] >> 6, 0b10);
    const std::string text = id.uuid_string();
    EXPECT_TRUE(std::regex_match(
        text, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
        << text;
  }
}

TEST(Identity, TwoFreshIdentitiesDifferInEveryField) {
  Identity a = fresh_or_die(4);
  Identity b = fresh_or_die(4);
  EXPECT_NE(a.uuid, b.uuid);
  EXPECT_NE(a.generation_id, b.generation_id);
  EXPECT_NE(a.seed, b.seed);
  ASSERT_EQ(a.macs.size(), 4U);
  ASSERT_EQ(b.macs.size(), 4U);
  std::set<MacAddress> all(a.macs.begin(), a.macs.end());
  all.insert(b.macs.begin(), b.macs.end());
  EXPECT_EQ(all.size(), 8U);
  EXPECT_EQ(a.generation, 0U);
  EXPECT_EQ(b.generation, 0U);
}

TEST(Identity, FreshMacsAreLocallyAdministeredUnicast) {
  Identity id = fresh_or_die(Identity::kMaxMacs);
  for (const MacAddress& mac : id.macs) {
    EXPECT_EQ(mac[0] & 0x03, 0x02) << mac_string(mac);
  }
  EXPECT_TRUE(id.validate().ok());
}

TEST(Identity, FreshRefusesMoreMacsThanTheLimit) {
  auto id = Identity::fresh(65);
  ASSERT_FALSE(id.ok());
  EXPECT_THAT(id.error().describe(), HasSubstr("65 MAC addresses"));
  EXPECT_THAT(id.error().describe(), HasSubstr("64"));
}

TEST(Identity, RenewedChangesEverythingAndBumpsTheCounter) {
  Identity a = fresh_or_die(2);
  a.generation = 41;
  auto b = a.renewed();
  ASSERT_TRUE(b.ok()) << b.error().describe();
  EXPECT_NE(b->uuid, a.uuid);
  EXPECT_NE(b->generation_id, a.generation_id);
  EXPECT_NE(b->seed, a.seed);
  ASSERT_EQ(b->macs.size(), 2U);
  EXPECT_NE(b->macs[0], a.macs[0]);
  EXPECT_NE(b->macs[1], a.macs[1]);
  EXPECT_EQ(b->generation, 42U);
}

TEST(Identity, TextForms) {
  const Identity id = known_identity();
  EXPECT_EQ(id.uuid_string(), "10111213-1415-1617-1819-1a1b1c1d1e1f");
  EXPECT_EQ(id.generation_id_hex(), "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
  EXPECT_EQ(id.seed_hex(), "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  EXPECT_EQ(id.macs_string(), "02:11:22:33:44:55,06:aa:bb:cc:dd:ee");
  EXPECT_EQ(Identity{}.macs_string(), "-");
  EXPECT_EQ(id.describe(),
            "uuid=10111213-1415-1617-1819-1a1b1c1d1e1f genid=a0a1a2a3a4a5a6a7a8a9aaabacadaeaf "
            "seed=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f "
            "gen=72623859790382856 macs=02:11:22:33:44:55,06:aa:bb:cc:dd:ee");
}

TEST(Identity, ParseUuidRoundTripsAndAcceptsUpperCase) {
  Identity id = fresh_or_die(0);
  auto parsed = Identity::parse_uuid(id.uuid_string());
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_EQ(*parsed, id.uuid);
  auto upper = Identity::parse_uuid("1B4E28BA-2FA1-11D2-883F-0016D3CCA427");
  ASSERT_TRUE(upper.ok()) << upper.error().describe();
  Identity fixed;
  fixed.uuid = *upper;
  EXPECT_EQ(fixed.uuid_string(), "1b4e28ba-2fa1-11d2-883f-0016d3cca427");
}

TEST(Identity, ParseUuidErrorsNameTheValue) {
  for (const char* bad :
       {"", "1b4e28ba-2fa1-11d2-883f-0016d3cca42", "1b4e28ba-2fa1-11d2-883f-0016d3cca4270",
        "1b4e28ba2fa1-11d2-883f-0016d3cca4270", "1b4e28ba-2fa1-11d2-883f-0016d3cca42g",
        "{1b4e28ba-2fa1-11d2-883f-0016d3cc}"}) {
    auto parsed = Identity::parse_uuid(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_THAT(parsed.error().describe(), HasSubstr(std::string("'") + bad + "' is not a UUID"));
  }
}

TEST(Identity, ValidateRefusesMulticastMacsAndTooMany) {
  Identity id = known_identity();
  id.macs.push_back({0x03, 0, 0, 0, 0, 1});
  EXPECT_THAT(id.validate().error().describe(), HasSubstr("03:00:00:00:00:01 is a multicast"));
  id.macs.assign(65, MacAddress{0x02, 0, 0, 0, 0, 1});
  EXPECT_THAT(id.validate().error().describe(), HasSubstr("65 MAC addresses"));
}

TEST(IdentityDevice, SetIdentityIsWhatTheGuestReadsNext) {
  GuestView guest(known_identity());
  Identity next = fresh_or_die(1);
  next.generation = 9;
  guest.device().set_identity(next);
  EXPECT_EQ(guest.device().identity(), next);
  EXPECT_EQ(guest.read_field(IdentityDevice::kUuid), bytes_of(next.uuid));
  EXPECT_EQ(guest.read_field(IdentityDevice::kMacCount), std::vector<uint8_t>{1});
  EXPECT_EQ(guest.read_field(IdentityDevice::kGenerationCounter),
            (std::vector<uint8_t>{9, 0, 0, 0, 0, 0, 0, 0}));
}

TEST(IdentityDevice, SaveIsSelectorOffsetAndIdentity) {
  const Identity id = known_identity();
  GuestView guest(id);
  guest.outb(kSelect, IdentityDevice::kSeed);
  guest.inb(kData);
  guest.inb(kData);
  guest.inb(kData);
  const IdentityDevice::State state = guest.device().save();
  EXPECT_EQ(state.selector, IdentityDevice::kSeed);
  EXPECT_EQ(state.offset, 3U);
  EXPECT_EQ(state.identity, id);
}

TEST(IdentityDevice, RestoreKeepsItsOwnIdentityAndMovesTheCounterOn) {
  GuestView template_vm(known_identity());
  template_vm.outb(kSelect, IdentityDevice::kUuid);
  template_vm.inb(kData);
  const IdentityDevice::State saved = template_vm.device().save();

  const Identity clone_identity = fresh_or_die(0);
  GuestView clone(clone_identity);
  auto restored = clone.device().restore(saved);
  ASSERT_TRUE(restored.ok()) << restored.error().describe();

  Identity expected = clone_identity;
  expected.generation = known_identity().generation + 1;
  EXPECT_EQ(clone.device().identity(), expected);
  // The guest carries on where it was, in the clone's UUID.
  EXPECT_EQ(clone.inb(kData), clone_identity.uuid[1]);
  const IdentityDevice::State after = clone.device().save();
  EXPECT_EQ(after.selector, IdentityDevice::kUuid);
  EXPECT_EQ(after.offset, 2U);
  EXPECT_EQ(clone.read_field(IdentityDevice::kGenerationCounter),
            (std::vector<uint8_t>{9, 7, 6, 5, 4, 3, 2, 1}));
}

TEST(IdentityDevice, RestoreClampsTheOffsetToTheCurrentField) {
  GuestView template_vm(known_identity());  // two MACs
  template_vm.outb(kSelect, IdentityDevice::kMacs);
  for (int i = 0; i < 9; ++i) {
    template_vm.inb(kData);
  }
  GuestView clone(fresh_or_die(1));  // one MAC: 6 bytes
  ASSERT_TRUE(clone.device().restore(template_vm.device().save()).ok());
  EXPECT_EQ(clone.device().save().offset, 6U);
  EXPECT_EQ(clone.inb(kData), 0);
}

TEST(IdentityDevice, RestoreRejectsStatesTheDeviceCannotBeIn) {
  struct Case {
    const char* what;
    IdentityDevice::State state;
    const char* message;
  };
  IdentityDevice::State base{IdentityDevice::kUuid, 0, known_identity()};
  std::vector<Case> cases;
  cases.push_back({"selector 8", base, "selector 8 names no field"});
  cases.back().state.selector = 8;
  cases.push_back({"offset past the UUID", base, "read offset 17 is past the end of field 2"});
  cases.back().state.offset = 17;
  cases.push_back({"offset with no field", base, "read offset 1 is past the end of field 255"});
  cases.back().state.selector = IdentityDevice::kNoField;
  cases.back().state.offset = 1;
  cases.push_back({"65 MACs", base, "65 MAC addresses, the limit is 64"});
  cases.back().state.identity.macs.assign(65, MacAddress{0x02, 0, 0, 0, 0, 0});

  for (const Case& c : cases) {
    const Identity mine = fresh_or_die(0);
    IdentityDevice dev(mine);
    const IdentityDevice::State before = dev.save();
    auto restored = dev.restore(c.state);
    ASSERT_FALSE(restored.ok()) << c.what;
    EXPECT_THAT(restored.error().describe(), HasSubstr("identity device state: "));
    EXPECT_THAT(restored.error().describe(), HasSubstr(c.message)) << c.what;
    EXPECT_EQ(dev.save(), before) << c.what << ": the device changed";
  }
  // The edge cases are valid: offset at the end, a selected field of 64 MACs.
  IdentityDevice dev(fresh_or_die(0));
  IdentityDevice::State at_end = base;
  at_end.offset = 16;
  EXPECT_TRUE(dev.restore(at_end).ok());
  IdentityDevice::State many = base;
  many.selector = IdentityDevice::kMacs;
  many.identity.macs.assign(64, MacAddress{0x02, 0, 0, 0, 0, 0});
  many.offset = 384;
  EXPECT_TRUE(dev.restore(many).ok());
}

TEST(IdentityDevice, AttachClaimsTwoPortsAt0x5a0) {
  IoBus pio("pio");
  auto dev = std::make_shared<IdentityDevice>(known_identity());
  ASSERT_TRUE(IdentityDevice::attach(pio, dev).ok());
  auto ranges = pio.ranges();
  ASSERT_EQ(ranges.size(), 1U);
  EXPECT_EQ(ranges[0].base, 0x5a0U);
  EXPECT_EQ(ranges[0].len, 2U);
  uint8_t byte = 0;
  EXPECT_FALSE(pio.read(0x5a2, std::span(&byte, 1)));
  EXPECT_FALSE(IdentityDevice::attach(pio, dev).ok());  // already there
}

}  // namespace
}  // namespace mimeo::devices
