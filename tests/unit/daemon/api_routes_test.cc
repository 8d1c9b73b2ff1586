// Every route through a real server on a Unix socket, with the project's
// Client: the status, media type and JSON a user of the API sees.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "server_fixture.h"

namespace mimeo::daemon::testing {
namespace {

constexpr const char* kTemplate =
    R"({"name":"web","kernel":"/boot/vmlinuz","cpus":2,"ready":{"serial":"login:"},"pool_size":4})";

class RoutesTest : public ServerTest {
 protected:
  void SetUp() override { start(); }
  void create_web() { ASSERT_EQ(call("POST", "/templates", kTemplate).status, 201); }
};

TEST_F(RoutesTest, Health) {
  Response response = call("GET", "/health");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "application/json");
  json health = body_of(response);
  EXPECT_EQ(health["version"], "9.9.9-test");
  EXPECT_EQ(health["uptime_seconds"], 12.5);
  EXPECT_EQ(health["templates"], 0);
  EXPECT_EQ(health["warm"], 3);
}

TEST_F(RoutesTest, MetricsInPrometheusFormatCountAnswersByStatus) {
  (void)call("GET", "/health");
  (void)call("GET", "/nope");
  Response response = call("GET", "/metrics");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = response.body;
  EXPECT_NE(text.find("# TYPE mimeo_clone_create_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("mimeo_clone_create_seconds_bucket{le=\"0.005\"} 4\n"), std::string::npos);
  EXPECT_NE(text.find("mimeo_clone_create_seconds_bucket{le=\"+Inf\"} 7\n"), std::string::npos);
  EXPECT_NE(text.find("mimeo_clones_alive 5\n"), std::string::npos);
  EXPECT_NE(text.find("mimeo_http_requests_total{code=\"200\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("mimeo_http_requests_total{code=\"404\"} 1\n"), std::string::npos);
}

TEST_F(RoutesTest, OpenApiDocumentIsTheFileInTheSourceTree) {
  std::ifstream in(std::string(MIMEO_SOURCE_DIR) + "/docs/api/openapi.yaml", std::ios::binary);
  const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(file.empty());
  Response response = call("GET", "/openapi.yaml");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "application/yaml");
  EXPECT_EQ(response.body, file);  // byte for byte: the build embeds the file as it is
  EXPECT_EQ(call("POST", "/openapi.yaml").status, 405);
}

TEST_F(RoutesTest, TemplateLifecycle) {
  Response created = call("POST", "/templates", kTemplate);
  EXPECT_EQ(created.status, 201);
  json info = body_of(created);
  EXPECT_EQ(info["name"], "web");
  EXPECT_EQ(info["dir"], "/state/templates/web");
  EXPECT_EQ(info["owned"], true);
  EXPECT_EQ(info["memory_bytes"], 128 << 20);
  EXPECT_EQ(info["cpus"], 2);
  EXPECT_EQ(info["created_unix"], 1700000000);
  EXPECT_EQ(info["pool_size"], 4);
  EXPECT_EQ(info["clones"], 0);
  ASSERT_TRUE(core_.last_spec());
  EXPECT_EQ(core_.last_spec()->ready.serial_text, "login:");

  Response duplicate = call("POST", "/templates", kTemplate);
  EXPECT_EQ(duplicate.status, 409);
  EXPECT_EQ(error_code(duplicate), "conflict");
  EXPECT_EQ(error_message(duplicate), "a template named 'web' exists");

  json list = body_of(call("GET", "/templates"));
  ASSERT_EQ(list["templates"].size(), 1U);
  EXPECT_EQ(list["templates"][0]["name"], "web");
  EXPECT_EQ(body_of(call("GET", "/templates/web"))["pool_size"], 4);

  Response pool = call("PUT", "/templates/web/pool", R"({"size":1})");
  EXPECT_EQ(pool.status, 200);
  EXPECT_EQ(body_of(pool)["pool_size"], 1);
  EXPECT_EQ(call("PUT", "/templates/nope/pool", R"({"size":1})").status, 404);

  Response deleted = call("DELETE", "/templates/web");
  EXPECT_EQ(deleted.status, 204);
  EXPECT_EQ(deleted.body, "");
  Response gone = call("GET", "/templates/web");
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(gone.content_type, "application/json");
  EXPECT_EQ(error_code(gone), "not_found");
  EXPECT_EQ(call("DELETE", "/templates/web").status, 404);
}

TEST_F(RoutesTest, ImportTemplate) {
  Response imported = call("POST", "/templates/import", R"({"name":"old","dir":"/srv/t"})");
  EXPECT_EQ(imported.status, 201);
  EXPECT_EQ(body_of(imported)["owned"], false);
  EXPECT_EQ(body_of(imported)["dir"], "/srv/t");
  Response relative = call("POST", "/templates/import", R"({"name":"x","dir":"t"})");
  EXPECT_EQ(relative.status, 400);
  EXPECT_EQ(error_code(relative), "invalid");
  EXPECT_EQ(error_message(relative), "dir must be an absolute path, not 't'");
}

TEST_F(RoutesTest, CoreErrorKindsMapToStatuses) {
  Response full =
      call("POST", "/templates", R"({"name":"a","kernel":"/full","ready":{"after_seconds":1}})");
  EXPECT_EQ(full.status, 507);
  EXPECT_EQ(error_code(full), "no_space");
  core_.throw_on_list_clones = true;
  Response thrown = call("GET", "/clones");
  EXPECT_EQ(thrown.status, 500);
  EXPECT_EQ(error_code(thrown), "internal");
  EXPECT_EQ(error_message(thrown), "the daemon failed: catalog exploded");
}

TEST_F(RoutesTest, CloneLifecycle) {
  create_web();
  Response created = call("POST", "/clones", R"({"template":"web","count":3})");
  EXPECT_EQ(created.status, 201);
  json batch = body_of(created);
  ASSERT_EQ(batch["clones"].size(), 3U);
  EXPECT_TRUE(batch["errors"].empty());
  json first = batch["clones"][0];
  EXPECT_EQ(first["id"], "000000000001");
  EXPECT_TRUE(first["name"].is_null());
  EXPECT_EQ(first["template"], "web");
  EXPECT_EQ(first["state"], "running");
  EXPECT_EQ(first["pid"], 1001);
  EXPECT_EQ(first["create_ms"], 2.5);
  EXPECT_EQ(first["from_pool"], true);
  EXPECT_TRUE(first["reason"].is_null());
  EXPECT_EQ(first["console_socket"], "/run/mimeo/000000000001.console");

  Response named = call("POST", "/clones", R"({"template":"web","name":"db"})");
  EXPECT_EQ(named.status, 201);
  EXPECT_EQ(body_of(named)["clones"][0]["name"], "db");
  EXPECT_EQ(body_of(call("GET", "/clones"))["clones"].size(), 4U);
  EXPECT_EQ(body_of(call("GET", "/clones/db"))["id"], "000000000004");
  EXPECT_EQ(body_of(call("GET", "/clones/000000000002"))["template"], "web");
  EXPECT_EQ(body_of(call("GET", "/templates/web"))["clones"], 4);

  Response paused = call("POST", "/clones/db/pause");
  EXPECT_EQ(paused.status, 200);
  EXPECT_EQ(body_of(paused)["state"], "paused");
  EXPECT_EQ(body_of(call("POST", "/clones/db/resume"))["state"], "running");
  EXPECT_EQ(call("POST", "/clones/nope/pause").status, 404);
  EXPECT_EQ(call("POST", "/clones/nope/resume").status, 404);

  EXPECT_EQ(call("DELETE", "/templates/web").status, 409);
  EXPECT_EQ(call("DELETE", "/clones/db").status, 204);
  EXPECT_EQ(call("GET", "/clones/db").status, 404);
  EXPECT_EQ(call("DELETE", "/clones/db").status, 404);

  Response unknown = call("POST", "/clones", R"({"template":"nope"})");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(error_message(unknown), "no template named 'nope'");
}

TEST_F(RoutesTest, PartlyCreatedBatchIs207AndAFailedOneTheFirstError) {
  create_web();
  core_.clone_failure = [](unsigned index) -> std::optional<ServiceError> {
    if (index % 2 == 1) {
      return ServiceError{ErrorKind::kUnavailable, "clone " + std::to_string(index) + " failed"};
    }
    return std::nullopt;
  };
  Response partial = call("POST", "/clones", R"({"template":"web","count":4})");
  EXPECT_EQ(partial.status, 207) << partial.body;
  json batch = body_of(partial);
  EXPECT_EQ(batch["clones"].size(), 2U);
  ASSERT_EQ(batch["errors"].size(), 2U);
  EXPECT_EQ(batch["errors"][0]["index"], 1);
  EXPECT_EQ(batch["errors"][0]["error"]["code"], "unavailable");
  EXPECT_EQ(batch["errors"][1]["index"], 3);
  EXPECT_EQ(batch["errors"][1]["error"]["message"], "clone 3 failed");

  core_.clone_failure = [](unsigned index) -> std::optional<ServiceError> {
    return ServiceError{index == 0 ? ErrorKind::kNoSpace : ErrorKind::kInternal, "disk full"};
  };
  Response failed = call("POST", "/clones", R"({"template":"web","count":2})");
  EXPECT_EQ(failed.status, 507);
  EXPECT_EQ(error_code(failed), "no_space");
  EXPECT_EQ(error_message(failed), "disk full");
}

TEST_F(RoutesTest, RequestErrorsAreJsonNamingTheProblem) {
  Response bad_json = call("POST", "/templates", "{\"name\":");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_EQ(error_code(bad_json), "invalid");
  EXPECT_NE(error_message(bad_json).find("not valid JSON"), std::string::npos);
  Response wrong_type = call("POST", "/clones", R"({"template":"web","count":"3"})");
  EXPECT_EQ(error_message(wrong_type),
            "field 'count' must be a whole number from 0 to 4294967295, not a string");
  Response unknown = call("PUT", "/templates/web/pool", R"({"size":1,"min":0})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(error_message(unknown), "unknown field 'min'");
  Response no_route = call("GET", "/nope");
  EXPECT_EQ(no_route.status, 404);
  EXPECT_EQ(error_code(no_route), "not_found");
  Response method = call("DELETE", "/health");
  EXPECT_EQ(method.status, 405);
  EXPECT_EQ(error_code(method), "method_not_allowed");
}

TEST_F(RoutesTest, NamesFromThePathReachTheCoreDecodedAndUnchanged) {
  EXPECT_EQ(call("GET", "/templates/..%2Fx").status, 404);
  EXPECT_EQ(call("GET", "/templates/" + percent_encode("a b/c")).status, 404);
  EXPECT_EQ(call("GET", "/clones/..").status, 404);
  EXPECT_EQ(core_.names_seen(), (std::vector<std::string>{"../x", "a b/c", ".."}));
  Response bad = call("GET", "/templates/a%zz");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(error_message(bad).find("'%zz'"), std::string::npos);
}

TEST_F(RoutesTest, MethodNotAllowedCarriesAllow) {
  RawAnswer answer =
      parse_answer(raw("PATCH /templates HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  EXPECT_EQ(answer.status, 405);
  EXPECT_EQ(answer.headers["allow"], "GET, POST");
  EXPECT_EQ(answer.headers["content-type"], "application/json");
}

TEST_F(RoutesTest, LengthAndMediaTypeOfBodies) {
  RawAnswer no_length =
      parse_answer(raw("POST /clones HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  EXPECT_EQ(no_length.status, 411);
  EXPECT_EQ(json::parse(no_length.body)["error"]["code"], "length_required");
  RawAnswer form = parse_answer(
      raw("POST /clones HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
          "Content-Length: 2\r\nConnection: close\r\n\r\n{}"));
  EXPECT_EQ(form.status, 415);
  // curl -X POST .../pause sends no length: fine for a route without a body.
  RawAnswer pause =
      parse_answer(raw("POST /clones/x/pause HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  EXPECT_EQ(pause.status, 404);
  // Chunked bodies are read like any other.
  RawAnswer chunked =
      parse_answer(raw("PUT /templates/x/pool HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                       "Connection: close\r\n\r\n5\r\n{\"siz\r\n5\r\ne\":1}\r\n0\r\n\r\n"));
  EXPECT_EQ(chunked.status, 404);
  EXPECT_EQ(json::parse(chunked.body)["error"]["message"], "no template named 'x'");
}

TEST_F(RoutesTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  std::string answers =
      raw("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
          "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
          "GET /templates HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(parse_answer(answers).status, 200);
  size_t second = answers.find("HTTP/1.1 404");
  ASSERT_NE(second, std::string::npos);
  size_t third = answers.find("HTTP/1.1 200", second);
  ASSERT_NE(third, std::string::npos);
  EXPECT_EQ(parse_answer(answers.substr(third)).body, R"({"templates":[]})");
}

TEST_F(RoutesTest, Http10ClosesAfterOneAnswer) {
  RawAnswer answer = parse_answer(raw("GET /health HTTP/1.0\r\n\r\n").replace(5, 3, "1.1"));
  EXPECT_EQ(answer.status, 200);
}

}  // namespace
}  // namespace mimeo::daemon::testing
