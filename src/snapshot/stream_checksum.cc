#include "snapshot/stream_checksum.h"

#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t by value
#include <xxhash.h>

namespace mimeo::snapshot {

struct StreamHasher::State {
  XXH3_state_t xxh;
};

uint64_t stream_checksum(std::span<const uint8_t> data) {
  return XXH3_64bits(data.data(), data.size());
}

StreamHasher::StreamHasher() : state_(std::make_unique<State>()) {
  XXH3_64bits_reset(&state_->xxh);
}
StreamHasher::~StreamHasher() = default;
StreamHasher::StreamHasher(StreamHasher&&) noexcept = default;
StreamHasher& StreamHasher::operator=(StreamHasher&&) noexcept = default;

void StreamHasher::update(std::span<const uint8_t> data) {
  XXH3_64bits_update(&state_->xxh, data.data(), data.size());
}

uint64_t StreamHasher::digest() const { return XXH3_64bits_digest(&state_->xxh); }

}  // namespace mimeo::snapshot
