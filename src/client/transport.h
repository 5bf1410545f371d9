// HttpTransport: the one seam between the client's logic and the network.
//
// The commands (commands.h) and the download pipeline (download.h) speak to
// merchants and delivery nodes only through this interface, so their logic
// can be read and tested apart from libcurl. CurlTransport (curl_transport.h)
// is the real implementation; tests use it too, against a real local server.
//
//   HttpRequest req{.method = "GET", .url = "http://127.0.0.1:8081/v1/catalog"};
//   BL_ASSIGN_OR_RETURN(HttpResponse res, transport.Send(req));
//   if (res.status != 200) return http::StatusFromResponse(res.status, res.body);
//
// Errors: a transport returns a non-OK Status only when no complete HTTP
// response was received (refused connection, DNS, timeout, reset, malformed
// response): kUnavailable, or kDeadlineExceeded for a timeout. Any HTTP
// status, 4xx and 5xx included, is a successful Send().
//
// Thread-safety: an implementation may be used by one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace backline::client {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// The first value of header `name` (ASCII case-insensitive), or nullopt.
std::optional<std::string_view> FindHeader(const HeaderList& headers, std::string_view name);

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // absolute: http(s)://host[:port]/path[?query]
  HeaderList headers{};
  std::string body{};
  // The whole exchange for Send(); for Stream(), the connection phase only
  // (a stream may last as long as data keeps arriving, see stall_timeout).
  std::chrono::milliseconds timeout{30'000};
  // Stream(): abort when fewer than 1 byte/s arrives for this long.
  std::chrono::milliseconds stall_timeout{60'000};
};

struct HttpResponse {
  int status = 0;
  HeaderList headers{};
  std::string body{};
};

// Receives a streamed response. OnResponse is called once, before any body
// byte, with the final response's status and headers; then OnBody for each
// piece of the body as it arrives. Returning an error from either aborts
// the transfer, and Stream() returns that error.
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  virtual Status OnResponse(int status, const HeaderList& headers) = 0;
  virtual Status OnBody(ByteSpan data) = 0;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;

  // One request, the whole response in memory (bodies over 16 MiB are
  // refused with kPayloadTooLarge).
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;

  // One request, the response body handed to `sink` as it arrives. OK when
  // the response was received completely and the sink accepted all of it.
  virtual Status Stream(const HttpRequest& request, ResponseSink& sink) = 0;
};

}  // namespace backline::client
