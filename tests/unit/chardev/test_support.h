// Helpers for chardev tests: a scratch directory, an input collector, polling with a deadline.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <span>
#include <string>
#include <thread>

namespace mimeo::chardev::testing {

class ScratchDir {
 public:
  ScratchDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "mimeo-chardev-XXXXXX").string();
    char* made = ::mkdtemp(templ.data());
    EXPECT_NE(made, nullptr);
    path_ = templ;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Collects what a chardev delivers from its thread.
class InputCollector {
 public:
  void operator()(std::span<const uint8_t> bytes) {
    std::lock_guard lock(mutex_);
    text_.append(bytes.begin(), bytes.end());
    ++deliveries_;
    cv_.notify_all();
  }
  // Waits until at least `n` bytes arrived (5 s at most) and returns them.
  std::string wait_for(size_t n) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, std::chrono::seconds(5), [&] { return text_.size() >= n; });
    return text_;
  }
  std::string text() {
    std::lock_guard lock(mutex_);
    return text_;
  }
  int deliveries() {
    std::lock_guard lock(mutex_);
    return deliveries_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::string text_;
  int deliveries_ = 0;
};

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return pred();
}

inline std::span<const uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace mimeo::chardev::testing
