#include "snapshot/ram_runs.h"

#include <fmt/format.h>

#include <cstring>

#include "snapshot/size_text.h"

namespace mimeo::snapshot {
namespace {

bool page_is_zero(const uint8_t* page) {
  static const uint8_t kZeroPage[kPageSize] = {};
  return std::memcmp(page, kZeroPage, kPageSize) == 0;
}

}  // namespace

std::vector<PageRun> find_nonzero_runs(std::span<const uint8_t> memory) {
  std::vector<PageRun> runs;
  uint64_t pages = memory.size() / kPageSize;
  for (uint64_t page = 0; page < pages; ++page) {
    if (page_is_zero(memory.data() + page * kPageSize)) {
      continue;
    }
    if (!runs.empty() && runs.back().first_page + runs.back().page_count == page) {
      ++runs.back().page_count;
    } else {
      runs.push_back({page, 1});
    }
  }
  return runs;
}

Status restore_ram(const DecodedRam& ram, std::span<uint8_t> memory) {
  if (memory.size() != ram.size) {
    return make_error(
        fmt::format("memory backend '{}': the stream has {} of RAM, the memory "
                    "to restore into is {}",
                    ram.backend_id, describe_size(ram.size), describe_size(memory.size())));
  }
  uint64_t pages = memory.size() / kPageSize;
  for (const auto& run : ram.runs) {
    if (run.first_page > pages || run.page_count > pages - run.first_page ||
        run.data.size() != run.page_count * kPageSize) {
      return make_error(fmt::format(
          "memory backend '{}': RAM run of {} pages at page {} lies outside its {} pages",
          ram.backend_id, run.page_count, run.first_page, pages));
    }
    std::memcpy(memory.data() + run.first_page * kPageSize, run.data.data(), run.data.size());
  }
  return {};
}

}  // namespace mimeo::snapshot
