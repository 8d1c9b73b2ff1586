// docs/api/openapi.yaml and the server agree: every documented path and
// method is routed, and every method the server routes on a documented path
// is documented.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>

#include "daemon/api_request.h"

namespace mimeo::daemon {
namespace {

// path -> methods, from the "paths:" section's indentation (2: path, 4: method).
std::map<std::string, std::set<std::string>> documented_routes() {
  std::ifstream in(std::string(MIMEO_SOURCE_DIR) + "/docs/api/openapi.yaml");
  std::map<std::string, std::set<std::string>> routes;
  std::string line;
  std::string path;
  bool in_paths = false;
  const std::regex path_line("^  (/[^:]*):$");
  const std::regex method_line("^    (get|put|post|delete|patch|head|options):$");
  std::smatch match;
  while (std::getline(in, line)) {
    if (line == "paths:") {
      in_paths = true;
    } else if (!line.empty() && line[0] != ' ') {
      in_paths = false;
    } else if (in_paths && std::regex_match(line, match, path_line)) {
      path = match[1];
      routes[path];
    } else if (in_paths && std::regex_match(line, match, method_line)) {
      std::string method = match[1];
      for (char& c : method) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
      routes[path].insert(method);
    }
  }
  return routes;
}

std::string concrete(const std::string& path) {
  return std::regex_replace(path, std::regex("\\{[a-z]+\\}"), "x");
}

// A documented path pattern ("/templates/{name}") matches `target` and has `method`.
bool documented(const std::map<std::string, std::set<std::string>>& routes,
                const std::string& method, const std::string& target) {
  for (const auto& [path, methods] : routes) {
    std::regex pattern("^" + std::regex_replace(path, std::regex("\\{[a-z]+\\}"), "[^/]+") + "$");
    if (methods.count(method) != 0 && std::regex_match(target, pattern)) {
      return true;
    }
  }
  return false;
}

bool routed(const std::string& method, const std::string& target) {
  auto request = parse_api_request({method, target, std::nullopt, "", true});
  return request.ok() || (request.error().status != 404 && request.error().status != 405);
}

// "/templates/import" is a path of its own (POST) and a template's (GET, DELETE).
TEST(OpenApiTest, DocumentsEveryRouteAndOnlyThose) {
  auto routes = documented_routes();
  ASSERT_EQ(routes.size(), 11U);
  for (const auto& [path, methods] : routes) {
    std::string target = concrete(path);
    for (const char* method : {"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS"}) {
      EXPECT_EQ(routed(method, target), documented(routes, method, target))
          << method << " " << target;
    }
  }
}

}  // namespace
}  // namespace mimeo::daemon
