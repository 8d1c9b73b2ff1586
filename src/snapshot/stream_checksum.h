// The stream's trailing checksum: xxh3-64 over every byte before it.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

namespace mimeo::snapshot {

[[nodiscard]] uint64_t stream_checksum(std::span<const uint8_t> data);

// The same, fed piece by piece while the stream is written.
class StreamHasher {
 public:
  StreamHasher();
  ~StreamHasher();
  StreamHasher(StreamHasher&&) noexcept;
  StreamHasher& operator=(StreamHasher&&) noexcept;
  StreamHasher(const StreamHasher&) = delete;
  StreamHasher& operator=(const StreamHasher&) = delete;

  void update(std::span<const uint8_t> data);
  [[nodiscard]] uint64_t digest() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace mimeo::snapshot
