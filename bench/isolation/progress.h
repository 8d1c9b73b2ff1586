// Progress of a long loop on stderr: a line at every tenth of the way (from
// 20 on), every two seconds and at the end, so that a run with hundreds of
// clones shows it is alive.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

namespace mimeo::bench {

class Progress {
 public:
  Progress(std::string what, int total) : what_(std::move(what)), total_(total) {}

  void done(int count) {
    const auto now = std::chrono::steady_clock::now();
    const bool tenth = total_ >= 20 && count % (total_ / 10) == 0;
    if (count == total_ || tenth || now - last_ > std::chrono::seconds(2)) {
      std::fprintf(stderr, "  %s: %d/%d\n", what_.c_str(), count, total_);
      last_ = now;
    }
  }

 private:
  std::string what_;
  int total_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

}  // namespace mimeo::bench
