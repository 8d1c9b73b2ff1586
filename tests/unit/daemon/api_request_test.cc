// parse_api_request without sockets: routes, path decoding, bodies, errors.
#include "daemon/api_request.h"

#include <gtest/gtest.h>

namespace mimeo::daemon {
namespace {

Result<ApiRequest, ApiError> parse(std::string_view method, std::string_view target,
                                   std::string_view body = {}) {
  return parse_api_request({method, target, std::nullopt, body, true});
}

ApiError error_of(const Result<ApiRequest, ApiError>& result) {
  EXPECT_FALSE(result.ok());
  return result.ok() ? ApiError{} : result.error();
}

TEST(ApiRequestTest, RoutesEveryPathAndMethod) {
  EXPECT_TRUE(std::holds_alternative<GetHealth>(*parse("GET", "/health")));
  EXPECT_TRUE(std::holds_alternative<GetMetrics>(*parse("GET", "/metrics")));
  EXPECT_TRUE(std::holds_alternative<GetOpenApi>(*parse("GET", "/openapi.yaml")));
  EXPECT_TRUE(std::holds_alternative<ListTemplates>(*parse("GET", "/templates")));
  EXPECT_TRUE(std::holds_alternative<ListClones>(*parse("GET", "/clones")));
  EXPECT_EQ(std::get<GetTemplate>(*parse("GET", "/templates/web")).name, "web");
  EXPECT_EQ(std::get<DeleteTemplate>(*parse("DELETE", "/templates/web")).name, "web");
  auto pool = std::get<SetPoolSize>(*parse("PUT", "/templates/web/pool", R"({"size":4})"));
  EXPECT_EQ(pool.name, "web");
  EXPECT_EQ(pool.size, 4U);
  EXPECT_EQ(std::get<GetClone>(*parse("GET", "/clones/abc")).ref, "abc");
  EXPECT_EQ(std::get<DeleteClone>(*parse("DELETE", "/clones/abc")).ref, "abc");
  EXPECT_EQ(std::get<PauseClone>(*parse("POST", "/clones/abc/pause")).ref, "abc");
  EXPECT_EQ(std::get<ResumeClone>(*parse("POST", "/clones/abc/resume")).ref, "abc");
  auto import = std::get<ImportTemplate>(
      *parse("POST", "/templates/import", R"({"name":"t","dir":"/d","pool_size":0})"));
  EXPECT_EQ(import.request.dir, "/d");
  EXPECT_EQ(import.request.pool_size, 0U);
  // A template named "import" is reachable with GET and DELETE.
  EXPECT_EQ(std::get<GetTemplate>(*parse("GET", "/templates/import")).name, "import");
}

TEST(ApiRequestTest, ReadsATemplateSpecWithDefaults) {
  auto spec = std::get<CreateTemplate>(
                  *parse("POST", "/templates",
                         R"({"name":"web","kernel":"/k","ready":{"serial":"login:"}})"))
                  .spec;
  EXPECT_EQ(spec.name, "web");
  EXPECT_EQ(spec.kernel, "/k");
  EXPECT_EQ(spec.memory, "128M");
  EXPECT_EQ(spec.cpus, 1U);
  EXPECT_EQ(spec.ready.serial_text, "login:");
  EXPECT_FALSE(spec.ready.after_seconds);
  EXPECT_FALSE(spec.pool_size);
  EXPECT_FALSE(spec.initrd);

  spec = std::get<CreateTemplate>(
             *parse("POST", "/templates",
                    R"({"name":"w","kernel":"/k","initrd":"/i","memory":"1G","cpus":2,
                        "cmdline":"quiet","ready":{"after_seconds":1.5},
                        "timeout_seconds":90,"pool_size":3})"))
             .spec;
  EXPECT_EQ(spec.initrd, "/i");
  EXPECT_EQ(spec.memory, "1G");
  EXPECT_EQ(spec.cpus, 2U);
  EXPECT_EQ(spec.cmdline, "quiet");
  EXPECT_EQ(spec.ready.after_seconds, 1.5);
  EXPECT_EQ(spec.timeout_seconds, 90);
  EXPECT_EQ(spec.pool_size, 3U);
}

TEST(ApiRequestTest, BodyErrorsNameTheField) {
  const char* kind = R"("kernel":"/k","ready":{"serial":"x"})";
  auto message = [&](std::string body) {
    return error_of(parse("POST", "/templates", body)).message;
  };
  EXPECT_EQ(message(std::string(R"({"name":1,)") + kind + "}"),
            "field 'name' must be a string, not the number 1");
  EXPECT_EQ(message(std::string(R"({"name":"a","cpus":"2",)") + kind + "}"),
            "field 'cpus' must be a whole number from 0 to 4294967295, not a string");
  EXPECT_EQ(message(std::string(R"({"name":"a","cpus":-1,)") + kind + "}"),
            "field 'cpus' must be a whole number from 0 to 4294967295, not the number -1");
  EXPECT_EQ(message(std::string(R"({"name":"a","cpus":1.5,)") + kind + "}"),
            "field 'cpus' must be a whole number from 0 to 4294967295, not the number 1.5");
  EXPECT_EQ(message(std::string(R"({"name":"a","bogus":true,)") + kind + "}"),
            "unknown field 'bogus'");
  EXPECT_EQ(message(R"({"name":"a","kernel":"/k","ready":{"serial":"x","later":1}})"),
            "unknown field 'ready.later'");
  EXPECT_EQ(message(R"({"name":"a","kernel":"/k","ready":{"serial":5}})"),
            "field 'ready.serial' must be a string, not the number 5");
  EXPECT_EQ(message(R"({"name":"a","kernel":"/k"})"), "missing field 'ready'");
  EXPECT_EQ(message(R"({"name":"a","kernel":"/k","ready":[]})"),
            "field 'ready' must be an object, not an array");
  EXPECT_NE(message(R"({"name":"a","kernel":"/k","ready":{}})").find("exactly one of"),
            std::string::npos);
  EXPECT_NE(message(R"({"name":"a","kernel":"/k","ready":{"serial":"x","after_seconds":1}})")
                .find("exactly one of"),
            std::string::npos);
  EXPECT_EQ(message(R"({"kernel":"/k","ready":{"serial":"x"}})"), "missing field 'name'");
  EXPECT_EQ(message("[1]"), "the body must be a JSON object, not an array");
  EXPECT_EQ(message(""), "the request needs a JSON object body");
  EXPECT_NE(message("{\"name\":").find("the body is not valid JSON: "), std::string::npos);
  EXPECT_EQ(error_of(parse("POST", "/templates", "{")).status, 400);
}

TEST(ApiRequestTest, NullMeansAbsentForOptionalFields) {
  auto spec = std::get<CreateTemplate>(
                  *parse("POST", "/templates",
                         R"({"name":"w","kernel":"/k","initrd":null,"ready":{"serial":"x"}})"))
                  .spec;
  EXPECT_FALSE(spec.initrd);
}

TEST(ApiRequestTest, ClonesCountIsOneToAThousand) {
  auto clones = std::get<CreateClones>(*parse("POST", "/clones", R"({"template":"t"})")).request;
  EXPECT_EQ(clones.template_name, "t");
  EXPECT_EQ(clones.count, 1U);
  EXPECT_EQ(std::get<CreateClones>(*parse("POST", "/clones", R"({"template":"t","count":1000})"))
                .request.count,
            1000U);
  EXPECT_EQ(error_of(parse("POST", "/clones", R"({"template":"t","count":0})")).message,
            "field 'count' must be from 1 to 1000, not 0");
  EXPECT_EQ(error_of(parse("POST", "/clones", R"({"template":"t","count":1001})")).status, 400);
  EXPECT_EQ(error_of(parse("POST", "/clones", R"({"template":"t","count":2,"name":"a"})")).status,
            400);
  EXPECT_EQ(std::get<CreateClones>(*parse("POST", "/clones", R"({"template":"t","name":"a"})"))
                .request.name,
            "a");
}

TEST(ApiRequestTest, UnknownPathsAre404AndOtherMethods405WithAllow) {
  EXPECT_EQ(error_of(parse("GET", "/nope")).status, 404);
  EXPECT_EQ(error_of(parse("GET", "/")).status, 404);
  EXPECT_EQ(error_of(parse("GET", "/templates/")).status, 404);
  EXPECT_EQ(error_of(parse("GET", "/templates/a/b/c")).status, 404);
  EXPECT_EQ(error_of(parse("GET", "/templates/a/b/c")).code, "not_found");
  ApiError error = error_of(parse("PATCH", "/templates"));
  EXPECT_EQ(error.status, 405);
  EXPECT_EQ(error.code, "method_not_allowed");
  EXPECT_EQ(error.allow, "GET, POST");
  EXPECT_EQ(error_of(parse("PUT", "/templates/import")).allow, "POST, GET, DELETE");
  EXPECT_EQ(error_of(parse("get", "/health")).allow, "GET");  // methods are case-sensitive
  EXPECT_EQ(error_of(parse("GET", "/clones/x/pause")).allow, "POST");
}

TEST(ApiRequestTest, PathSegmentsArePercentDecodedAndPassedOnUnchanged) {
  EXPECT_EQ(std::get<GetTemplate>(*parse("GET", "/templates/a%20b")).name, "a b");
  EXPECT_EQ(std::get<GetTemplate>(*parse("GET", "/templates/..%2Fx")).name, "../x");
  EXPECT_EQ(std::get<GetTemplate>(*parse("GET", "/templates/..")).name, "..");
  EXPECT_EQ(std::get<GetClone>(*parse("GET", "/clones/%e2%9c%93")).ref, "\xe2\x9c\x93");
  EXPECT_EQ(error_of(parse("GET", "/templates/../x")).status, 404);  // three segments
  EXPECT_EQ(error_of(parse("GET", "/templates/a%zz")).message,
            "bad percent-encoding in the path: '%zz' (a '%' must be followed by two hex digits)");
  EXPECT_EQ(error_of(parse("GET", "/templates/a%2")).status, 400);
  EXPECT_EQ(error_of(parse("GET", "/templates/a%")).status, 400);
}

TEST(ApiRequestTest, TargetsMustBePathsWithoutQueries) {
  EXPECT_TRUE(parse("GET", "/health?").ok());
  EXPECT_EQ(error_of(parse("GET", "/health?verbose=1")).status, 400);
  EXPECT_EQ(error_of(parse("GET", "http://x/health")).status, 400);
  EXPECT_EQ(error_of(parse("GET", "*")).status, 400);
  EXPECT_EQ(error_of(parse("GET", "")).status, 400);
}

TEST(ApiRequestTest, BodyFramingAndMediaType) {
  const char* body = R"({"template":"t"})";
  auto without_length = parse_api_request({"POST", "/clones", std::nullopt, "", false});
  EXPECT_EQ(error_of(without_length).status, 411);
  EXPECT_EQ(error_of(without_length).code, "length_required");
  auto text = parse_api_request({"POST", "/clones", "text/plain", body, true});
  EXPECT_EQ(error_of(text).status, 415);
  EXPECT_TRUE(
      parse_api_request({"POST", "/clones", "Application/JSON; charset=utf-8", body, true}).ok());
  // Body-less routes need no length and take no body but an empty object.
  EXPECT_TRUE(parse_api_request({"POST", "/clones/a/pause", std::nullopt, "", false}).ok());
  EXPECT_TRUE(parse("POST", "/clones/a/pause", " {} ").ok());
  EXPECT_EQ(error_of(parse("POST", "/clones/a/pause", R"({"force":true})")).message,
            "POST /clones/a/pause takes no request body");
  EXPECT_EQ(error_of(parse("GET", "/health", "garbage")).status, 400);
}

}  // namespace
}  // namespace mimeo::daemon
