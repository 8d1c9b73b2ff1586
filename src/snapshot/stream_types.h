// The contents of a state stream: everything a clone needs besides the RAM files it
// maps (docs/state-stream.md has the byte layout). Plain structs; the encoder and
// decoder validate them.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace mimeo::snapshot {

inline constexpr std::array<uint8_t, 8> kStreamMagic = {'M', 'I', 'M', 'E', 'O', 'V', 'M', 0};
// The format's own version, independent of the program's; bumped on any layout change.
inline constexpr uint32_t kFormatVersion = 1;
inline constexpr uint64_t kPageSize = 4096;

// One CPUID entry as KVM_SET_CPUID2 takes it (struct kvm_cpuid_entry2 without padding).
struct CpuidEntry {
  uint32_t function = 0;
  uint32_t index = 0;
  uint32_t flags = 0;
  uint32_t eax = 0;
  uint32_t ebx = 0;
  uint32_t ecx = 0;
  uint32_t edx = 0;

  bool operator==(const CpuidEntry&) const = default;
};

// A KVM capability the VMM relied on and the value KVM_CHECK_EXTENSION gave.
struct KvmCapability {
  uint32_t number = 0;
  uint64_t value = 0;

  bool operator==(const KvmCapability&) const = default;
};

// What a restore depends on from the host it runs on.
struct HostFacts {
  std::string cpu_vendor;         // "GenuineIntel", "AuthenticAMD", ...
  std::vector<CpuidEntry> cpuid;  // the entries the guest saw
  uint32_t tsc_khz = 0;
  std::vector<KvmCapability> kvm_capabilities;

  bool operator==(const HostFacts&) const = default;
};

// Identifies a RAM file's content without reading all of it (file_fingerprint.h).
struct FileFingerprint {
  uint64_t file_size = 0;
  uint64_t hash = 0;  // xxh3-64 over the size and sampled ranges

  bool operator==(const FileFingerprint&) const = default;
};

enum class RamStorage : uint8_t {
  kInStream = 0,    // its pages follow in a RAM section
  kSharedFile = 1,  // left in the template's file (x-ignore-shared); clones map it
};

struct MemoryBackendInfo {
  std::string id;    // "pc.ram", "mem0", ...
  uint64_t gpa = 0;  // guest-physical base of its first byte
  uint64_t size = 0;
  RamStorage storage = RamStorage::kInStream;
  // For kSharedFile only (empty/zero otherwise).
  std::string file_path;
  FileFingerprint fingerprint;

  bool operator==(const MemoryBackendInfo&) const = default;
};

struct MemoryLayout {
  std::vector<MemoryBackendInfo> backends;

  bool operator==(const MemoryLayout&) const = default;
};

// One component's state (vm, vcpu0, serial0, ...), versioned by the component.
struct Section {
  std::string name;
  uint32_t version = 0;
  std::vector<uint8_t> payload;

  bool operator==(const Section&) const = default;
};

// What to encode for an in-stream backend: its whole memory, read in place (the
// guest mapping), so RAM is never copied into the stream buffer first.
struct RamSource {
  std::string backend_id;
  std::span<const uint8_t> memory;  // the backend's `size` bytes
};

// What the encoder writes.
struct StateStream {
  std::string program_version;
  HostFacts host;
  MemoryLayout layout;
  std::vector<Section> sections;
  std::vector<RamSource> ram;  // one per kInStream backend, any order
};

// A run of consecutive non-zero pages of a decoded RAM section; `data` points into
// the decoded input and holds page_count * kPageSize bytes.
struct RamRun {
  uint64_t first_page = 0;
  uint64_t page_count = 0;
  std::span<const uint8_t> data;
};

struct DecodedRam {
  std::string backend_id;
  uint64_t size = 0;
  std::vector<RamRun> runs;
};

// What the decoder returns. Section payloads are copies; RAM runs point into the
// decoded bytes, which must outlive this.
struct DecodedStream {
  uint32_t format_version = 0;
  std::string program_version;
  HostFacts host;
  MemoryLayout layout;
  std::vector<Section> sections;
  std::vector<DecodedRam> ram;  // in layout order of the kInStream backends

  // nullptr when absent.
  [[nodiscard]] const Section* find_section(std::string_view name) const;
  [[nodiscard]] const DecodedRam* find_ram(std::string_view backend_id) const;
};

}  // namespace mimeo::snapshot
