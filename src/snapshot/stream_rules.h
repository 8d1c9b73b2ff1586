// The rules a state stream's contents obey, checked by the encoder before writing and
// by the decoder after reading, so that whatever one accepts the other does too.
#pragma once

#include <cstddef>
#include <string_view>

#include "base/result.h"
#include "snapshot/stream_types.h"

namespace mimeo::snapshot {

inline constexpr size_t kMaxNameLength = 256;   // ids, section names, vendor, version
inline constexpr size_t kMaxPathLength = 4096;  // PATH_MAX
inline constexpr size_t kMaxSectionPayload = 256u << 20;
// x86-64 guest-physical addresses have at most 52 bits.
inline constexpr uint64_t kGuestPhysicalLimit = uint64_t{1} << 52;

// Printable ASCII only (0x20..0x7e), so names are safe to print in messages;
// `what` names the field in the error. Empty is refused when `allow_empty` is false.
Status check_name(std::string_view what, std::string_view text, bool allow_empty = false);
// Non-empty, no NUL byte.
Status check_path(std::string_view what, std::string_view path);

Status check_host_facts(const HostFacts& host);
// Unique non-empty ids; 0 < size, gpa + size <= 2^52; kInStream sizes are whole
// 4 KiB pages and carry no file; kSharedFile entries name a file.
Status check_memory_layout(const MemoryLayout& layout);
// Unique valid names, payloads within kMaxSectionPayload.
Status check_sections(const std::vector<Section>& sections);

}  // namespace mimeo::snapshot
