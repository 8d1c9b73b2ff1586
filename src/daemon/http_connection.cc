#include "daemon/http_connection.h"

#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <sstream>

#include "daemon/api_dispatch.h"
#include "daemon/fd_stream.h"

namespace mimeo::daemon {

namespace {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

std::string_view view(boost::beast::string_view text) { return {text.data(), text.size()}; }

// `head`: the answer to a HEAD request has the headers of the full answer, no body.
Response make_response(const ApiResponse& answer, unsigned version, bool keep_alive,
                       bool head = false) {
  Response response;
  response.version(version);
  response.result(static_cast<unsigned>(answer.status));
  if (!answer.content_type.empty()) {
    response.set(http::field::content_type, answer.content_type);
  }
  if (!answer.allow.empty()) {
    response.set(http::field::allow, answer.allow);
  }
  response.body() = answer.body;
  response.keep_alive(keep_alive);
  response.prepare_payload();
  if (head) {
    response.body().clear();
  }
  return response;
}

// Sends the answer; false when the connection is no longer usable.
bool send(FdStream& stream, const ApiResponse& answer, unsigned version, bool keep_alive, bool head,
          const ConnectionLimits& limits, StatusCounts& answers) {
  answers.count(answer.status);
  Response response = make_response(answer, version, keep_alive, head);
  stream.expires_after(limits.timeout);
  boost::beast::error_code ec;
  http::write(stream, response, ec);
  return !ec;
}

// The answer to a request that could not be read, or nullopt to just hang up
// (the client closed, went quiet between requests, or the server stops).
std::optional<ApiError> read_failure(const boost::beast::error_code& ec, bool got_some) {
  if (ec == http::error::end_of_stream || ec == boost::asio::error::operation_aborted) {
    return std::nullopt;
  }
  if (ec == boost::beast::error::timeout) {
    if (!got_some) {
      return std::nullopt;
    }
    return ApiError{408, "timeout", "the request did not arrive in time", {}};
  }
  if (ec == http::error::header_limit) {
    return ApiError{431, "headers_too_large", "the request's header is too large", {}};
  }
  if (ec == http::error::body_limit) {
    return ApiError{413, "too_large", "the request's body is too large", {}};
  }
  return bad_request("malformed HTTP request: " + ec.message());
}

bool expects_continue(const Request& request) {
  auto expect = request[http::field::expect];
  return boost::beast::iequals(expect, "100-continue");
}

// Reads one request into `parser`; answers 100 Continue when the client waits for it.
boost::beast::error_code read_request(FdStream& stream, boost::beast::flat_buffer& buffer,
                                      http::request_parser<http::string_body>& parser) {
  boost::beast::error_code ec;
  http::read_header(stream, buffer, parser, ec);
  if (ec || parser.is_done()) {
    return ec;
  }
  if (expects_continue(parser.get())) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    boost::asio::write(stream, boost::asio::buffer(kContinue.data(), kContinue.size()), ec);
    if (ec) {
      return ec;
    }
  }
  http::read(stream, buffer, parser, ec);
  return ec;
}

void serve(FdStream& stream, const ConnectionLimits& limits, service::RequestHandler& handler,
           StatusCounts& answers) {
  boost::beast::flat_buffer buffer;
  while (!stream.stopped()) {
    stream.expires_after(limits.timeout);
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<uint32_t>(limits.max_header_bytes));
    parser.body_limit(limits.max_body_bytes);
    boost::beast::error_code ec = read_request(stream, buffer, parser);
    if (ec) {
      bool got_some = parser.got_some() || buffer.size() != 0;
      if (auto error = read_failure(ec, got_some)) {
        (void)send(stream, error_response(*error), 11, false, false, limits, answers);
      }
      return;
    }
    const Request& request = parser.get();
    HttpInput input;
    input.method = view(request.method_string());
    input.target = view(request.target());
    if (auto type = request.find(http::field::content_type); type != request.end()) {
      input.content_type = view(type->value());
    }
    input.body = request.body();
    input.body_framed = parser.content_length().has_value() || parser.chunked();
    ApiResponse response = answer(input, handler, answers);
    bool head = request.method() == http::verb::head;
    if (!send(stream, response, request.version(), request.keep_alive(), head, limits, answers) ||
        !request.keep_alive()) {
      return;
    }
  }
}

}  // namespace

void serve_connection(int fd, int stop_fd, const ConnectionLimits& limits,
                      service::RequestHandler& handler, StatusCounts& answers) {
  FdStream stream(fd, stop_fd);
  try {
    serve(stream, limits, handler, answers);
  } catch (const std::exception&) {
    // Only allocation can throw here; the connection just ends.
  }
}

std::string busy_answer(unsigned max_connections) {
  ApiResponse answer = error_response({503,
                                       "unavailable",
                                       "the daemon is serving " + std::to_string(max_connections) +
                                           " connections, its limit; retry later",
                                       {}});
  std::ostringstream text;
  text << make_response(answer, 11, false);
  return text.str();
}

}  // namespace mimeo::daemon
