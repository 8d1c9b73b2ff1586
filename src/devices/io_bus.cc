#include "devices/io_bus.h"

#include <fmt/format.h>

#include <mutex>

namespace mimeo::devices {

namespace {

std::string describe_range(const std::string& name, uint64_t base, uint64_t len) {
  return fmt::format("{} [{:#x}, {:#x}]", name, base, base + len - 1);
}

}  // namespace

IoBus::IoBus(std::string name) : name_(std::move(name)) {}

Status IoBus::insert(uint64_t base, uint64_t len, std::shared_ptr<BusDevice> device,
                     std::string name) {
  if (!device) {
    return make_error(fmt::format("{} bus: {}: no device", name_, name));
  }
  if (len == 0) {
    return make_error(fmt::format("{} bus: {}: empty range at {:#x}", name_, name, base));
  }
  if (base + len - 1 < base) {
    return make_error(fmt::format("{} bus: {}: range at {:#x} of length {:#x} wraps around", name_,
                                  name, base, len));
  }
  std::unique_lock lock(mutex_);
  // The only ranges that can overlap [base, base + len) are the last one starting at or
  // before base and the first one starting after it.
  auto next = entries_.upper_bound(base);
  if (next != entries_.end() && next->first <= base + len - 1) {
    return make_error(
        fmt::format("{} bus: {} overlaps {}", name_, describe_range(name, base, len),
                    describe_range(next->second.name, next->first, next->second.len)));
  }
  if (next != entries_.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second.len - 1 >= base) {
      return make_error(
          fmt::format("{} bus: {} overlaps {}", name_, describe_range(name, base, len),
                      describe_range(prev->second.name, prev->first, prev->second.len)));
    }
  }
  entries_.emplace(base, Entry{len, std::move(device), std::move(name)});
  return {};
}

std::optional<IoBus::Hit> IoBus::find(uint64_t addr) const {
  std::shared_lock lock(mutex_);
  auto it = entries_.upper_bound(addr);
  if (it == entries_.begin()) {
    return std::nullopt;
  }
  --it;
  uint64_t offset = addr - it->first;
  if (offset >= it->second.len) {
    return std::nullopt;
  }
  // A copy of the pointer: the device is called without the bus lock held.
  return Hit{it->second.device, offset};
}

bool IoBus::read(uint64_t addr, std::span<uint8_t> data) const {
  auto hit = find(addr);
  if (!hit) {
    return false;
  }
  hit->device->read(hit->offset, data);
  return true;
}

bool IoBus::write(uint64_t addr, std::span<const uint8_t> data) const {
  auto hit = find(addr);
  if (!hit) {
    return false;
  }
  hit->device->write(hit->offset, data);
  return true;
}

std::vector<IoBus::Range> IoBus::ranges() const {
  std::shared_lock lock(mutex_);
  std::vector<Range> out;
  out.reserve(entries_.size());
  for (const auto& [base, e] : entries_) {
    out.push_back(Range{base, e.len, e.name});
  }
  return out;
}

}  // namespace mimeo::devices
