#include "daemon/api_request.h"

#include <array>
#include <cctype>
#include <vector>

#include "daemon/api_bodies.h"
#include "daemon/api_target.h"
#include "daemon/json_fields.h"

namespace mimeo::daemon {

namespace {

enum class RouteId {
  kHealth,
  kMetrics,
  kOpenApi,
  kListTemplates,
  kCreateTemplate,
  kImportTemplate,
  kGetTemplate,
  kDeleteTemplate,
  kSetPoolSize,
  kListClones,
  kCreateClones,
  kGetClone,
  kDeleteClone,
  kPauseClone,
  kResumeClone,
};

// A path pattern's segments; "*" matches one non-empty segment (the name or ref).
struct Route {
  std::string_view method;
  std::array<std::string_view, 3> pattern;
  RouteId id;
  bool takes_body;
};

// Literal segments are tried before "*": POST /templates/import imports, while
// GET and DELETE /templates/import reach the template named "import".
constexpr std::array kRoutes = {
    Route{"GET", {"health"}, RouteId::kHealth, false},
    Route{"GET", {"metrics"}, RouteId::kMetrics, false},
    Route{"GET", {"openapi.yaml"}, RouteId::kOpenApi, false},
    Route{"GET", {"templates"}, RouteId::kListTemplates, false},
    Route{"POST", {"templates"}, RouteId::kCreateTemplate, true},
    Route{"POST", {"templates", "import"}, RouteId::kImportTemplate, true},
    Route{"GET", {"templates", "*"}, RouteId::kGetTemplate, false},
    Route{"DELETE", {"templates", "*"}, RouteId::kDeleteTemplate, false},
    Route{"PUT", {"templates", "*", "pool"}, RouteId::kSetPoolSize, true},
    Route{"GET", {"clones"}, RouteId::kListClones, false},
    Route{"POST", {"clones"}, RouteId::kCreateClones, true},
    Route{"GET", {"clones", "*"}, RouteId::kGetClone, false},
    Route{"DELETE", {"clones", "*"}, RouteId::kDeleteClone, false},
    Route{"POST", {"clones", "*", "pause"}, RouteId::kPauseClone, false},
    Route{"POST", {"clones", "*", "resume"}, RouteId::kResumeClone, false},
};

// The "*" segment, or nullopt when the path does not match.
std::optional<std::string> match(const Route& route, const std::vector<std::string>& segments) {
  std::optional<std::string> captured("");
  size_t length = 0;
  while (length < route.pattern.size() && !route.pattern[length].empty()) {
    ++length;
  }
  if (segments.size() != length) {
    return std::nullopt;
  }
  for (size_t i = 0; i < length; ++i) {
    if (route.pattern[i] == "*") {
      if (segments[i].empty()) {
        return std::nullopt;
      }
      captured = segments[i];
    } else if (route.pattern[i] != segments[i]) {
      return std::nullopt;
    }
  }
  return captured;
}

bool is_json_media_type(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) {
    type.remove_suffix(1);
  }
  constexpr std::string_view kJson = "application/json";
  if (type.size() != kJson.size()) {
    return false;
  }
  for (size_t i = 0; i < type.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(type[i])) != kJson[i]) {
      return false;
    }
  }
  return true;
}

std::string request_name(const HttpInput& input) {
  return std::string(input.method.substr(0, 20)) + " " + std::string(input.target.substr(0, 200));
}

// A body route's body as a JSON object, after its framing and media type.
ApiResult<Json> json_body(const HttpInput& input) {
  if (!input.body_framed) {
    return ApiError{411,
                    "length_required",
                    request_name(input) + " needs a JSON body with a Content-Length",
                    {}};
  }
  if (input.content_type && !is_json_media_type(*input.content_type)) {
    return ApiError{415,
                    "unsupported_media_type",
                    "the body must be application/json, not '" +
                        std::string(input.content_type->substr(0, 100)) + "'",
                    {}};
  }
  return parse_json_object(input.body);
}

// Routes without a body accept none, or an empty JSON object.
Result<void, ApiError> no_body(const HttpInput& input) {
  if (input.body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return {};
  }
  auto body = parse_json_object(input.body);
  if (!body.ok() || !body->empty()) {
    return bad_request(request_name(input) + " takes no request body");
  }
  return {};
}

ApiResult<ApiRequest> build(const Route& route, std::string param, const HttpInput& input) {
  ApiResult<Json> body = Json::object();
  if (route.takes_body) {
    body = json_body(input);
    if (!body.ok()) {
      return body.error();
    }
  } else {
    MIMEO_TRY(no_body(input));
  }
  switch (route.id) {
    case RouteId::kHealth: return ApiRequest(GetHealth{});
    case RouteId::kMetrics: return ApiRequest(GetMetrics{});
    case RouteId::kOpenApi: return ApiRequest(GetOpenApi{});
    case RouteId::kListTemplates: return ApiRequest(ListTemplates{});
    case RouteId::kCreateTemplate: {
      MIMEO_ASSIGN_OR_RETURN(auto spec, read_template_spec(*body));
      return ApiRequest(CreateTemplate{std::move(spec)});
    }
    case RouteId::kImportTemplate: {
      MIMEO_ASSIGN_OR_RETURN(auto request, read_template_import(*body));
      return ApiRequest(ImportTemplate{std::move(request)});
    }
    case RouteId::kGetTemplate: return ApiRequest(GetTemplate{std::move(param)});
    case RouteId::kDeleteTemplate: return ApiRequest(DeleteTemplate{std::move(param)});
    case RouteId::kSetPoolSize: {
      MIMEO_ASSIGN_OR_RETURN(unsigned size, read_pool_size(*body));
      return ApiRequest(SetPoolSize{std::move(param), size});
    }
    case RouteId::kListClones: return ApiRequest(ListClones{});
    case RouteId::kCreateClones: {
      MIMEO_ASSIGN_OR_RETURN(auto request, read_clone_request(*body));
      return ApiRequest(CreateClones{std::move(request)});
    }
    case RouteId::kGetClone: return ApiRequest(GetClone{std::move(param)});
    case RouteId::kDeleteClone: return ApiRequest(DeleteClone{std::move(param)});
    case RouteId::kPauseClone: return ApiRequest(PauseClone{std::move(param)});
    case RouteId::kResumeClone: return ApiRequest(ResumeClone{std::move(param)});
  }
  return ApiError{500, "internal", "unhandled route", {}};
}

}  // namespace

Result<ApiRequest, ApiError> parse_api_request(const HttpInput& input) {
  MIMEO_ASSIGN_OR_RETURN(auto segments, split_target(input.target));
  std::string allow;
  for (const Route& route : kRoutes) {
    auto param = match(route, segments);
    if (!param) {
      continue;
    }
    if (route.method == input.method) {
      return build(route, std::move(*param), input);
    }
    allow += allow.empty() ? "" : ", ";  // no path has one method twice
    allow += route.method;
  }
  if (!allow.empty()) {
    return ApiError{
        405, "method_not_allowed",
        request_name(input) + ": the method is not allowed here (allowed: " + allow + ")", allow};
  }
  return no_route("no such API path: " + request_name(input));
}

}  // namespace mimeo::daemon
