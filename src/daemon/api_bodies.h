// The JSON bodies of the API's POST and PUT requests, read into the core's
// types. Only shapes and types are checked here (and the documented ranges of
// `count`); what a name, path or size may be is the core's to decide.
#pragma once

#include "daemon/json_fields.h"
#include "service/service_types.h"

namespace mimeo::daemon {

// POST /templates: {"name","kernel","initrd"?,"memory"?,"cpus"?,"cmdline"?,
// "ready":{"serial":TEXT}|{"after_seconds":N},"timeout_seconds"?,"pool_size"?}
[[nodiscard]] ApiResult<service::TemplateSpec> read_template_spec(const Json& body);
// POST /templates/import: {"name","dir","pool_size"?}
[[nodiscard]] ApiResult<service::TemplateImport> read_template_import(const Json& body);
// PUT /templates/{name}/pool: {"size"}
[[nodiscard]] ApiResult<unsigned> read_pool_size(const Json& body);
// POST /clones: {"template","count"? (1..1000),"name"? (only with count 1)}
[[nodiscard]] ApiResult<service::CloneRequest> read_clone_request(const Json& body);

}  // namespace mimeo::daemon
