#include "devices/identity_device.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace mimeo::devices {

namespace {

constexpr char kSignatureText[8] = {'M', 'I', 'M', 'E', 'O', 'I', 'D', '1'};

void append_le(std::vector<uint8_t>& out, uint64_t value, size_t bytes) {
  for (size_t i = 0; i < bytes; ++i) {
    out.push_back(static_cast<uint8_t>(value >> (8 * i)));
  }
}

Error bad_state(const std::string& why) { return make_error("identity device state: " + why); }

bool is_field(uint8_t selector) { return selector < IdentityDevice::kFieldCount; }

}  // namespace

std::vector<uint8_t> IdentityDevice::field_bytes(const Identity& identity, uint8_t field) {
  std::vector<uint8_t> out;
  const size_t mac_count = std::min(identity.macs.size(), Identity::kMaxMacs);
  switch (field) {
    case kSignature: out.assign(std::begin(kSignatureText), std::end(kSignatureText)); break;
    case kVersionField: append_le(out, kVersion, 4); break;
    case kUuid: out.assign(identity.uuid.begin(), identity.uuid.end()); break;
    case kGenerationId:
      out.assign(identity.generation_id.begin(), identity.generation_id.end());
      break;
    case kSeed: out.assign(identity.seed.begin(), identity.seed.end()); break;
    case kMacCount: out.push_back(static_cast<uint8_t>(mac_count)); break;
    case kMacs:
      for (size_t i = 0; i < mac_count; ++i) {
        out.insert(out.end(), identity.macs[i].begin(), identity.macs[i].end());
      }
      break;
    case kGenerationCounter: append_le(out, identity.generation, 8); break;
    default: break;
  }
  return out;
}

IdentityDevice::IdentityDevice(Identity identity) : identity_(std::move(identity)) {
  select_locked(kSignature);
}

void IdentityDevice::select_locked(uint8_t selector) {
  selector_ = is_field(selector) ? selector : kNoField;
  offset_ = 0;
  selected_ = field_bytes(identity_, selector_);
}

void IdentityDevice::read(uint64_t offset, std::span<uint8_t> data) {
  std::fill(data.begin(), data.end(), uint8_t{0});
  std::lock_guard lock(mutex_);
  if (offset == kSelectOffset) {
    const uint64_t length = selected_.size();
    if (data.size() < 8 && length >> (8 * data.size()) != 0) {
      std::fill(data.begin(), data.end(), uint8_t{0xff});
      return;
    }
    for (size_t i = 0; i < data.size(); ++i) {
      data[i] = static_cast<uint8_t>(length >> (8 * i));
    }
  } else if (offset == kDataOffset) {
    for (uint8_t& byte : data) {
      if (offset_ < selected_.size()) {
        byte = selected_[offset_++];
      }
    }
  }
}

void IdentityDevice::write(uint64_t offset, std::span<const uint8_t> data) {
  if (offset != kSelectOffset || data.empty()) {
    return;
  }
  std::lock_guard lock(mutex_);
  select_locked(data[0]);
}

void IdentityDevice::set_identity(const Identity& identity) {
  std::lock_guard lock(mutex_);
  identity_ = identity;
  selected_ = field_bytes(identity_, selector_);
  offset_ = std::min<uint32_t>(offset_, static_cast<uint32_t>(selected_.size()));
}

Identity IdentityDevice::identity() const {
  std::lock_guard lock(mutex_);
  return identity_;
}

IdentityDevice::State IdentityDevice::save() const {
  std::lock_guard lock(mutex_);
  return State{selector_, offset_, identity_};
}

Status IdentityDevice::validate(const State& state) {
  if (!is_field(state.selector) && state.selector != kNoField) {
    return bad_state(fmt::format("selector {} names no field (0..{} or {})", state.selector,
                                 kFieldCount - 1, kNoField));
  }
  if (state.identity.macs.size() > Identity::kMaxMacs) {
    return bad_state(fmt::format("{} MAC addresses, the limit is {}", state.identity.macs.size(),
                                 Identity::kMaxMacs));
  }
  const size_t length = field_bytes(state.identity, state.selector).size();
  if (state.offset > length) {
    return bad_state(fmt::format("read offset {} is past the end of field {} ({} bytes)",
                                 state.offset, state.selector, length));
  }
  return {};
}

Status IdentityDevice::restore(const State& state) {
  MIMEO_TRY(validate(state));
  std::lock_guard lock(mutex_);
  // Never the saved identity (see the header): only the counter moves on from it.
  identity_.generation = state.identity.generation + 1;
  selector_ = state.selector;
  selected_ = field_bytes(identity_, selector_);
  offset_ = std::min<uint32_t>(state.offset, static_cast<uint32_t>(selected_.size()));
  return {};
}

Status IdentityDevice::attach(IoBus& pio, const std::shared_ptr<IdentityDevice>& device) {
  return pio.insert(kBasePort, kPortCount, device, "mimeo identity");
}

}  // namespace mimeo::devices
