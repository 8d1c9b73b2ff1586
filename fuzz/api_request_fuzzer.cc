// The REST API's request handling, from untrusted bytes. The first byte picks:
//   even: parse_api_request and dispatch on "METHOD\nTARGET\nCONTENT-TYPE\nBODY"
//         (bit 1: the body is framed), with a core that echoes names back;
//   odd:  the bytes as a raw HTTP connection through serve_connection (Beast's
//         parser, keep-alive, limits) on a socketpair, the client half-closing.
// Every request gets a parsed request or an error of a known status, every
// answer is well-formed HTTP, and every JSON body is valid JSON.
#include <sys/socket.h>
#include <unistd.h>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/api_dispatch.h"
#include "daemon/api_request.h"
#include "daemon/http_connection.h"

namespace mimeo::daemon {
namespace {

using namespace service;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "api_request_fuzzer: %s: %s\n", what, detail.c_str());
  std::abort();
}

// Answers from the names it gets, so raw bytes reach the JSON rendering.
class EchoCore : public RequestHandler {
 public:
  ServiceResult<TemplateInfo> create_template(const TemplateSpec& spec) override {
    return info_or_error(spec.name);
  }
  ServiceResult<TemplateInfo> import_template(const TemplateImport& request) override {
    return info_or_error(request.name);
  }
  std::vector<TemplateInfo> list_templates() override { return {info("a"), info("\xff")}; }
  ServiceResult<TemplateInfo> get_template(const std::string& name) override {
    return info_or_error(name);
  }
  ServiceResult<TemplateInfo> set_pool_size(const std::string& name, unsigned size) override {
    auto result = info_or_error(name);
    if (result.ok()) {
      result->pool_size = size;
    }
    return result;
  }
  ServiceStatus delete_template(const std::string& name) override {
    if (name.size() % 2 == 1) {
      return conflict("template " + name + " has clones");
    }
    return {};
  }
  ServiceResult<std::vector<CloneOutcome>> create_clones(const CloneRequest& request) override {
    if (request.template_name.size() % 5 == 0) {
      return not_found("no template " + request.template_name);
    }
    std::vector<CloneOutcome> outcomes;
    for (unsigned i = 0; i < request.count && i < 20; ++i) {  // answers fit a socket buffer
      if ((request.template_name.size() + i) % 3 == 0) {
        outcomes.push_back(
            {std::nullopt, ServiceError{ErrorKind::kNoSpace, request.template_name}});
      } else {
        outcomes.push_back({clone(request.name.value_or(request.template_name)), std::nullopt});
      }
    }
    return outcomes;
  }
  std::vector<CloneInfo> list_clones() override { return {clone("x")}; }
  ServiceResult<CloneInfo> get_clone(const std::string& ref) override {
    return clone_or_error(ref);
  }
  ServiceResult<CloneInfo> pause_clone(const std::string& ref) override {
    return clone_or_error(ref);
  }
  ServiceResult<CloneInfo> resume_clone(const std::string& ref) override {
    return clone_or_error(ref);
  }
  ServiceStatus delete_clone(const std::string& ref) override {
    if (ref.size() % 2 == 0) {
      return ServiceError{ErrorKind::kUnavailable, "stopping: " + ref};
    }
    return {};
  }
  Health health() override { return {"fuzz", 1.5, 1, 2, 3}; }
  MetricsSnapshot metrics() override {
    MetricsSnapshot m;
    m.clone_create_seconds = {{0.001, 0.01}, {1, 2}, 0.02, 3};
    m.errors_total = {{"clone_start", 1}};
    return m;
  }

 private:
  static TemplateInfo info(const std::string& name) {
    return {name, "/t/" + name, true, 1 << 20, 1, 1, 2, 1, 0};
  }
  static CloneInfo clone(const std::string& ref) {
    return {ref, ref, ref, CloneState::kPaused, 1, ref, ref, 1, 0.5, true, ref};
  }
  static ServiceResult<TemplateInfo> info_or_error(const std::string& name) {
    if (name.size() % 4 == 0) {
      return not_found("no template " + name);
    }
    return info(name);
  }
  static ServiceResult<CloneInfo> clone_or_error(const std::string& ref) {
    if (ref.size() % 4 == 0) {
      return not_found("no clone " + ref);
    }
    return clone(ref);
  }
};

const std::set<int> kStatuses = {100, 200, 201, 204, 207, 400, 404, 405, 408,
                                 409, 411, 413, 415, 431, 500, 503, 507};

void check_json(std::string_view body) {
  if (!nlohmann::json::accept(body)) {
    fail("an answer's body is not JSON", std::string(body));
  }
}

void check_parse(const HttpInput& input) {
  auto request = parse_api_request(input);
  if (!request.ok()) {
    const ApiError& error = request.error();
    static const std::set<int> kParseStatuses = {400, 404, 405, 411, 415};
    if (kParseStatuses.count(error.status) == 0 || error.code.empty() || error.message.empty() ||
        (error.status == 405) == error.allow.empty()) {
      fail("bad parse error", std::to_string(error.status) + " " + error.code);
    }
  } else if (auto* clones = std::get_if<CreateClones>(&*request)) {
    if (clones->request.count < 1 || clones->request.count > kMaxClonesPerRequest ||
        (clones->request.name && clones->request.count != 1)) {
      fail("a clone request out of range passed", std::to_string(clones->request.count));
    }
  } else if (auto* create = std::get_if<CreateTemplate>(&*request)) {
    const ReadyCondition& ready = create->spec.ready;
    if (ready.serial_text.has_value() == ready.after_seconds.has_value()) {
      fail("a template without exactly one ready condition passed", create->spec.name);
    }
  }
  EchoCore core;
  StatusCounts counts;
  ApiResponse response = answer(input, core, counts);
  if (kStatuses.count(response.status) == 0) {
    fail("unexpected status", std::to_string(response.status));
  }
  if (response.content_type == kJsonContentType) {
    check_json(response.body);
  }
}

void fields_mode(std::string_view data, bool framed) {
  std::string_view parts[4];
  for (int i = 0; i < 3; ++i) {
    size_t newline = data.find('\n');
    parts[i] = data.substr(0, newline);
    data = newline == std::string_view::npos ? std::string_view() : data.substr(newline + 1);
  }
  parts[3] = data;
  HttpInput input{parts[0], parts[1], std::nullopt, parts[3], framed};
  if (!parts[2].empty()) {
    input.content_type = parts[2];
  }
  check_parse(input);
}

// Which of the requests in `input` are HEAD requests (their answers have no
// body), read as the server reads them, up to the first it cannot read.
std::vector<bool> head_requests(std::string_view input, const ConnectionLimits& limits) {
  namespace http = boost::beast::http;
  std::vector<bool> heads;
  while (!input.empty()) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<uint32_t>(limits.max_header_bytes));
    parser.body_limit(limits.max_body_bytes);
    parser.eager(true);
    boost::beast::error_code ec;
    size_t used = parser.put(boost::asio::buffer(input.data(), input.size()), ec);
    if (ec || !parser.is_done()) {
      break;
    }
    heads.push_back(parser.get().method() == http::verb::head);
    input.remove_prefix(used);
  }
  return heads;
}

// Every answer in `output` must be a complete HTTP response of a known status.
void check_answers(const std::string& output, const std::vector<bool>& heads) {
  namespace http = boost::beast::http;
  if (output.empty()) {
    return;  // the client sent nothing, or went quiet between requests
  }
  size_t answered = 0;
  boost::beast::flat_buffer buffer;
  auto space = buffer.prepare(output.size());
  std::memcpy(space.data(), output.data(), output.size());
  buffer.commit(output.size());
  while (buffer.size() != 0) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(16 * 1024 * 1024);
    parser.eager(true);
    const bool head = answered < heads.size() && heads[answered];
    parser.skip(head);
    boost::beast::error_code ec;
    size_t used = parser.put(buffer.data(), ec);
    if (ec || !parser.is_done()) {
      fail("malformed answer", ec.message() + ": " + output);
    }
    if (parser.get().result_int() >= 200) {
      ++answered;  // 100 Continue is not the request's answer
    }
    buffer.consume(used);
    const auto& response = parser.get();
    if (kStatuses.count(static_cast<int>(response.result_int())) == 0) {
      fail("unexpected status", std::to_string(response.result_int()));
    }
    if (!head && response[http::field::content_type] == kJsonContentType) {
      check_json({response.body().data(), response.body().size()});
    }
  }
}

void raw_mode(std::string_view data) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    fail("socketpair", "");
  }
  if (::send(fds[0], data.data(), data.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(data.size())) {
    fail("short send", std::to_string(data.size()));
  }
  ::shutdown(fds[0], SHUT_WR);
  EchoCore core;
  StatusCounts counts;
  ConnectionLimits limits;
  limits.max_header_bytes = 1024;  // small limits, so short inputs reach them
  limits.max_body_bytes = 2048;
  limits.timeout = std::chrono::milliseconds(2000);
  serve_connection(fds[1], -1, limits, core, counts);
  ::close(fds[1]);
  std::string output;
  char chunk[65536];
  ssize_t n;
  while ((n = ::recv(fds[0], chunk, sizeof chunk, MSG_DONTWAIT)) > 0) {
    output.append(chunk, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  check_answers(output, head_requests(data, limits));
}

}  // namespace
}  // namespace mimeo::daemon

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    return 0;
  }
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    mimeo::daemon::fields_mode(input, (data[0] & 2) != 0);
  } else {
    mimeo::daemon::raw_mode(input);
  }
  return 0;
}
