#include "daemon/api_json.h"

namespace mimeo::daemon {

namespace {

Json optional_text(const std::optional<std::string>& value) {
  return value ? Json(*value) : Json(nullptr);
}

}  // namespace

Json to_json(const service::TemplateInfo& info) {
  return Json{{"name", info.name},           {"dir", info.dir},
              {"owned", info.owned},         {"memory_bytes", info.memory_bytes},
              {"cpus", info.cpus},           {"created_unix", info.created_unix},
              {"pool_size", info.pool_size}, {"pool_warm", info.pool_warm},
              {"clones", info.clones}};
}

Json to_json(const service::CloneInfo& info) {
  return Json{{"id", info.id},
              {"name", optional_text(info.name)},
              {"template", info.template_name},
              {"state", service::clone_state_name(info.state)},
              {"pid", info.pid},
              {"uuid", info.uuid},
              {"console_socket", info.console_socket},
              {"created_unix", info.created_unix},
              {"create_ms", info.create_ms},
              {"from_pool", info.from_pool},
              {"reason", optional_text(info.reason)}};
}

Json to_json(const service::Health& health) {
  return Json{{"version", health.version},
              {"uptime_seconds", health.uptime_seconds},
              {"templates", health.templates},
              {"clones", health.clones},
              {"warm", health.warm}};
}

Json error_object(const ApiError& error) {
  return Json{{"code", error.code}, {"message", error.message}};
}

Json error_body(const ApiError& error) { return Json{{"error", error_object(error)}}; }

Json template_list(const std::vector<service::TemplateInfo>& templates) {
  Json list = Json::array();
  for (const auto& info : templates) {
    list.push_back(to_json(info));
  }
  return Json{{"templates", std::move(list)}};
}

Json clone_list(const std::vector<service::CloneInfo>& clones) {
  Json list = Json::array();
  for (const auto& info : clones) {
    list.push_back(to_json(info));
  }
  return Json{{"clones", std::move(list)}};
}

std::string to_text(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace mimeo::daemon
