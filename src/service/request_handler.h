// The daemon's core as the front ends see it (Cloud Hypervisor's
// RequestHandler): every request as a typed call. The REST server maps HTTP
// and JSON to these calls and ServiceError kinds to status codes.
// Implementations are thread-safe: the REST server calls from many threads.
#pragma once

#include <string>
#include <vector>

#include "service/service_types.h"

namespace mimeo::service {

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;

  virtual ServiceResult<TemplateInfo> create_template(const TemplateSpec& spec) = 0;
  virtual ServiceResult<TemplateInfo> import_template(const TemplateImport& request) = 0;
  virtual std::vector<TemplateInfo> list_templates() = 0;
  virtual ServiceResult<TemplateInfo> get_template(const std::string& name) = 0;
  virtual ServiceResult<TemplateInfo> set_pool_size(const std::string& name, unsigned size) = 0;
  // Refused (kConflict) while clones of it exist; its warm pool is stopped.
  virtual ServiceStatus delete_template(const std::string& name) = 0;

  // Whole-request errors (unknown template, bad count) fail the call; each
  // clone of the batch then succeeds or fails on its own.
  virtual ServiceResult<std::vector<CloneOutcome>> create_clones(const CloneRequest& request) = 0;
  virtual std::vector<CloneInfo> list_clones() = 0;
  // `ref`: a clone's id or name.
  virtual ServiceResult<CloneInfo> get_clone(const std::string& ref) = 0;
  virtual ServiceResult<CloneInfo> pause_clone(const std::string& ref) = 0;
  virtual ServiceResult<CloneInfo> resume_clone(const std::string& ref) = 0;
  // Stops the clone's VM (if it runs) and forgets it.
  virtual ServiceStatus delete_clone(const std::string& ref) = 0;

  virtual Health health() = 0;
  virtual MetricsSnapshot metrics() = 0;
};

}  // namespace mimeo::service
