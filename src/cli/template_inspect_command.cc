#include <fmt/format.h>

#include <cstdio>

#include "cli/template_commands.h"
#include "cli/template_dir.h"
#include "snapshot/file_fingerprint.h"
#include "snapshot/size_text.h"
#include "snapshot/stream_file.h"

namespace mimeo::cli {

namespace {

std::string join(const std::vector<std::string>& args) {
  std::string text;
  for (const auto& a : args) {
    text += (text.empty() ? "" : " ") + (a.find(' ') == std::string::npos ? a : "'" + a + "'");
  }
  return text;
}

}  // namespace

// Prints what a template holds and checks it: metadata, state stream (decoded
// and checksummed), and each RAM file against the fingerprint in the stream.
int template_inspect_command(const std::string& dir) {
  auto info = read_template_info(dir);
  if (!info.ok()) {
    std::fprintf(stderr, "mimeo template inspect: %s\n", info.error().describe().c_str());
    return 1;
  }
  std::printf("template   %s\n", dir.c_str());
  std::printf("created    %s by mimeo %s\n", info->created.c_str(), info->mimeo_version.c_str());
  std::printf("ready      %s\n", info->ready.c_str());
  std::printf("options    %s\n", join(info->run_options).c_str());
  std::printf("clone      mimeo run %s -incoming file:%s/%s\n",
              join(clone_options_for(*info, dir)).c_str(), dir.c_str(), kTemplateState);
  auto stream = snapshot::read_stream_file(dir + "/" + kTemplateState);
  if (!stream.ok()) {
    std::fprintf(stderr, "mimeo template inspect: %s\n", stream.error().describe().c_str());
    return 1;
  }
  const auto& s = stream->stream();
  std::printf("state      format %u, written by mimeo %s, %s\n", s.format_version,
              s.program_version.c_str(), snapshot::describe_size(info->state_bytes).c_str());
  std::printf("host       %s, TSC %u kHz, %zu CPUID entries\n", s.host.cpu_vendor.c_str(),
              s.host.tsc_khz, s.host.cpuid.size());
  bool ok = true;
  for (const auto& b : s.layout.backends) {
    std::string where = "in the state stream";
    if (b.storage == snapshot::RamStorage::kSharedFile) {
      std::string file;
      for (const auto& ram : info->memory) {
        if (ram.id == b.id) {
          file = dir + "/" + ram.file;
        }
      }
      auto same = file.empty() ? Status(make_error("no file for it in template.json"))
                               : snapshot::check_file_fingerprint(file, b.fingerprint);
      where = same.ok() ? "file " + file + " (fingerprint matches)"
                        : "MISMATCH: " + same.error().describe();
      ok &= same.ok();
    }
    std::printf("memory     %-10s gpa 0x%-10llx %-10s %s\n", b.id.c_str(),
                static_cast<unsigned long long>(b.gpa), snapshot::describe_size(b.size).c_str(),
                where.c_str());
  }
  for (const auto& section : s.sections) {
    std::printf("section    %-10s v%u, %zu bytes\n", section.name.c_str(), section.version,
                section.payload.size());
  }
  if (!ok) {
    std::fflush(stdout);
    std::fprintf(stderr,
                 "mimeo template inspect: %s: a RAM file does not match the state stream "
                 "(MISMATCH above); clones of it would be refused\n",
                 dir.c_str());
  }
  return ok ? 0 : 1;
}

}  // namespace mimeo::cli
