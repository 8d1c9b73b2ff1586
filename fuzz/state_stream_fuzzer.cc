// Decodes arbitrary bytes as a state stream. Each input is tried twice: as given
// (reaching the magic, version, length and checksum checks) and with a valid envelope
// written over it (so mutations get past the checksum into every field). Whatever
// decodes must re-encode, decode to the same contents and encode to the same bytes.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "snapshot/byte_writer.h"
#include "snapshot/ram_runs.h"
#include "snapshot/stream_checksum.h"
#include "snapshot/stream_decoder.h"
#include "snapshot/stream_encoder.h"

namespace mimeo::snapshot {
namespace {

// RAM larger than this is not materialized for the re-encode check.
constexpr uint64_t kMaxRestoredRam = 64 << 20;

[[noreturn]] void fail(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "state_stream_fuzzer: %s %s\n", what, detail.c_str());
  std::abort();
}

// Magic, version, length and checksum made right; the body is the input's.
std::vector<uint8_t> with_valid_envelope(const uint8_t* data, size_t size) {
  std::vector<uint8_t> out(data, data + size);
  if (out.size() < 28) {
    out.resize(28);
  }
  ByteWriter header;
  header.raw(kStreamMagic);
  header.u32(kFormatVersion);
  header.u64(out.size());
  std::memcpy(out.data(), header.data().data(), header.size());
  ByteWriter checksum;
  checksum.u64(stream_checksum(std::span<const uint8_t>(out).first(out.size() - 8)));
  std::memcpy(out.data() + out.size() - 8, checksum.data().data(), 8);
  return out;
}

// The decoded contents as a StateStream; RAM restored into `memory`. False when the
// RAM is too large to materialize here.
bool to_stream(const DecodedStream& decoded, std::vector<std::vector<uint8_t>>& memory,
               StateStream& out) {
  uint64_t total = 0;
  for (const auto& ram : decoded.ram) {
    total += ram.size;
    if (total > kMaxRestoredRam) {
      return false;
    }
  }
  out.program_version = decoded.program_version;
  out.host = decoded.host;
  out.layout = decoded.layout;
  out.sections = decoded.sections;
  memory.clear();
  memory.reserve(decoded.ram.size());
  for (const auto& ram : decoded.ram) {
    memory.emplace_back(ram.size, 0);
    auto restored = restore_ram(ram, memory.back());
    if (!restored.ok()) {
      fail("restore_ram refused what decode accepted:", restored.error().message);
    }
    out.ram.push_back({ram.backend_id, memory.back()});
  }
  return true;
}

void check_stable(std::span<const uint8_t> input) {
  auto decoded = decode(input);
  if (!decoded.ok()) {
    return;
  }
  std::vector<std::vector<uint8_t>> memory;
  StateStream stream;
  if (!to_stream(*decoded, memory, stream)) {
    return;
  }
  auto encoded = encode(stream);
  if (!encoded.ok()) {
    fail("encode refused what decode accepted:", encoded.error().message);
  }
  auto again = decode(*encoded);
  if (!again.ok()) {
    fail("decode refused what encode wrote:", again.error().message);
  }
  if (again->program_version != decoded->program_version || again->host != decoded->host ||
      again->layout != decoded->layout || again->sections != decoded->sections) {
    fail("contents changed in a round trip");
  }
  std::vector<std::vector<uint8_t>> memory2;
  StateStream stream2;
  to_stream(*again, memory2, stream2);
  if (memory2 != memory) {
    fail("RAM changed in a round trip");
  }
  auto encoded2 = encode(stream2);
  if (!encoded2.ok() || *encoded2 != *encoded) {
    fail("encoding is not stable");
  }
}

}  // namespace
}  // namespace mimeo::snapshot

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mimeo::snapshot;
  check_stable({data, size});
  check_stable(with_valid_envelope(data, size));
  return 0;
}
