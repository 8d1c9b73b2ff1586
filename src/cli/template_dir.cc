#include "cli/template_dir.h"

#include <nlohmann/json.hpp>

#include "base/keyval.h"
#include "base/read_file.h"

namespace mimeo::cli {

namespace {

using nlohmann::json;

constexpr std::string_view kPlaceholder = "{template}";

}  // namespace

std::string to_json(const TemplateInfo& info) {
  json memory = json::array();
  for (const auto& ram : info.memory) {
    memory.push_back({{"id", ram.id}, {"size", ram.size}, {"file", ram.file}});
  }
  json doc = {{"mimeo_template", kTemplateFormat},
              {"mimeo_version", info.mimeo_version},
              {"created", info.created},
              {"ready", info.ready},
              {"run_options", info.run_options},
              {"clone_options", info.clone_options},
              {"memory", memory},
              {"state", kTemplateState},
              {"state_bytes", info.state_bytes}};
  return doc.dump(2) + "\n";
}

Result<TemplateInfo> read_template_info(const std::string& dir) {
  const std::string path = dir + "/" + kTemplateMetadata;
  auto bytes = read_whole_file(path);
  if (!bytes.ok()) {
    return make_error(dir + " is not a mimeo template (" + bytes.error().describe() + ")");
  }
  json doc = json::parse(bytes->begin(), bytes->end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return make_error(path + ": not a JSON object");
  }
  auto bad = [&](const std::string& what) { return make_error(path + ": " + what); };
  if (!doc.contains("mimeo_template") || !doc["mimeo_template"].is_number_integer()) {
    return bad("no \"mimeo_template\" format number");
  }
  if (doc["mimeo_template"].get<int64_t>() != kTemplateFormat) {
    return bad("template format " + doc["mimeo_template"].dump() + ", this mimeo reads " +
               std::to_string(kTemplateFormat));
  }
  TemplateInfo info;
  auto get_string = [&](const char* key, std::string& out) -> Status {
    if (!doc.contains(key) || !doc[key].is_string()) {
      return bad(std::string("\"") + key + "\" must be a string");
    }
    out = doc[key].get<std::string>();
    return {};
  };
  auto get_strings = [&](const char* key, std::vector<std::string>& out) -> Status {
    if (!doc.contains(key) || !doc[key].is_array()) {
      return bad(std::string("\"") + key + "\" must be an array of strings");
    }
    for (const auto& item : doc[key]) {
      if (!item.is_string()) {
        return bad(std::string("\"") + key + "\" must be an array of strings");
      }
      out.push_back(item.get<std::string>());
    }
    return {};
  };
  MIMEO_TRY(get_string("mimeo_version", info.mimeo_version));
  MIMEO_TRY(get_string("created", info.created));
  MIMEO_TRY(get_string("ready", info.ready));
  MIMEO_TRY(get_strings("run_options", info.run_options));
  MIMEO_TRY(get_strings("clone_options", info.clone_options));
  if (!doc.contains("memory") || !doc["memory"].is_array() || doc["memory"].empty()) {
    return bad("\"memory\" must be a non-empty array");
  }
  for (const auto& item : doc["memory"]) {
    if (!item.is_object() || !item.contains("id") || !item["id"].is_string() ||
        !item.contains("size") || !item["size"].is_number_unsigned() || !item.contains("file") ||
        !item["file"].is_string()) {
      return bad("each \"memory\" entry needs \"id\", \"size\" and \"file\"");
    }
    TemplateRam ram{item["id"].get<std::string>(), item["size"].get<uint64_t>(),
                    item["file"].get<std::string>()};
    if (ram.file.empty() || ram.file.find('/') != std::string::npos || ram.file[0] == '.') {
      return bad("memory file '" + ram.file + "' must be a plain name inside the template");
    }
    info.memory.push_back(std::move(ram));
  }
  if (doc.contains("state_bytes") && doc["state_bytes"].is_number_unsigned()) {
    info.state_bytes = doc["state_bytes"].get<uint64_t>();
  }
  return info;
}

std::vector<std::string> clone_options_for(const TemplateInfo& info, const std::string& dir) {
  std::vector<std::string> options;
  const std::string escaped = escape_option_value(dir);
  for (std::string option : info.clone_options) {
    for (size_t at = option.find(kPlaceholder); at != std::string::npos;
         at = option.find(kPlaceholder, at + escaped.size())) {
      option.replace(at, kPlaceholder.size(), escaped);
    }
    options.push_back(std::move(option));
  }
  return options;
}

}  // namespace mimeo::cli
