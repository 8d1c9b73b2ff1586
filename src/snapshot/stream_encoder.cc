#include "snapshot/stream_encoder.h"

#include <fmt/format.h>

#include "snapshot/byte_writer.h"
#include "snapshot/ram_runs.h"
#include "snapshot/stream_checksum.h"
#include "snapshot/stream_rules.h"

namespace mimeo::snapshot {
namespace {

constexpr uint64_t kHeaderSize = 8 + 4 + 8;  // magic, format version, stream length
constexpr uint64_t kRunHeaderSize = 16;      // first page, page count

// Feeds every byte to the checksum on its way to the sink.
class HashingSink {
 public:
  explicit HashingSink(ByteSink& sink) : sink_(sink) {}
  Status write(std::span<const uint8_t> data) {
    hasher_.update(data);
    return sink_.write(data);
  }
  [[nodiscard]] uint64_t digest() const { return hasher_.digest(); }

 private:
  ByteSink& sink_;
  StreamHasher hasher_;
};

struct RamPlan {
  const MemoryBackendInfo* backend;
  std::span<const uint8_t> memory;
  std::vector<PageRun> runs;
  std::vector<uint8_t> header;  // backend id and run count, encoded

  [[nodiscard]] uint64_t encoded_size() const {
    uint64_t size = header.size();
    for (const auto& run : runs) {
      size += kRunHeaderSize + run.page_count * kPageSize;
    }
    return size;
  }
};

void put_host_facts(ByteWriter& w, const HostFacts& host) {
  w.string(host.cpu_vendor);
  w.u32(host.tsc_khz);
  w.u32(static_cast<uint32_t>(host.cpuid.size()));
  for (const auto& e : host.cpuid) {
    for (uint32_t v : {e.function, e.index, e.flags, e.eax, e.ebx, e.ecx, e.edx}) {
      w.u32(v);
    }
  }
  w.u32(static_cast<uint32_t>(host.kvm_capabilities.size()));
  for (const auto& cap : host.kvm_capabilities) {
    w.u32(cap.number);
    w.u64(cap.value);
  }
}

void put_memory_layout(ByteWriter& w, const MemoryLayout& layout) {
  w.u32(static_cast<uint32_t>(layout.backends.size()));
  for (const auto& b : layout.backends) {
    w.string(b.id);
    w.u64(b.gpa);
    w.u64(b.size);
    w.u8(static_cast<uint8_t>(b.storage));
    if (b.storage == RamStorage::kSharedFile) {
      w.string(b.file_path);
      w.u64(b.fingerprint.file_size);
      w.u64(b.fingerprint.hash);
    }
  }
}

void put_sections(ByteWriter& w, const std::vector<Section>& sections) {
  w.u32(static_cast<uint32_t>(sections.size()));
  for (const auto& s : sections) {
    w.string(s.name);
    w.u32(s.version);
    w.bytes(s.payload);
  }
}

Status check_contents(const StateStream& stream) {
  MIMEO_TRY(check_name("program version", stream.program_version, /*allow_empty=*/true));
  MIMEO_TRY(check_host_facts(stream.host));
  if (stream.host.cpuid.size() > UINT32_MAX || stream.host.kvm_capabilities.size() > UINT32_MAX ||
      stream.layout.backends.size() > UINT32_MAX || stream.sections.size() > UINT32_MAX) {
    return make_error("more than 2^32 entries in a list");
  }
  MIMEO_TRY(check_memory_layout(stream.layout));
  MIMEO_TRY(check_sections(stream.sections));
  for (const auto& source : stream.ram) {
    const MemoryBackendInfo* backend = nullptr;
    for (const auto& b : stream.layout.backends) {
      if (b.id == source.backend_id) {
        backend = &b;
      }
    }
    if (backend == nullptr || backend->storage != RamStorage::kInStream) {
      return make_error(
          fmt::format("RAM given for '{}', which is not a memory backend stored in the stream",
                      source.backend_id));
    }
  }
  return {};
}

// One plan per kInStream backend, in layout order.
Result<std::vector<RamPlan>> plan_ram(const StateStream& stream) {
  std::vector<RamPlan> plans;
  for (const auto& b : stream.layout.backends) {
    if (b.storage != RamStorage::kInStream) {
      continue;
    }
    const RamSource* source = nullptr;
    for (const auto& s : stream.ram) {
      if (s.backend_id == b.id) {
        if (source != nullptr) {
          return make_error(fmt::format("RAM given twice for memory backend '{}'", b.id));
        }
        source = &s;
      }
    }
    if (source == nullptr) {
      return make_error(fmt::format("no RAM given for memory backend '{}'", b.id));
    }
    if (source->memory.size() != b.size) {
      return make_error(
          fmt::format("memory backend '{}' has size {} but {} bytes of RAM were given", b.id,
                      b.size, source->memory.size()));
    }
    RamPlan plan{&b, source->memory, find_nonzero_runs(source->memory), {}};
    ByteWriter header;
    header.string(b.id);
    header.u64(plan.runs.size());
    plan.header = header.take();
    plans.push_back(std::move(plan));
  }
  return plans;
}

Status write_ram(const RamPlan& plan, HashingSink& out) {
  MIMEO_TRY(out.write(plan.header));
  for (const auto& run : plan.runs) {
    ByteWriter w;
    w.u64(run.first_page);
    w.u64(run.page_count);
    MIMEO_TRY(out.write(w.data()));
    MIMEO_TRY(
        out.write(plan.memory.subspan(run.first_page * kPageSize, run.page_count * kPageSize)));
  }
  return {};
}

}  // namespace

Status write_stream(const StateStream& stream, ByteSink& sink) {
  MIMEO_TRY(check_contents(stream));
  ByteWriter metadata;
  metadata.string(stream.program_version);
  put_host_facts(metadata, stream.host);
  put_memory_layout(metadata, stream.layout);
  put_sections(metadata, stream.sections);
  MIMEO_ASSIGN_OR_RETURN(auto ram, plan_ram(stream));
  metadata.u32(static_cast<uint32_t>(ram.size()));

  uint64_t length = kHeaderSize + metadata.size() + sizeof(uint64_t);
  for (const auto& plan : ram) {
    length += plan.encoded_size();
  }
  ByteWriter header;
  header.raw(kStreamMagic);
  header.u32(kFormatVersion);
  header.u64(length);

  HashingSink out(sink);
  MIMEO_TRY(out.write(header.data()));
  MIMEO_TRY(out.write(metadata.data()));
  for (const auto& plan : ram) {
    MIMEO_TRY(write_ram(plan, out));
  }
  ByteWriter checksum;
  checksum.u64(out.digest());
  return sink.write(checksum.data());
}

Result<std::vector<uint8_t>> encode(const StateStream& stream) {
  VectorSink sink;
  MIMEO_TRY(write_stream(stream, sink));
  return sink.take();
}

}  // namespace mimeo::snapshot
