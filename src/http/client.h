// Client: HTTP/1.1 calls between roles (plain HTTP; TLS comes later).
//
//   Client client({.total_timeout = std::chrono::seconds(5)});
//   // In a coroutine (a handler, say), on the caller's executor:
//   Result<ClientResponse> r = co_await client.Send(
//       ClientRequest::Json("POST", base + "/reservations", body)
//           .WithHeader("Idempotency-Key", key));
//   if (!r.ok()) co_return ErrorResponse(r.status());        // transport failure
//   if (Status s = r->ToStatus(); !s.ok()) co_return ErrorResponse(s);  // error response
//   // From a plain thread (tests, CLIs):
//   Result<ClientResponse> h = client.SendBlocking(ClientRequest::Get(base + "/healthz"));
//
// Result semantics: an error Status only when no usable response arrived
// (kUnavailable: refused, reset, closed early, malformed response;
// kDeadlineExceeded: a timeout; kPayloadTooLarge: the response exceeded
// max_response_bytes; kInvalidArgument: a bad URL or header). Any HTTP
// response, 4xx and 5xx included, is a ClientResponse; ToStatus() turns it
// into the Status of error.h's JSON body.
//
// Retries, with exponential backoff and jitter, only for idempotent requests:
// GET, HEAD, PUT, DELETE, OPTIONS, or any request with an Idempotency-Key
// header. They happen on connection errors, timeouts and 5xx responses
// other than 501, up to max_attempts and within total_timeout; when they run
// out, the last response or error is returned. A POST without
// Idempotency-Key is sent exactly once, on a fresh connection, whatever
// happens.
//
// Connections are kept alive and reused (per host:port, at most
// max_idle_per_host idle ones) for idempotent requests; one found closed by
// the server before any response byte is retried on a fresh connection
// without counting as an attempt.
//
// Thread-safety: a Client may be used from any number of threads and
// coroutines at once. It must outlive the calls made through it. Send()
// runs on the awaiting coroutine's executor; SendBlocking() runs on a
// private thread and must not be called from a coroutine.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/random.h"
#include "base/status.h"
#include "http/message.h"

namespace backline::http {

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{2'000};
  // One attempt: connect, send, receive the whole response.
  std::chrono::milliseconds attempt_timeout{10'000};
  // Every attempt and the backoff between them; ClientRequest::timeout
  // overrides it per call.
  std::chrono::milliseconds total_timeout{30'000};
  uint64_t max_response_bytes = 16 << 20;
  size_t max_header_bytes = size_t{64} * 1024;
  int max_attempts = 3;  // for idempotent requests; 1 disables retries
  std::chrono::milliseconds initial_backoff{50};
  std::chrono::milliseconds max_backoff{2'000};
  size_t max_idle_per_host = 8;
  // Idle pooled connections older than this are closed, not reused; keep it
  // below the servers' idle timeout.
  std::chrono::milliseconds pool_idle_timeout{20'000};
  std::string user_agent = "backline";
  // Borrowed; must outlive the client; thread-safe if the client is used
  // from several threads. nullptr: SystemRandom. Backoff jitter only.
  RandomSource* random = nullptr;
};

struct ClientRequest {
  std::string method = "GET";
  // "http://host:port/path?query"; host is an IP literal or a name.
  std::string url;
  Headers headers;
  std::string body;
  std::optional<std::chrono::milliseconds> timeout;  // replaces total_timeout

  static ClientRequest Get(std::string url);
  // `body` with Content-Type: application/json.
  static ClientRequest Json(std::string method, std::string url, std::string body);
  ClientRequest&& WithHeader(std::string name, std::string value) &&;
  ClientRequest& WithHeader(std::string name, std::string value) &;
};

struct ClientResponse {
  int status = 0;
  Headers headers;
  std::string body;
  int attempts = 1;  // how many attempts it took

  bool ok() const { return status >= 200 && status < 300; }
  // OK for 2xx; otherwise the Status named by the error body (error.h).
  Status ToStatus() const;
};

class Client {
 public:
  explicit Client(ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  boost::asio::awaitable<Result<ClientResponse>> Send(ClientRequest request);
  Result<ClientResponse> SendBlocking(ClientRequest request);

 private:
  struct Impl;
  struct BlockingRuntime;
  std::shared_ptr<Impl> impl_;
  std::unique_ptr<BlockingRuntime> blocking_;
};

}  // namespace backline::http
