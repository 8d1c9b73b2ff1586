// A clone's memory: mapping a 256 MiB template file readonly=on,rom=off
// (memory::Backend::create + GuestMemory::layout), and one copy-on-write fault
// (the first write to a page of a MAP_PRIVATE file mapping).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/keyval.h"
#include "memory/backend.h"
#include "memory/guest_memory.h"

namespace mimeo {
namespace {

constexpr uint64_t kFileSize = 256ULL << 20;

// A 256 MiB template RAM file with its first 2 MiB written (as a booted guest's).
class TemplateFile {
 public:
  TemplateFile() {
    char path[] = "/tmp/mimeo-micro-XXXXXX";
    const int fd = ::mkstemp(path);
    path_ = path;
    if (fd < 0 || ::ftruncate(fd, kFileSize) != 0) {
      std::abort();
    }
    std::vector<uint8_t> head(2 << 20, 0x42);
    if (::pwrite(fd, head.data(), head.size(), 0) != static_cast<ssize_t>(head.size())) {
      std::abort();
    }
    ::close(fd);
  }
  ~TemplateFile() { ::unlink(path_.c_str()); }
  TemplateFile(const TemplateFile&) = delete;
  TemplateFile& operator=(const TemplateFile&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void BM_CloneMemorySetup(benchmark::State& state) {
  TemplateFile file;
  const std::string text =
      "memory-backend-file,id=pc.ram,size=256M,mem-path=" + file.path() + ",readonly=on,rom=off";
  for (auto _ : state) {
    auto kv = KeyValues::parse(text, "-object", "qom-type");
    auto options = kv.ok() ? memory::BackendOptions::from_keyvalues(*kv)
                           : Result<memory::BackendOptions>(kv.error());
    if (!options.ok()) {
      state.SkipWithError(options.error().describe().c_str());
      return;
    }
    auto backend = memory::Backend::create(*options);
    if (!backend.ok()) {
      state.SkipWithError(backend.error().describe().c_str());
      return;
    }
    std::vector<memory::Backend> backends;
    backends.push_back(std::move(backend.value()));
    auto memory = memory::GuestMemory::layout(std::move(backends));
    if (!memory.ok()) {
      state.SkipWithError(memory.error().describe().c_str());
      return;
    }
    benchmark::DoNotOptimize(memory->regions().data());
  }
}
BENCHMARK(BM_CloneMemorySetup)->Unit(benchmark::kMicrosecond);

// The first write to each page of a fresh MAP_PRIVATE mapping of the file's written
// part (in the page cache), after every page was read (mapped read-only), so each
// write is a copy-on-write fault alone. One iteration faults all 512 pages of a
// 2 MiB window (the time reported, manual, leaves out mmap and the reads); the
// counter us_per_fault divides it by 512.
void BM_CopyOnWriteFault(benchmark::State& state) {
  TemplateFile file;
  const int fd = ::open(file.path().c_str(), O_RDONLY | O_CLOEXEC);
  constexpr uint64_t kWindow = 2 << 20;
  constexpr uint64_t kPage = 4096;
  constexpr uint64_t kPages = kWindow / kPage;
  double seconds = 0;
  for (auto _ : state) {
    void* p = ::mmap(nullptr, kWindow, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      state.SkipWithError("mmap failed");
      break;
    }
    // No huge page: one fault per 4 KiB page, as a clone's guest RAM gets here.
    ::madvise(p, kWindow, MADV_NOHUGEPAGE);
    auto* map = static_cast<volatile uint8_t*>(p);
    uint8_t sum = 0;
    for (uint64_t off = 0; off < kWindow; off += kPage) {
      sum += map[off];  // a read; DoNotOptimize(map[off]) could store it back
    }
    benchmark::DoNotOptimize(sum);
    const auto start = std::chrono::steady_clock::now();
    for (uint64_t off = 0; off < kWindow; off += kPage) {
      map[off] = 1;
    }
    const auto elapsed = std::chrono::steady_clock::now() - start;
    const double window_seconds = std::chrono::duration<double>(elapsed).count();
    state.SetIterationTime(window_seconds);
    seconds += window_seconds;
    ::munmap(p, kWindow);
  }
  ::close(fd);
  if (state.iterations() > 0) {
    state.counters["us_per_fault"] =
        seconds * 1e6 / static_cast<double>(state.iterations() * kPages);
  }
}
BENCHMARK(BM_CopyOnWriteFault)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mimeo
