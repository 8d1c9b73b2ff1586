// docs/api/openapi.yaml as it was when the daemon was built, for
// GET /openapi.yaml. Its definition is generated at build time
// (cmake/embed_file.cmake), so the file and the answer cannot drift apart.
#pragma once

#include <string_view>

namespace mimeo::daemon {

inline constexpr const char* kYamlContentType = "application/yaml";

// The document's bytes, exactly as in the file.
[[nodiscard]] std::string_view openapi_document();

}  // namespace mimeo::daemon
