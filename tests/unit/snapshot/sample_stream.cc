#include "unit/snapshot/sample_stream.h"

#include "snapshot/stream_checksum.h"

namespace mimeo::snapshot::testing {

Sample make_sample() {
  Sample s;
  s.ram.assign(1 << 20, 0);
  for (uint64_t page : {0, 1, 2, 200}) {
    for (uint64_t i = 0; i < kPageSize; i += 7) {
      s.ram[page * kPageSize + i] = static_cast<uint8_t>(page + i);
    }
  }
  s.stream.program_version = "mimeo 0.1.0";
  s.stream.host.cpu_vendor = "GenuineIntel";
  s.stream.host.tsc_khz = 2'500'000;
  s.stream.host.cpuid = {{0, 0, 0, 0xd, 0x756e6547, 0x6c65746e, 0x49656e69},
                         {1, 0, 0, 0x806c1, 0x800, 0xfeda3203, 0x178bfbff},
                         {7, 0, 1, 0, 0xf2bf27ab, 0x40405f4e, 0xbc000410}};
  s.stream.host.kvm_capabilities = {{20, 1}, {37, 1}};
  s.stream.layout.backends = {{"pc.ram", 0, 1 << 20, RamStorage::kInStream, "", {}},
                              {"mem1",
                               4ULL << 30,
                               2 << 20,
                               RamStorage::kSharedFile,
                               "/var/tmp/template.ram",
                               {2 << 20, 0x1234567890abcdefULL}}};
  s.stream.sections = {
      {"vm", 1, {1, 2, 3}}, {"vcpu0", 3, std::vector<uint8_t>(300, 0xab)}, {"serial0", 1, {}}};
  s.stream.ram = {{"pc.ram", s.ram}};
  return s;
}

std::vector<uint8_t> seal(std::span<const uint8_t> body) {
  ByteWriter w;
  w.raw(kStreamMagic);
  w.u32(kFormatVersion);
  w.u64(8 + 4 + 8 + body.size() + 8);
  w.raw(body);
  w.u64(stream_checksum(w.data()));
  return w.take();
}

std::vector<uint8_t> reseal(std::span<const uint8_t> stream) {
  return seal(stream.subspan(20, stream.size() - 28));
}

void put_empty_prefix(ByteWriter& w) {
  w.string("v");  // program version
  w.string("");   // CPU vendor
  w.u32(0);       // TSC kHz
  w.u32(0);       // CPUID entries
  w.u32(0);       // KVM capabilities
}

}  // namespace mimeo::snapshot::testing
