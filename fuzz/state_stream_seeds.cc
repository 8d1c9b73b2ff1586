// Writes a few small, valid state streams as the fuzzer's seed corpus:
//   state_stream_seeds DIR
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "snapshot/stream_encoder.h"

namespace mimeo::snapshot {
namespace {

HostFacts intel_host() {
  HostFacts host;
  host.cpu_vendor = "GenuineIntel";
  host.tsc_khz = 2'500'000;
  host.cpuid = {{0, 0, 0, 0xd, 0x756e6547, 0x6c65746e, 0x49656e69},
                {7, 0, 1, 0, 0xf2bf27ab, 0x40405f4e, 0xbc000410}};
  host.kvm_capabilities = {{20, 1}};
  return host;
}

bool write(const std::string& dir, const std::string& name, const StateStream& stream) {
  auto bytes = encode(stream);
  if (!bytes.ok()) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), bytes.error().describe().c_str());
    return false;
  }
  std::ofstream out(dir + "/" + name, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes->data()),
            static_cast<std::streamsize>(bytes->size()));
  return static_cast<bool>(out);
}

}  // namespace
}  // namespace mimeo::snapshot

int main(int argc, char** argv) {
  using namespace mimeo::snapshot;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  bool ok = write(dir, "empty", StateStream{});

  StateStream sections;
  sections.program_version = "mimeo 0.1.0";
  sections.host = intel_host();
  sections.sections = {
      {"vm", 1, {1, 2, 3, 4}}, {"vcpu0", 2, std::vector<uint8_t>(40, 0x11)}, {"serial0", 1, {}}};
  ok = write(dir, "sections", sections) && ok;

  // In-stream RAM (pages 0, 1 and 3 of 4 non-zero) and a shared file.
  std::vector<uint8_t> ram(4 * kPageSize, 0);
  for (uint64_t page : {0, 1, 3}) {
    ram[page * kPageSize + 17] = static_cast<uint8_t>(page + 1);
  }
  StateStream memory = sections;
  memory.layout.backends = {
      {"pc.ram", 0, ram.size(), RamStorage::kInStream, "", {}},
      {"mem1", 1ULL << 30, 1 << 20, RamStorage::kSharedFile, "/tmp/t.ram", {1 << 20, 42}}};
  memory.ram = {{"pc.ram", ram}};
  ok = write(dir, "ram_and_shared_file", memory) && ok;
  return ok ? 0 : 1;
}
