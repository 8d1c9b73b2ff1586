// Encoding and decoding a state stream: a vcpu section and 64 MiB of in-stream
// RAM that is mostly zero (1 MiB of non-zero pages spread over it), as a VM that
// is not a template (no x-ignore-shared) would save.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "snapshot/stream_decoder.h"
#include "snapshot/stream_encoder.h"

namespace mimeo {
namespace {

constexpr uint64_t kRamSize = 64ULL << 20;

struct Fixture {
  std::vector<uint8_t> ram = std::vector<uint8_t>(kRamSize, 0);
  snapshot::StateStream stream;

  Fixture() {
    // 256 non-zero pages (1 MiB), one every 64 pages, in runs of 1 to 4 pages.
    for (uint64_t page = 0; page < kRamSize / snapshot::kPageSize; page += 64) {
      std::memset(&ram[page * snapshot::kPageSize], static_cast<int>(page % 251 + 1),
                  snapshot::kPageSize * (1 + page % 4));
    }
    stream.program_version = "0.1.0";
    stream.host.cpu_vendor = "AuthenticAMD";
    stream.host.tsc_khz = 2445428;
    stream.layout.backends.push_back({.id = "pc.ram", .gpa = 0, .size = kRamSize});
    // A vcpu section about the size of a real one (registers, XSAVE, MSRs, LAPIC).
    stream.sections.push_back(
        {.name = "vcpu0", .version = 1, .payload = std::vector<uint8_t>(8192, 0x5a)});
    stream.ram.push_back({.backend_id = "pc.ram", .memory = ram});
  }
};

Fixture& fixture() {
  static Fixture* f = new Fixture;
  return *f;
}

void BM_SnapshotEncode(benchmark::State& state) {
  auto& f = fixture();
  size_t bytes = 0;
  for (auto _ : state) {
    auto encoded = snapshot::encode(f.stream);
    if (!encoded.ok()) {
      state.SkipWithError(encoded.error().describe().c_str());
      return;
    }
    bytes = encoded->size();
    benchmark::DoNotOptimize(encoded->data());
  }
  state.counters["stream_bytes"] = static_cast<double>(bytes);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kRamSize));
}
BENCHMARK(BM_SnapshotEncode)->Unit(benchmark::kMillisecond);

void BM_SnapshotDecode(benchmark::State& state) {
  auto encoded = snapshot::encode(fixture().stream);
  if (!encoded.ok()) {
    state.SkipWithError(encoded.error().describe().c_str());
    return;
  }
  for (auto _ : state) {
    auto decoded = snapshot::decode(*encoded);
    if (!decoded.ok()) {
      state.SkipWithError(decoded.error().describe().c_str());
      return;
    }
    benchmark::DoNotOptimize(decoded->ram.data());
  }
  state.counters["stream_bytes"] = static_cast<double>(encoded->size());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kRamSize));
}
BENCHMARK(BM_SnapshotDecode)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mimeo
