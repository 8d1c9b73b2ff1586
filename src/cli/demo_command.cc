#include "cli/demo_command.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "cli/child_process.h"
#include "cli/process_memory.h"

namespace mimeo::cli {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr uint64_t kProbeAddress = 0x2000000;  // 32 MiB: not in the region `dirty` writes
constexpr const char* kReady = "mimeo-guest ready";

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

int fail(const std::string& message) {
  std::fprintf(stderr, "mimeo demo: %s\n", message.c_str());
  return 1;
}

Result<uint64_t> hash_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return errno_error("open " + path);
  }
  std::string bytes{std::istreambuf_iterator<char>(in), {}};
  return static_cast<uint64_t>(XXH3_64bits(bytes.data(), bytes.size()));
}

std::string self_path() {
  std::error_code error;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? "mimeo" : exe.string();
}

struct Clone {
  ChildProcess process;
  double first_answer_ms = 0;
};

// Sends one command and returns its one-line answer ("(no answer)" if none).
std::string ask(ChildProcess& child, const std::string& command) {
  if (!child.send(command + "\n").ok()) {
    return "(no answer)";
  }
  return child.read_line(milliseconds(60'000)).value_or("(no answer)");
}

}  // namespace

std::string default_guest_path() {
  return (std::filesystem::path(self_path()).parent_path() / "guest" / "guest.elf").string();
}

// The README's main job: what VM templating does, shown with the test guest.
// 1. `mimeo template create` boots it with its RAM in a file (share=on), waits
//    for it to be ready, freezes it and publishes the template directory.
// 2. `mimeo clone` starts clones as new processes; each answers at once, sees
//    the template's memory, writes its own, and gets its own identity.
// 3. The template's RAM file is unchanged, and each clone's memory is shown.
int demo_command(const DemoOptions& options) {
  const std::string mimeo = self_path();
  const std::string guest = options.guest.empty() ? default_guest_path() : options.guest;
  char dir_template[] = "/tmp/mimeo-demo-XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) {
    return fail("cannot create a directory under /tmp");
  }
  const std::string dir = dir_template;
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  } cleanup{dir};
  const std::string tmpl = dir + "/template";

  std::vector<std::string> create = {mimeo,     "template",
                                     "create",  tmpl,
                                     "--quiet", "--ready-on-serial",
                                     kReady,    "--",
                                     "-m",      "256M",
                                     "-kernel", guest,
                                     "-device", "isa-debug-exit,iobase=0xf4,iosize=1"};
  std::printf("mimeo demo: VM templating with the test guest (%s)\n\n", guest.c_str());
  std::printf("1. the template: its RAM in a file (share=on), frozen once the guest is ready\n");
  std::printf(
      "   $ mimeo template create %s --ready-on-serial '%s' -- -m 256M -kernel %s "
      "-device isa-debug-exit,iobase=0xf4,iosize=1\n",
      tmpl.c_str(), kReady, guest.c_str());
  auto start = Clock::now();
  {
    auto creator = ChildProcess::spawn(create, false);
    if (!creator.ok()) {
      return fail(creator.error().describe());
    }
    while (auto line = creator->read_line(milliseconds(120'000))) {
      std::printf("   %s\n", line->c_str());
    }
    if (int status = creator->wait(); status != 0) {
      return fail(fmt::format("mimeo template create failed (status {})", status));
    }
  }
  std::printf("   created in %.0f ms\n\n", ms_since(start));
  const std::string ram_file = tmpl + "/pc.ram";
  auto hash_before = hash_file(ram_file);
  if (!hash_before.ok()) {
    return fail(hash_before.error().describe());
  }

  std::printf(
      "2. %d clones, each a new `mimeo clone %s` process (RAM file mapped "
      "readonly=on,rom=off: copy-on-write)\n",
      options.clones, tmpl.c_str());
  std::vector<Clone> clones;
  for (int i = 0; i < options.clones; ++i) {
    auto clone_start = Clock::now();
    auto child = ChildProcess::spawn({mimeo, "clone", tmpl}, true);
    if (!child.ok()) {
      return fail(child.error().describe());
    }
    Clone clone{std::move(child.value()), 0};
    std::string pong = ask(clone.process, "ping");
    clone.first_answer_ms = ms_since(clone_start);
    if (pong != "pong") {
      return fail(fmt::format("clone {} answered '{}' to ping", i + 1, pong));
    }
    clones.push_back(std::move(clone));
  }
  bool ok = true;
  std::printf("   %-5s %-13s %-22s %-38s %s\n", "clone", "first answer", "its own write, read",
              "identity (uuid)", "memory: private / of which guest-written / PSS");
  std::vector<double> latencies;
  std::vector<double> private_mib;
  for (size_t i = 0; i < clones.size(); ++i) {
    auto& c = clones[i].process;
    const uint64_t value = 0x1000 + i;
    ok &= ask(c, fmt::format("write 0x{:x} 0x{:x}", kProbeAddress, value)) == "ok";
    std::string read = ask(c, fmt::format("read 0x{:x}", kProbeAddress));
    ok &= read == fmt::format("0x{:016x}", value);
    std::string identity = ask(c, "identity");
    std::string uuid =
        identity.substr(0, identity.find(' ', 14)).substr(std::min<size_t>(14, identity.size()));
    auto memory = read_process_memory(c.pid(), ram_file);
    std::string memory_text = "?";
    if (memory.ok()) {
      memory_text = fmt::format("{:.2f} MiB / {:.2f} MiB / {:.2f} MiB",
                                static_cast<double>(memory->anonymous_kib) / 1024,
                                static_cast<double>(memory->guest_written_kib) / 1024,
                                static_cast<double>(memory->pss_kib) / 1024);
      private_mib.push_back(static_cast<double>(memory->anonymous_kib - memory->guest_written_kib) /
                            1024);
    }
    std::printf("   %-5zu %8.2f ms   0x%-19llx %-38s %s\n", i + 1, clones[i].first_answer_ms,
                static_cast<unsigned long long>(value), uuid.c_str(), memory_text.c_str());
    latencies.push_back(clones[i].first_answer_ms);
  }
  for (auto& clone : clones) {
    ok &= clone.process.send("exit 0\n").ok();
    ok &= clone.process.wait() == 1;
  }
  auto hash_after = hash_file(ram_file);
  ok &= hash_after.ok() && *hash_after == *hash_before;
  std::sort(latencies.begin(), latencies.end());
  std::printf("\n3. the template's RAM file is %s (xxh3 %016llx)\n",
              hash_after.ok() && *hash_after == *hash_before ? "unchanged" : "CHANGED",
              static_cast<unsigned long long>(*hash_before));
  double mean_private = 0;
  for (double p : private_mib) {
    mean_private += p / static_cast<double>(private_mib.size());
  }
  std::printf(
      "   clone start to first answer: p50 %.2f ms; host memory private to a clone "
      "beyond its guest's writes: %.2f MiB on average\n",
      latencies[latencies.size() / 2], mean_private);
  std::printf("mimeo demo: %s\n", ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}

}  // namespace mimeo::cli
