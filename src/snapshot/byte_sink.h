// Where an encoded stream goes: memory (VectorSink) or a file descriptor (FdSink),
// written in order, so a stream never has to exist in memory whole.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"

namespace mimeo::snapshot {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status write(std::span<const uint8_t> data) = 0;
};

class VectorSink : public ByteSink {
 public:
  Status write(std::span<const uint8_t> data) override {
    bytes_.insert(bytes_.end(), data.begin(), data.end());
    return {};
  }
  [[nodiscard]] std::vector<uint8_t> take() { return std::move(bytes_); }

 private:
  std::vector<uint8_t> bytes_;
};

// Writes everything to `fd` (retrying short writes and EINTR); errors name `what`.
class FdSink : public ByteSink {
 public:
  FdSink(int fd, std::string what) : fd_(fd), what_(std::move(what)) {}
  Status write(std::span<const uint8_t> data) override;

 private:
  int fd_;
  std::string what_;
};

}  // namespace mimeo::snapshot
