#include "snapshot/stream_decoder.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstring>

#include "snapshot/byte_reader.h"
#include "snapshot/stream_checksum.h"
#include "snapshot/stream_rules.h"

namespace mimeo::snapshot {
namespace {

constexpr size_t kHeaderSize = 8 + 4 + 8;  // magic, format version, stream length
constexpr size_t kChecksumSize = 8;
constexpr size_t kCpuidEntrySize = 7 * 4;
constexpr size_t kCapabilitySize = 4 + 8;
constexpr size_t kMinBackendSize = 4 + 8 + 8 + 1;  // empty id, gpa, size, storage
constexpr size_t kMinSectionSize = 4 + 4 + 4;      // empty name, version, empty payload
constexpr size_t kMinRamSectionSize = 4 + 8;       // empty id, run count
constexpr size_t kRunHeaderSize = 8 + 8;

// Checks what can be checked before trusting any other byte.
Status check_envelope(std::span<const uint8_t> data) {
  if (data.size() < kStreamMagic.size()) {
    return make_error(fmt::format("only {} bytes, too short for a state stream", data.size()));
  }
  if (!std::equal(kStreamMagic.begin(), kStreamMagic.end(), data.begin())) {
    return make_error(fmt::format("wrong magic number {:02x}: not a mimeo state stream",
                                  fmt::join(data.first(kStreamMagic.size()), " ")));
  }
  ByteReader header(data.subspan(kStreamMagic.size()), kStreamMagic.size());
  MIMEO_ASSIGN_OR_RETURN(uint32_t version, header.u32("format version"));
  if (version != kFormatVersion) {
    return make_error(fmt::format("unsupported format version {} (this mimeo reads version {})",
                                  version, kFormatVersion));
  }
  MIMEO_ASSIGN_OR_RETURN(uint64_t length, header.u64("stream length"));
  if (length != data.size()) {
    return make_error(fmt::format(
        "the header says the stream is {} bytes but it is {} bytes (truncated or extended)", length,
        data.size()));
  }
  if (data.size() < kHeaderSize + kChecksumSize) {
    return make_error(fmt::format("only {} bytes, too short for a state stream", data.size()));
  }
  ByteReader trailer(data.last(kChecksumSize), data.size() - kChecksumSize);
  MIMEO_ASSIGN_OR_RETURN(uint64_t stored, trailer.u64("checksum"));
  uint64_t computed = stream_checksum(data.first(data.size() - kChecksumSize));
  if (stored != computed) {
    return make_error(fmt::format(
        "checksum mismatch: stored 0x{:016x}, computed 0x{:016x} (the stream is corrupt)", stored,
        computed));
  }
  return {};
}

Result<std::string> read_name(ByteReader& r, std::string_view field, bool allow_empty = false) {
  size_t start = r.offset();
  MIMEO_ASSIGN_OR_RETURN(auto text, r.string(field, kMaxNameLength));
  auto ok = check_name(field, text, allow_empty);
  if (!ok.ok()) {
    return make_error(fmt::format("{} (offset {})", ok.error().message, start));
  }
  return text;
}

Result<HostFacts> read_host_facts(ByteReader& r) {
  HostFacts host;
  MIMEO_ASSIGN_OR_RETURN(host.cpu_vendor, read_name(r, "CPU vendor", /*allow_empty=*/true));
  MIMEO_ASSIGN_OR_RETURN(host.tsc_khz, r.u32("TSC frequency"));
  MIMEO_ASSIGN_OR_RETURN(uint32_t entries, r.count("CPUID entry count", kCpuidEntrySize));
  host.cpuid.resize(entries);
  for (uint32_t i = 0; i < entries; ++i) {
    std::string field = fmt::format("CPUID entry {}", i);
    MIMEO_ASSIGN_OR_RETURN(auto raw, r.fixed(kCpuidEntrySize, field));
    ByteReader e(raw);  // cannot fail: exactly the 7 words
    uint32_t* words[] = {&host.cpuid[i].function, &host.cpuid[i].index, &host.cpuid[i].flags,
                         &host.cpuid[i].eax,      &host.cpuid[i].ebx,   &host.cpuid[i].ecx,
                         &host.cpuid[i].edx};
    for (uint32_t* word : words) {
      *word = e.u32(field).value();
    }
  }
  MIMEO_ASSIGN_OR_RETURN(uint32_t caps, r.count("KVM capability count", kCapabilitySize));
  host.kvm_capabilities.resize(caps);
  for (uint32_t i = 0; i < caps; ++i) {
    std::string field = fmt::format("KVM capability {}", i);
    MIMEO_ASSIGN_OR_RETURN(host.kvm_capabilities[i].number, r.u32(field + " number"));
    MIMEO_ASSIGN_OR_RETURN(host.kvm_capabilities[i].value, r.u64(field + " value"));
  }
  return host;
}

Result<MemoryBackendInfo> read_backend(ByteReader& r, uint32_t index) {
  MemoryBackendInfo b;
  MIMEO_ASSIGN_OR_RETURN(b.id, read_name(r, fmt::format("memory backend {} id", index)));
  std::string field = fmt::format("memory backend '{}'", b.id);
  MIMEO_ASSIGN_OR_RETURN(b.gpa, r.u64(field + " guest-physical base"));
  MIMEO_ASSIGN_OR_RETURN(b.size, r.u64(field + " size"));
  size_t storage_offset = r.offset();
  MIMEO_ASSIGN_OR_RETURN(uint8_t storage, r.u8(field + " storage kind"));
  switch (storage) {
    case static_cast<uint8_t>(RamStorage::kInStream): b.storage = RamStorage::kInStream; break;
    case static_cast<uint8_t>(RamStorage::kSharedFile): {
      b.storage = RamStorage::kSharedFile;
      MIMEO_ASSIGN_OR_RETURN(b.file_path, r.string(field + " file path", kMaxPathLength));
      MIMEO_ASSIGN_OR_RETURN(b.fingerprint.file_size, r.u64(field + " file size"));
      MIMEO_ASSIGN_OR_RETURN(b.fingerprint.hash, r.u64(field + " file fingerprint"));
      break;
    }
    default:
      return make_error(fmt::format("{} has unknown storage kind {} (offset {})", field, storage,
                                    storage_offset));
  }
  return b;
}

Result<MemoryLayout> read_memory_layout(ByteReader& r) {
  MemoryLayout layout;
  MIMEO_ASSIGN_OR_RETURN(uint32_t count, r.count("memory backend count", kMinBackendSize));
  for (uint32_t i = 0; i < count; ++i) {
    MIMEO_ASSIGN_OR_RETURN(auto backend, read_backend(r, i));
    layout.backends.push_back(std::move(backend));
  }
  MIMEO_TRY(check_memory_layout(layout));
  return layout;
}

Result<std::vector<Section>> read_sections(ByteReader& r) {
  std::vector<Section> sections;
  MIMEO_ASSIGN_OR_RETURN(uint32_t count, r.count("section count", kMinSectionSize));
  for (uint32_t i = 0; i < count; ++i) {
    Section s;
    size_t start = r.offset();
    MIMEO_ASSIGN_OR_RETURN(s.name, read_name(r, fmt::format("section {} name", i)));
    std::string field = fmt::format("section '{}'", s.name);
    for (const auto& earlier : sections) {
      if (earlier.name == s.name) {
        return make_error(fmt::format("{} appears twice (offset {})", field, start));
      }
    }
    MIMEO_ASSIGN_OR_RETURN(s.version, r.u32(field + " version"));
    MIMEO_ASSIGN_OR_RETURN(auto payload, r.bytes(field, kMaxSectionPayload));
    s.payload.assign(payload.begin(), payload.end());
    sections.push_back(std::move(s));
  }
  return sections;
}

Result<DecodedRam> read_ram(ByteReader& r, const MemoryBackendInfo& backend, uint32_t index) {
  DecodedRam ram;
  size_t start = r.offset();
  MIMEO_ASSIGN_OR_RETURN(ram.backend_id, read_name(r, fmt::format("RAM section {} id", index)));
  if (ram.backend_id != backend.id) {
    return make_error(fmt::format(
        "RAM section {} is for '{}' but the memory layout's next in-stream backend is '{}' "
        "(offset {})",
        index, ram.backend_id, backend.id, start));
  }
  ram.size = backend.size;
  std::string field = fmt::format("RAM section '{}'", ram.backend_id);
  uint64_t pages = backend.size / kPageSize;
  MIMEO_ASSIGN_OR_RETURN(uint64_t runs, r.count64(field + " run count", kRunHeaderSize));
  uint64_t next_free_page = 0;
  for (uint64_t i = 0; i < runs; ++i) {
    size_t run_offset = r.offset();
    std::string run_field = fmt::format("{} run {}", field, i);
    MIMEO_ASSIGN_OR_RETURN(uint64_t first, r.u64(run_field + " first page"));
    MIMEO_ASSIGN_OR_RETURN(uint64_t count, r.u64(run_field + " page count"));
    if (count == 0 || first > pages || count > pages - first) {
      return make_error(
          fmt::format("{} of {} pages at page {} lies outside the backend's {} pages (offset {})",
                      run_field, count, first, pages, run_offset));
    }
    if (first < next_free_page) {
      return make_error(
          fmt::format("{} at page {} overlaps or precedes the previous run, which ended at page {} "
                      "(offset {})",
                      run_field, first, next_free_page, run_offset));
    }
    // count <= pages <= 2^40, so the byte count fits in 64 bits.
    MIMEO_ASSIGN_OR_RETURN(auto data, r.fixed(count * kPageSize, run_field + " pages"));
    ram.runs.push_back({first, count, data});
    next_free_page = first + count;
  }
  return ram;
}

Result<DecodedStream> decode_body(std::span<const uint8_t> data) {
  MIMEO_TRY(check_envelope(data));
  DecodedStream out;
  out.format_version = kFormatVersion;
  ByteReader r(data.subspan(kHeaderSize, data.size() - kHeaderSize - kChecksumSize), kHeaderSize);
  MIMEO_ASSIGN_OR_RETURN(out.program_version,
                         read_name(r, "program version", /*allow_empty=*/true));
  MIMEO_ASSIGN_OR_RETURN(out.host, read_host_facts(r));
  MIMEO_ASSIGN_OR_RETURN(out.layout, read_memory_layout(r));
  MIMEO_ASSIGN_OR_RETURN(out.sections, read_sections(r));

  std::vector<const MemoryBackendInfo*> in_stream;
  for (const auto& b : out.layout.backends) {
    if (b.storage == RamStorage::kInStream) {
      in_stream.push_back(&b);
    }
  }
  size_t count_offset = r.offset();
  MIMEO_ASSIGN_OR_RETURN(uint32_t ram_count, r.count("RAM section count", kMinRamSectionSize));
  if (ram_count != in_stream.size()) {
    return make_error(fmt::format(
        "{} RAM sections but the memory layout has {} backends stored in the stream (offset {})",
        ram_count, in_stream.size(), count_offset));
  }
  for (uint32_t i = 0; i < ram_count; ++i) {
    MIMEO_ASSIGN_OR_RETURN(auto ram, read_ram(r, *in_stream[i], i));
    out.ram.push_back(std::move(ram));
  }
  if (!r.at_end()) {
    return make_error(fmt::format("{} unexpected bytes after the last RAM section (offset {})",
                                  r.remaining(), r.offset()));
  }
  return out;
}

}  // namespace

Result<DecodedStream> decode(std::span<const uint8_t> data) {
  auto decoded = decode_body(data);
  if (!decoded.ok()) {
    return decoded.error().context("state stream");
  }
  return decoded;
}

}  // namespace mimeo::snapshot
