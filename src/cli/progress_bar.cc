#include "cli/progress_bar.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace mimeo::cli {

namespace {
// Work shorter than this never shows a bar.
constexpr auto kShowAfter = std::chrono::milliseconds(300);
constexpr int kWidth = 30;
}  // namespace

ProgressBar::ProgressBar(std::string label)
    : label_(std::move(label)),
      terminal_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() {
  if (drawn_) {
    std::fputs("\n", stderr);
  }
}

void ProgressBar::update(uint64_t done, uint64_t total) {
  if (!terminal_ || total == 0) {
    return;
  }
  if (!drawn_ && std::chrono::steady_clock::now() - start_ < kShowAfter && done < total) {
    return;
  }
  if (!drawn_ && done >= total) {
    return;  // finished before it was worth showing
  }
  drawn_ = true;
  const int filled =
      static_cast<int>(static_cast<double>(done) / static_cast<double>(total) * kWidth);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(kWidth, ' ');
  std::fputs(fmt::format("\r{} [{}] {:3d}% {:.1f}/{:.1f} GiB", label_, bar, filled * 100 / kWidth,
                         static_cast<double>(done) / (1ULL << 30),
                         static_cast<double>(total) / (1ULL << 30))
                 .c_str(),
             stderr);
  std::fflush(stderr);
}

}  // namespace mimeo::cli
