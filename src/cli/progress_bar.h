// A one-line progress bar on a terminal (stderr), for long work such as
// prealloc=on. Silent when stderr is not a terminal or the work is quick.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace mimeo::cli {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void update(uint64_t done, uint64_t total);

 private:
  std::string label_;
  bool terminal_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace mimeo::cli
