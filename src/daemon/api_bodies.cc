#include "daemon/api_bodies.h"

#include "daemon/api_request.h"

namespace mimeo::daemon {

namespace {

ApiResult<service::ReadyCondition> read_ready(const Json& object) {
  FieldReader fields(object, "ready");
  service::ReadyCondition ready;
  MIMEO_ASSIGN_OR_RETURN(ready.serial_text, fields.optional_string("serial"));
  MIMEO_ASSIGN_OR_RETURN(ready.after_seconds, fields.optional_number("after_seconds"));
  MIMEO_TRY(fields.check_no_others());
  if (ready.serial_text.has_value() == ready.after_seconds.has_value()) {
    return bad_request(
        "field 'ready' must have exactly one of 'serial' (text the guest prints on COM1) and "
        "'after_seconds'");
  }
  return ready;
}

}  // namespace

ApiResult<service::TemplateSpec> read_template_spec(const Json& body) {
  FieldReader fields(body);
  service::TemplateSpec spec;
  MIMEO_ASSIGN_OR_RETURN(spec.name, fields.required_string("name"));
  MIMEO_ASSIGN_OR_RETURN(spec.kernel, fields.required_string("kernel"));
  MIMEO_ASSIGN_OR_RETURN(spec.initrd, fields.optional_string("initrd"));
  MIMEO_ASSIGN_OR_RETURN(auto memory, fields.optional_string("memory"));
  spec.memory = memory.value_or(spec.memory);
  MIMEO_ASSIGN_OR_RETURN(auto cpus, fields.optional_unsigned("cpus"));
  spec.cpus = cpus.value_or(spec.cpus);
  MIMEO_ASSIGN_OR_RETURN(auto cmdline, fields.optional_string("cmdline"));
  spec.cmdline = cmdline.value_or("");
  MIMEO_ASSIGN_OR_RETURN(const Json* ready, fields.required_object("ready"));
  MIMEO_ASSIGN_OR_RETURN(spec.ready, read_ready(*ready));
  MIMEO_ASSIGN_OR_RETURN(auto timeout, fields.optional_number("timeout_seconds"));
  spec.timeout_seconds = timeout.value_or(spec.timeout_seconds);
  MIMEO_ASSIGN_OR_RETURN(spec.pool_size, fields.optional_unsigned("pool_size"));
  MIMEO_TRY(fields.check_no_others());
  return spec;
}

ApiResult<service::TemplateImport> read_template_import(const Json& body) {
  FieldReader fields(body);
  service::TemplateImport request;
  MIMEO_ASSIGN_OR_RETURN(request.name, fields.required_string("name"));
  MIMEO_ASSIGN_OR_RETURN(request.dir, fields.required_string("dir"));
  MIMEO_ASSIGN_OR_RETURN(request.pool_size, fields.optional_unsigned("pool_size"));
  MIMEO_TRY(fields.check_no_others());
  return request;
}

ApiResult<unsigned> read_pool_size(const Json& body) {
  FieldReader fields(body);
  MIMEO_ASSIGN_OR_RETURN(unsigned size, fields.required_unsigned("size"));
  MIMEO_TRY(fields.check_no_others());
  return size;
}

ApiResult<service::CloneRequest> read_clone_request(const Json& body) {
  FieldReader fields(body);
  service::CloneRequest request;
  MIMEO_ASSIGN_OR_RETURN(request.template_name, fields.required_string("template"));
  MIMEO_ASSIGN_OR_RETURN(auto count, fields.optional_unsigned("count"));
  MIMEO_ASSIGN_OR_RETURN(request.name, fields.optional_string("name"));
  MIMEO_TRY(fields.check_no_others());
  request.count = count.value_or(1);
  if (request.count < 1 || request.count > kMaxClonesPerRequest) {
    return bad_request("field 'count' must be from 1 to " + std::to_string(kMaxClonesPerRequest) +
                       ", not " + std::to_string(request.count));
  }
  if (request.name && request.count != 1) {
    return bad_request("field 'name' names one clone: it needs 'count' 1, not " +
                       std::to_string(request.count));
  }
  return request;
}

}  // namespace mimeo::daemon
