#include "snapshot/stream_types.h"

namespace mimeo::snapshot {

const Section* DecodedStream::find_section(std::string_view name) const {
  for (const auto& section : sections) {
    if (section.name == name) {
      return &section;
    }
  }
  return nullptr;
}

const DecodedRam* DecodedStream::find_ram(std::string_view backend_id) const {
  for (const auto& r : ram) {
    if (r.backend_id == backend_id) {
      return &r;
    }
  }
  return nullptr;
}

}  // namespace mimeo::snapshot
