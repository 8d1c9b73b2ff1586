#include "daemon/api_dispatch.h"

#include <exception>

#include "daemon/api_json.h"
#include "daemon/openapi_document.h"
#include "daemon/prometheus.h"

namespace mimeo::daemon {

namespace {

using service::RequestHandler;

ApiResponse json_response(int status, const Json& body) {
  return {status, kJsonContentType, to_text(body), {}};
}

template <class T>
ApiResponse info_response(int status, const service::ServiceResult<T>& result) {
  if (!result.ok()) {
    return error_response(from_service_error(result.error()));
  }
  return json_response(status, to_json(*result));
}

ApiResponse empty_response(const service::ServiceStatus& status) {
  if (!status.ok()) {
    return error_response(from_service_error(status.error()));
  }
  return {204, {}, {}, {}};
}

// 201 when every clone was created, 207 when some were (the same body), and
// the first error's answer when none was.
ApiResponse clones_response(
    const service::ServiceResult<std::vector<service::CloneOutcome>>& result) {
  if (!result.ok()) {
    return error_response(from_service_error(result.error()));
  }
  Json clones = Json::array();
  Json errors = Json::array();
  std::optional<ApiError> first_error;
  for (size_t i = 0; i < result->size(); ++i) {
    const service::CloneOutcome& outcome = (*result)[i];
    if (outcome.clone && !outcome.error) {
      clones.push_back(to_json(*outcome.clone));
      continue;
    }
    ApiError error = outcome.error ? from_service_error(*outcome.error)
                                   : ApiError{500, "internal", "the clone has no outcome", {}};
    errors.push_back(Json{{"index", i}, {"error", error_object(error)}});
    if (!first_error) {
      first_error = error;
    }
  }
  if (clones.empty()) {
    return error_response(first_error.value_or(
        ApiError{500, "internal", "the daemon created no clone and reported no error", {}}));
  }
  int status = errors.empty() ? 201 : 207;
  return json_response(status, Json{{"clones", std::move(clones)}, {"errors", std::move(errors)}});
}

struct Dispatcher {
  RequestHandler& handler;
  const StatusCounts& answers;

  ApiResponse operator()(const GetHealth&) const {
    return json_response(200, to_json(handler.health()));
  }
  ApiResponse operator()(const GetMetrics&) const {
    return {200, kPrometheusContentType, render_metrics(handler.metrics(), answers.snapshot()), {}};
  }
  ApiResponse operator()(const GetOpenApi&) const {
    return {200, kYamlContentType, std::string(openapi_document()), {}};
  }
  ApiResponse operator()(const ListTemplates&) const {
    return json_response(200, template_list(handler.list_templates()));
  }
  ApiResponse operator()(const CreateTemplate& r) const {
    return info_response(201, handler.create_template(r.spec));
  }
  ApiResponse operator()(const ImportTemplate& r) const {
    return info_response(201, handler.import_template(r.request));
  }
  ApiResponse operator()(const GetTemplate& r) const {
    return info_response(200, handler.get_template(r.name));
  }
  ApiResponse operator()(const DeleteTemplate& r) const {
    return empty_response(handler.delete_template(r.name));
  }
  ApiResponse operator()(const SetPoolSize& r) const {
    return info_response(200, handler.set_pool_size(r.name, r.size));
  }
  ApiResponse operator()(const ListClones&) const {
    return json_response(200, clone_list(handler.list_clones()));
  }
  ApiResponse operator()(const CreateClones& r) const {
    return clones_response(handler.create_clones(r.request));
  }
  ApiResponse operator()(const GetClone& r) const {
    return info_response(200, handler.get_clone(r.ref));
  }
  ApiResponse operator()(const DeleteClone& r) const {
    return empty_response(handler.delete_clone(r.ref));
  }
  ApiResponse operator()(const PauseClone& r) const {
    return info_response(200, handler.pause_clone(r.ref));
  }
  ApiResponse operator()(const ResumeClone& r) const {
    return info_response(200, handler.resume_clone(r.ref));
  }
};

}  // namespace

ApiResponse error_response(const ApiError& error) {
  ApiResponse response = json_response(error.status, error_body(error));
  response.allow = error.allow;
  return response;
}

ApiResponse dispatch(const ApiRequest& request, RequestHandler& handler,
                     const StatusCounts& answers) {
  try {
    return std::visit(Dispatcher{handler, answers}, request);
  } catch (const std::exception& e) {
    return error_response({500, "internal", std::string("the daemon failed: ") + e.what(), {}});
  } catch (...) {
    return error_response({500, "internal", "the daemon failed with an unknown exception", {}});
  }
}

ApiResponse answer(const HttpInput& input, RequestHandler& handler, const StatusCounts& answers) {
  auto request = parse_api_request(input);
  if (!request.ok()) {
    return error_response(request.error());
  }
  return dispatch(*request, handler, answers);
}

}  // namespace mimeo::daemon
