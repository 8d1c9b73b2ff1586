#include "vmm/state_codec.h"

#include <cstring>
#include <type_traits>

#include "snapshot/byte_reader.h"
#include "snapshot/byte_writer.h"

namespace mimeo::vmm {

namespace {

using snapshot::ByteReader;
using snapshot::ByteWriter;

// KVM's state structs are plain C structs with a fixed layout on one
// architecture; they travel as length-checked blobs.
template <class T>
void put_struct(ByteWriter& w, const T& value) {
  static_assert(std::is_trivially_copyable_v<T>);
  w.bytes(std::span(reinterpret_cast<const uint8_t*>(&value), sizeof(T)));
}

template <class T>
Status get_struct(ByteReader& r, std::string_view field, T& value) {
  static_assert(std::is_trivially_copyable_v<T>);
  MIMEO_ASSIGN_OR_RETURN(auto blob, r.bytes(field, sizeof(T)));
  if (blob.size() != sizeof(T)) {
    return make_error("state stream: " + std::string(field) + " is " + std::to_string(blob.size()) +
                      " bytes, expected " + std::to_string(sizeof(T)));
  }
  std::memcpy(&value, blob.data(), sizeof(T));
  return {};
}

template <class T>
void put_vector(ByteWriter& w, const std::vector<T>& values) {
  w.u32(static_cast<uint32_t>(values.size()));
  for (const auto& v : values) {
    put_struct(w, v);
  }
}

template <class T>
Status get_vector(ByteReader& r, std::string_view field, size_t max, std::vector<T>& out) {
  MIMEO_ASSIGN_OR_RETURN(uint32_t n, r.count(field, sizeof(T)));
  if (n > max) {
    return make_error("state stream: " + std::string(field) + " count " + std::to_string(n) +
                      " exceeds " + std::to_string(max));
  }
  out.resize(n);
  for (auto& v : out) {
    MIMEO_TRY(get_struct(r, field, v));
  }
  return {};
}

Status expect_end(const ByteReader& r, std::string_view section) {
  if (!r.at_end()) {
    return make_error("state stream: section '" + std::string(section) + "' has " +
                      std::to_string(r.remaining()) + " unexpected trailing bytes");
  }
  return {};
}

// KVM's limits: KVM_MAX_CPUID_ENTRIES, and far more MSRs than KVM saves.
constexpr size_t kMaxCpuidEntries = 256;
constexpr size_t kMaxMsrs = 1024;

}  // namespace

std::vector<uint8_t> encode_vcpu(const x86::VcpuState& s) {
  ByteWriter w;
  put_vector(w, s.cpuid);
  put_struct(w, s.regs);
  put_struct(w, s.sregs);
  put_struct(w, s.xsave);
  put_struct(w, s.xcrs);
  put_vector(w, s.msrs);
  put_struct(w, s.lapic);
  put_struct(w, s.events);
  put_struct(w, s.mp_state);
  put_struct(w, s.debugregs);
  return w.take();
}

Result<x86::VcpuState> decode_vcpu(std::span<const uint8_t> payload) {
  ByteReader r(payload);
  x86::VcpuState s;
  MIMEO_TRY(get_vector(r, "vcpu cpuid", kMaxCpuidEntries, s.cpuid));
  MIMEO_TRY(get_struct(r, "vcpu regs", s.regs));
  MIMEO_TRY(get_struct(r, "vcpu sregs", s.sregs));
  MIMEO_TRY(get_struct(r, "vcpu xsave", s.xsave));
  MIMEO_TRY(get_struct(r, "vcpu xcrs", s.xcrs));
  MIMEO_TRY(get_vector(r, "vcpu msrs", kMaxMsrs, s.msrs));
  MIMEO_TRY(get_struct(r, "vcpu lapic", s.lapic));
  MIMEO_TRY(get_struct(r, "vcpu events", s.events));
  MIMEO_TRY(get_struct(r, "vcpu mp_state", s.mp_state));
  MIMEO_TRY(get_struct(r, "vcpu debugregs", s.debugregs));
  MIMEO_TRY(expect_end(r, "vcpu"));
  if (s.xcrs.nr_xcrs > KVM_MAX_XCRS) {
    return make_error("state stream: vcpu xcrs count " + std::to_string(s.xcrs.nr_xcrs) +
                      " exceeds " + std::to_string(KVM_MAX_XCRS));
  }
  return s;
}

std::vector<uint8_t> encode_vm(const x86::VmState& s) {
  ByteWriter w;
  put_struct(w, s.clock);
  put_struct(w, s.pic_master);
  put_struct(w, s.pic_slave);
  put_struct(w, s.ioapic);
  return w.take();
}

Result<x86::VmState> decode_vm(std::span<const uint8_t> payload) {
  ByteReader r(payload);
  x86::VmState s;
  MIMEO_TRY(get_struct(r, "vm clock", s.clock));
  MIMEO_TRY(get_struct(r, "vm pic master", s.pic_master));
  MIMEO_TRY(get_struct(r, "vm pic slave", s.pic_slave));
  MIMEO_TRY(get_struct(r, "vm ioapic", s.ioapic));
  MIMEO_TRY(expect_end(r, "vm"));
  if (s.pic_master.chip_id != KVM_IRQCHIP_PIC_MASTER ||
      s.pic_slave.chip_id != KVM_IRQCHIP_PIC_SLAVE || s.ioapic.chip_id != KVM_IRQCHIP_IOAPIC) {
    return make_error("state stream: vm section has irqchips with the wrong chip ids");
  }
  return s;
}

std::vector<uint8_t> encode_serial(const devices::Serial8250::State& s) {
  ByteWriter w;
  for (uint8_t reg : {s.ier, s.fcr, s.lcr, s.mcr, s.lsr, s.msr, s.scr, s.dll, s.dlm}) {
    w.u8(reg);
  }
  w.u8(s.thr_interrupt_pending ? 1 : 0);
  w.bytes(s.rx_fifo);
  return w.take();
}

Result<devices::Serial8250::State> decode_serial(std::span<const uint8_t> payload) {
  ByteReader r(payload);
  devices::Serial8250::State s;
  for (uint8_t* reg : {&s.ier, &s.fcr, &s.lcr, &s.mcr, &s.lsr, &s.msr, &s.scr, &s.dll, &s.dlm}) {
    MIMEO_ASSIGN_OR_RETURN(*reg, r.u8("serial register"));
  }
  MIMEO_ASSIGN_OR_RETURN(uint8_t pending, r.u8("serial thr_interrupt_pending"));
  if (pending > 1) {
    return make_error("state stream: serial thr_interrupt_pending is " + std::to_string(pending));
  }
  s.thr_interrupt_pending = pending == 1;
  MIMEO_ASSIGN_OR_RETURN(auto fifo, r.bytes("serial rx_fifo", devices::Serial8250::kFifoCapacity));
  s.rx_fifo.assign(fifo.begin(), fifo.end());
  MIMEO_TRY(expect_end(r, "serial0"));
  MIMEO_TRY(devices::Serial8250::validate(s));
  return s;
}

std::vector<uint8_t> encode_identity(const devices::IdentityDevice::State& s) {
  ByteWriter w;
  w.u8(s.selector);
  w.u32(s.offset);
  w.u64(s.identity.generation);
  w.raw(s.identity.uuid);
  w.raw(s.identity.generation_id);
  w.raw(s.identity.seed);
  w.u32(static_cast<uint32_t>(s.identity.macs.size()));
  for (const auto& mac : s.identity.macs) {
    w.raw(mac);
  }
  return w.take();
}

Result<devices::IdentityDevice::State> decode_identity(std::span<const uint8_t> payload) {
  ByteReader r(payload);
  devices::IdentityDevice::State s;
  MIMEO_ASSIGN_OR_RETURN(s.selector, r.u8("identity selector"));
  MIMEO_ASSIGN_OR_RETURN(s.offset, r.u32("identity offset"));
  MIMEO_ASSIGN_OR_RETURN(s.identity.generation, r.u64("identity generation"));
  MIMEO_ASSIGN_OR_RETURN(s.identity.uuid, r.array<16>("identity uuid"));
  MIMEO_ASSIGN_OR_RETURN(s.identity.generation_id, r.array<16>("identity generation id"));
  MIMEO_ASSIGN_OR_RETURN(s.identity.seed, r.array<32>("identity seed"));
  MIMEO_ASSIGN_OR_RETURN(uint32_t macs, r.count("identity macs", 6));
  if (macs > devices::Identity::kMaxMacs) {
    return make_error("state stream: identity has " + std::to_string(macs) + " MACs, more than " +
                      std::to_string(devices::Identity::kMaxMacs));
  }
  s.identity.macs.resize(macs);
  for (auto& mac : s.identity.macs) {
    MIMEO_ASSIGN_OR_RETURN(mac, r.array<6>("identity mac"));
  }
  MIMEO_TRY(expect_end(r, "identity0"));
  MIMEO_TRY(devices::IdentityDevice::validate(s));
  return s;
}

}  // namespace mimeo::vmm
