// The section payload decoders of the state stream (src/vmm/state_codec.cc):
// a state stream is untrusted, and its checksum only says the file is what
// its writer wrote. The first byte picks the decoder; every input must give
// a state or an error, never a crash, and a decoded state must encode back
// to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "vmm/state_codec.h"

namespace {

template <class Decode, class Encode>
void round_trip(std::span<const uint8_t> payload, Decode decode, Encode encode) {
  auto decoded = decode(payload);
  if (!decoded.ok()) {
    return;
  }
  std::vector<uint8_t> again = encode(*decoded);
  if (!std::equal(again.begin(), again.end(), payload.begin(), payload.end())) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    return 0;
  }
  std::span<const uint8_t> payload(data + 1, size - 1);
  using namespace mimeo::vmm;
  switch (data[0] % 4) {
    case 0: round_trip(payload, decode_vcpu, encode_vcpu); break;
    case 1: round_trip(payload, decode_vm, encode_vm); break;
    case 2: round_trip(payload, decode_serial, encode_serial); break;
    case 3: round_trip(payload, decode_identity, encode_identity); break;
  }
  return 0;
}
