// Test doubles for the device interfaces: they record what a device did.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "devices/irq_line.h"
#include "devices/output_sink.h"

namespace mimeo::devices::testing {

class RecordingIrq : public IrqLine {
 public:
  void set_level(bool asserted) override {
    std::lock_guard lock(mutex_);
    transitions_.push_back(asserted);
  }
  std::vector<bool> transitions() const {
    std::lock_guard lock(mutex_);
    return transitions_;
  }
  bool level() const {
    std::lock_guard lock(mutex_);
    return !transitions_.empty() && transitions_.back();
  }
  void clear() {
    std::lock_guard lock(mutex_);
    transitions_.clear();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<bool> transitions_;
};

class RecordingSink : public OutputSink {
 public:
  void write(std::span<const uint8_t> bytes) override {
    std::lock_guard lock(mutex_);
    text_.append(bytes.begin(), bytes.end());
  }
  std::string text() const {
    std::lock_guard lock(mutex_);
    return text_;
  }

 private:
  mutable std::mutex mutex_;
  std::string text_;
};

}  // namespace mimeo::devices::testing
