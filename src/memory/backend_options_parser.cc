#include "memory/backend_options_parser.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>
#include <vector>

namespace mimeo::memory {

namespace {

constexpr std::string_view kRamType = "memory-backend-ram";
constexpr std::string_view kFileType = "memory-backend-file";
constexpr std::string_view kMemfdType = "memory-backend-memfd";

// The properties of QEMU's abstract memory-backend (backends/hostmem.c) that mimeo
// implements, then each type's own.
const std::vector<std::string_view> kCommonKeys = {"qom-type", "id",    "size", "share",
                                                   "prealloc", "merge", "dump", "reserve"};
const std::vector<std::string_view> kFileKeys = {"mem-path",     "readonly", "rom",
                                                 "discard-data", "align",    "offset"};
const std::vector<std::string_view> kMemfdKeys = {"hugetlb", "hugetlbsize", "seal"};

// Typed reads with the wording of QEMU's keyval input visitor.
class Reader {
 public:
  Reader(const KeyValues& kv, const std::string& id) : kv_(kv), id_(id) {}

  Status read_bool(std::string_view key, bool& out) const {
    auto text = kv_.get(key);
    if (!text) {
      return {};
    }
    auto value = parse_bool(*text);
    if (!value) {
      return backend_error(id_, "Parameter '" + std::string(key) + "' expects 'on' or 'off'");
    }
    out = *value;
    return {};
  }

  Status read_size(std::string_view key, uint64_t& out, bool* given = nullptr) const {
    auto text = kv_.get(key);
    if (!text) {
      return {};
    }
    auto value = parse_size(*text);
    if (!value) {
      return backend_error(id_, "Parameter '" + std::string(key) + "' expects size");
    }
    out = *value;
    if (given != nullptr) {
      *given = true;
    }
    return {};
  }

  Status read_on_off_auto(std::string_view key, OnOffAuto& out) const {
    auto text = kv_.get(key);
    if (!text) {
      return {};
    }
    if (*text == "on") {
      out = OnOffAuto::kOn;
    } else if (*text == "off") {
      out = OnOffAuto::kOff;
    } else if (*text == "auto") {
      out = OnOffAuto::kAuto;
    } else {
      return backend_error(
          id_, "Parameter '" + std::string(key) + "' does not accept value '" + *text + "'");
    }
    return {};
  }

 private:
  const KeyValues& kv_;
  const std::string& id_;
};

}  // namespace

Error backend_error(const std::string& id, const std::string& message) {
  return make_error(id + ": " + message);
}

std::string_view qom_type_name(BackendType type) {
  switch (type) {
    case BackendType::kRam: return kRamType;
    case BackendType::kFile: return kFileType;
    case BackendType::kMemfd: return kMemfdType;
  }
  return kRamType;
}

BackendOptions BackendOptionsParser::ram(std::string id, uint64_t size) {
  BackendOptions o;
  o.type_ = BackendType::kRam;
  o.id_ = std::move(id);
  o.size_ = size;
  return o;
}

Result<BackendOptions> BackendOptionsParser::read(const KeyValues& kv, GivenKeys& given) {
  const std::string& option = kv.option();
  auto qom_type = kv.get("qom-type");
  if (!qom_type) {
    return make_error(option + ": Parameter 'qom-type' is missing");
  }
  BackendOptions o;
  const std::vector<std::string_view>* own_keys = nullptr;
  if (*qom_type == kRamType) {
    o.type_ = BackendType::kRam;
  } else if (*qom_type == kFileType) {
    o.type_ = BackendType::kFile;
    own_keys = &kFileKeys;
  } else if (*qom_type == kMemfdType) {
    o.type_ = BackendType::kMemfd;
    own_keys = &kMemfdKeys;
    o.share_ = true;  // memfd_backend_instance_init(): shared and sealed by default
    o.seal_ = true;
  } else {
    return make_error(option + ": invalid object type: " + *qom_type);
  }

  auto id = kv.get("id");
  if (!id) {
    return make_error(option + " " + *qom_type + ": Parameter 'id' is missing");
  }
  if (!is_qemu_id(*id)) {
    return make_error(option + " " + *qom_type + ": Parameter 'id' expects an identifier");
  }
  o.id_ = *id;

  for (const auto& [key, value] : kv.pairs()) {
    bool known = std::find(kCommonKeys.begin(), kCommonKeys.end(), key) != kCommonKeys.end() ||
                 (own_keys != nullptr &&
                  std::find(own_keys->begin(), own_keys->end(), key) != own_keys->end());
    if (!known) {
      return backend_error(o.id_, "Property '" + *qom_type + "." + key + "' not found");
    }
  }

  Reader r(kv, o.id_);
  MIMEO_TRY(r.read_size("size", o.size_, &given.size));
  MIMEO_TRY(r.read_bool("share", o.share_));
  MIMEO_TRY(r.read_bool("prealloc", o.prealloc_));
  MIMEO_TRY(r.read_bool("merge", o.merge_));
  MIMEO_TRY(r.read_bool("dump", o.dump_));
  MIMEO_TRY(r.read_bool("reserve", o.reserve_));
  if (o.type_ == BackendType::kFile) {
    auto path = kv.get("mem-path");
    if (path) {
      o.mem_path_ = *path;
    }
    MIMEO_TRY(r.read_bool("readonly", o.readonly_));
    MIMEO_TRY(r.read_on_off_auto("rom", o.rom_));
    MIMEO_TRY(r.read_bool("discard-data", o.discard_data_));
    MIMEO_TRY(r.read_size("align", o.align_));
    MIMEO_TRY(r.read_size("offset", o.offset_));
  }
  if (o.type_ == BackendType::kMemfd) {
    MIMEO_TRY(r.read_bool("hugetlb", o.hugetlb_));
    MIMEO_TRY(r.read_size("hugetlbsize", o.hugetlbsize_, &given.hugetlbsize));
    MIMEO_TRY(r.read_bool("seal", o.seal_));
  }
  return o;
}

}  // namespace mimeo::memory
