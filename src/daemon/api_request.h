// The REST API's requests as typed values, and the one pure function that
// turns an HTTP request (method, target, Content-Type, body) into one: route
// matching, percent-decoding, Content-Type and body checks, JSON fields. It
// does no I/O, so the fuzzer calls it directly. Names and refs from the path
// or the body reach the core unchanged (the core checks what a name may be).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "base/result.h"
#include "daemon/api_error.h"
#include "service/service_types.h"

namespace mimeo::daemon {

struct GetHealth {};
struct GetMetrics {};
struct GetOpenApi {};  // the OpenAPI document
struct ListTemplates {};
struct CreateTemplate {
  service::TemplateSpec spec;
};
struct ImportTemplate {
  service::TemplateImport request;
};
struct GetTemplate {
  std::string name;
};
struct DeleteTemplate {
  std::string name;
};
struct SetPoolSize {
  std::string name;
  unsigned size = 0;
};
struct ListClones {};
struct CreateClones {
  service::CloneRequest request;
};
struct GetClone {
  std::string ref;
};
struct DeleteClone {
  std::string ref;
};
struct PauseClone {
  std::string ref;
};
struct ResumeClone {
  std::string ref;
};

using ApiRequest =
    std::variant<GetHealth, GetMetrics, GetOpenApi, ListTemplates, CreateTemplate, ImportTemplate,
                 GetTemplate, DeleteTemplate, SetPoolSize, ListClones, CreateClones, GetClone,
                 DeleteClone, PauseClone, ResumeClone>;

// What parse_api_request needs of an HTTP request.
struct HttpInput {
  std::string_view method;                       // as sent: "GET"
  std::string_view target;                       // as sent: "/templates/a%20b"
  std::optional<std::string_view> content_type;  // the header, when sent
  std::string_view body;
  // The request framed its body (Content-Length or chunked). A route that
  // needs a body answers 411 without it, 400 when the framed body is empty.
  bool body_framed = true;
};

// Largest `count` of one POST /clones.
inline constexpr unsigned kMaxClonesPerRequest = 1000;

// 404 unknown path, 405 (with `allow`) known path and other method, 411/415
// for a body route's framing and Content-Type, 400 for everything malformed.
[[nodiscard]] Result<ApiRequest, ApiError> parse_api_request(const HttpInput& input);

}  // namespace mimeo::daemon
