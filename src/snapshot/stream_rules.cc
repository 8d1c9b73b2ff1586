#include "snapshot/stream_rules.h"

#include <fmt/format.h>

#include <set>
#include <string>

namespace mimeo::snapshot {

Status check_name(std::string_view what, std::string_view text, bool allow_empty) {
  if (text.empty() && !allow_empty) {
    return make_error(fmt::format("{} is empty", what));
  }
  if (text.size() > kMaxNameLength) {
    return make_error(
        fmt::format("{} is {} bytes long, the limit is {}", what, text.size(), kMaxNameLength));
  }
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c > 0x7e) {
      return make_error(
          fmt::format("{} has a non-printable byte 0x{:02x} at position {}", what, c, i));
    }
  }
  return {};
}

Status check_path(std::string_view what, std::string_view path) {
  if (path.empty()) {
    return make_error(fmt::format("{} is empty", what));
  }
  if (path.size() > kMaxPathLength) {
    return make_error(
        fmt::format("{} is {} bytes long, the limit is {}", what, path.size(), kMaxPathLength));
  }
  if (path.find('\0') != std::string_view::npos) {
    return make_error(fmt::format("{} contains a NUL byte", what));
  }
  return {};
}

Status check_host_facts(const HostFacts& host) {
  return check_name("CPU vendor", host.cpu_vendor, /*allow_empty=*/true);
}

Status check_memory_layout(const MemoryLayout& layout) {
  std::set<std::string, std::less<>> ids;
  for (const auto& b : layout.backends) {
    MIMEO_TRY(check_name("memory backend id", b.id));
    if (!ids.insert(b.id).second) {
      return make_error(fmt::format("memory backend '{}' appears twice", b.id));
    }
    if (b.size == 0) {
      return make_error(fmt::format("memory backend '{}' has size 0", b.id));
    }
    if (b.gpa > kGuestPhysicalLimit || b.size > kGuestPhysicalLimit - b.gpa) {
      return make_error(fmt::format(
          "memory backend '{}' at 0x{:x} with size 0x{:x} ends beyond guest-physical 2^52", b.id,
          b.gpa, b.size));
    }
    switch (b.storage) {
      case RamStorage::kInStream:
        if (b.size % kPageSize != 0) {
          return make_error(fmt::format(
              "memory backend '{}' size 0x{:x} is not a multiple of 4 KiB", b.id, b.size));
        }
        if (!b.file_path.empty() || b.fingerprint != FileFingerprint{}) {
          return make_error(
              fmt::format("memory backend '{}' is stored in the stream but names a file", b.id));
        }
        break;
      case RamStorage::kSharedFile:
        MIMEO_TRY(check_path(fmt::format("memory backend '{}' file path", b.id), b.file_path));
        break;
      default:
        return make_error(fmt::format("memory backend '{}' has unknown storage kind {}", b.id,
                                      static_cast<unsigned>(b.storage)));
    }
  }
  return {};
}

Status check_sections(const std::vector<Section>& sections) {
  std::set<std::string, std::less<>> names;
  for (const auto& s : sections) {
    MIMEO_TRY(check_name("section name", s.name));
    if (!names.insert(s.name).second) {
      return make_error(fmt::format("section '{}' appears twice", s.name));
    }
    if (s.payload.size() > kMaxSectionPayload) {
      return make_error(fmt::format("section '{}' payload is {} bytes, the limit is {}", s.name,
                                    s.payload.size(), kMaxSectionPayload));
    }
  }
  return {};
}

}  // namespace mimeo::snapshot
