// The options of one QEMU memory backend (-object memory-backend-ram|file|memfd,...),
// validated with QEMU's rules before anything is opened, created or mapped, and the
// kernel flags they translate to. See docs/memory.md for every rule and its QEMU source.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/keyval.h"
#include "base/result.h"

namespace mimeo::memory {

enum class BackendType { kRam, kFile, kMemfd };
// QEMU's OnOffAuto, used by memory-backend-file's rom=.
enum class OnOffAuto { kAuto, kOn, kOff };

// "memory-backend-ram", "memory-backend-file" or "memory-backend-memfd".
[[nodiscard]] std::string_view qom_type_name(BackendType type);

class BackendOptions {
 public:
  // `kv` comes from KeyValues::parse(text, "-object", "qom-type").
  static Result<BackendOptions> from_keyvalues(const KeyValues& kv);
  // The RAM QEMU creates when -m is given without -machine memory-backend=
  // (create_default_memdev(): a memory-backend-ram named after the machine's
  // default_ram_id, "pc.ram" on x86). Applies the same rules as from_keyvalues.
  static Result<BackendOptions> implicit_ram(uint64_t size, std::string id = "pc.ram");

  [[nodiscard]] BackendType type() const { return type_; }
  [[nodiscard]] std::string_view qom_type() const { return qom_type_name(type_); }
  [[nodiscard]] const std::string& id() const { return id_; }
  [[nodiscard]] uint64_t size() const { return size_; }

  // Common to all three types.
  [[nodiscard]] bool share() const { return share_; }
  [[nodiscard]] bool prealloc() const { return prealloc_; }
  [[nodiscard]] bool merge() const { return merge_; }
  [[nodiscard]] bool dump() const { return dump_; }
  [[nodiscard]] bool reserve() const { return reserve_; }

  // memory-backend-file only (defaults elsewhere).
  [[nodiscard]] const std::string& mem_path() const { return mem_path_; }
  [[nodiscard]] bool readonly() const { return readonly_; }
  [[nodiscard]] OnOffAuto rom() const { return rom_; }  // as given; see guest_readonly()
  [[nodiscard]] bool discard_data() const { return discard_data_; }
  [[nodiscard]] uint64_t align() const { return align_; }  // 0: the page size
  [[nodiscard]] uint64_t offset() const { return offset_; }

  // memory-backend-memfd only (defaults elsewhere).
  [[nodiscard]] bool hugetlb() const { return hugetlb_; }
  [[nodiscard]] uint64_t hugetlbsize() const { return hugetlbsize_; }  // 0: the default size
  [[nodiscard]] bool seal() const { return seal_; }

  // The page size of the memory: the huge page size for hugetlb memfd or a file on
  // hugetlbfs, else the host page size. size and offset are multiples of it.
  [[nodiscard]] uint64_t page_size() const { return page_size_; }
  // Alignment of the host address: align= (or the page size) for file and memfd,
  // 2 MiB for ram like QEMU's QEMU_VMALLOC_ALIGN so transparent huge pages fit.
  // A private file mapping without align= is placed one page past the file's 2 MiB
  // alignment instead (host_skew()), so that a read fault never maps a whole 2 MiB
  // folio of the file's page cache: see backend_rules.cc.
  [[nodiscard]] uint64_t host_alignment() const { return host_alignment_; }
  // The host address modulo host_alignment(): 0 but for that private file mapping.
  [[nodiscard]] uint64_t host_skew() const { return host_skew_; }

  // rom resolved: rom=on, or rom=auto with readonly=on. The guest then sees
  // read-only memory and the host maps it PROT_READ.
  [[nodiscard]] bool guest_readonly() const;
  // open(2) flags for mem-path: O_RDONLY with readonly=on (never creates), else
  // O_RDWR|O_CREAT; always O_CLOEXEC. -1 for the types without a path.
  [[nodiscard]] int open_flags() const;
  // PROT_READ|PROT_WRITE, or PROT_READ when guest_readonly(). readonly=on,rom=off
  // (only valid with share=off) is writable: writes go to private copy-on-write pages.
  [[nodiscard]] int mmap_prot() const;
  // MAP_SHARED or MAP_PRIVATE, | MAP_NORESERVE for reserve=off, | MAP_ANONYMOUS for ram.
  [[nodiscard]] int mmap_flags() const;
  // memfd_create(2) flags: MFD_CLOEXEC | MFD_ALLOW_SEALING (seal=on) | MFD_HUGETLB and
  // the page size encoding (hugetlb=on). 0 for the other types.
  [[nodiscard]] unsigned memfd_flags() const;
  // F_SEAL_GROW|F_SEAL_SHRINK|F_SEAL_SEAL for memfd with seal=on, else 0.
  [[nodiscard]] unsigned memfd_seals() const;

 private:
  friend class BackendOptionsParser;
  BackendOptions() = default;

  BackendType type_ = BackendType::kRam;
  std::string id_;
  uint64_t size_ = 0;
  bool share_ = false;
  bool prealloc_ = false;
  bool merge_ = true;
  bool dump_ = true;
  bool reserve_ = true;
  std::string mem_path_;
  bool readonly_ = false;
  OnOffAuto rom_ = OnOffAuto::kAuto;
  bool discard_data_ = false;
  uint64_t align_ = 0;
  uint64_t offset_ = 0;
  bool hugetlb_ = false;
  uint64_t hugetlbsize_ = 0;
  bool seal_ = true;
  uint64_t page_size_ = 0;
  uint64_t host_alignment_ = 0;
  uint64_t host_skew_ = 0;
};

}  // namespace mimeo::memory
