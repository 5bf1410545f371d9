// Server: HTTP/1.1 on Boost.Beast and C++20 coroutines, behind a Router.
//
//   Router router;
//   router.Get("/hello", [](const Request&) { return JsonResponse({{"hello", "world"}}); });
//   Server server(std::move(router), {.name = "merchant", .threads = 2});
//   BL_ASSIGN_OR_RETURN(uint16_t port, server.Listen("127.0.0.1", 0));
//   WaitForTerminationSignal();
//   server.Stop(std::chrono::seconds(10));
//
// What the server does for every role, so handlers don't:
//   - Built-in routes, unless the router already has them: GET /healthz
//     ({"status":"ok"} plus ServerOptions::health_details; 503 when that sets
//     "status" to anything else) and GET /metrics (Prometheus text).
//   - Limits. Request header size (413), per-route body size (413, refused
//     from Content-Length before any body byte is read), header and body read
//     deadlines (an absolute deadline per request, so a client trickling one
//     byte at a time gains nothing; on expiry the connection is closed without
//     a response), idle keep-alive timeout, per-write stall timeout while
//     sending, and a cap on open connections (beyond it a connection gets a
//     canned 503 UNAVAILABLE and is closed at once; counted in
//     backline_http_rejected_connections_total).
//   - Errors: every response the server makes itself uses error.h's mapping
//     and JSON body. A request it cannot parse gets 400, then the connection
//     is closed; after an early error with an unread body (413, 404 with a
//     body) the server stops writing, drains briefly and closes, so the client
//     can read the answer instead of a reset.
//   - Keep-alive and pipelining: requests on a connection are answered in
//     order, one at a time; bytes of the next request that arrive early wait
//     in the connection's buffer.
//   - Streamed responses (Response::stream): sent chunk by chunk, each chunk
//     awaited before the next is pulled, so memory stays at one chunk per
//     connection; Response::on_complete reports whether everything was sent.
//   - Request ids: X-Request-Id (see Request::request_id) on every response.
//   - Metrics (labels server, method, route pattern, status):
//     backline_http_requests_total, backline_http_request_duration_seconds,
//     backline_http_response_bytes_total, backline_http_open_connections,
//     backline_http_rejected_connections_total,
//     backline_http_connection_timeouts_total.
//
// Threads: the server owns an io_context run by `threads` threads; each
// connection runs on its own strand. Several servers may live in one
// process, each with its own threads, optionally sharing a MetricsRegistry.
//
// Thread-safety: Listen, Stop and the accessors may be called from any
// thread except the server's own (Stop waits for handlers to finish, so
// calling it from a handler would wait for itself).
#pragma once

#include <boost/json/fwd.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/random.h"
#include "base/status.h"
#include "http/message.h"
#include "http/metrics.h"
#include "http/router.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace backline::http {

struct ServerOptions {
  // The "server" label on this server's metrics and the name of its logger.
  std::string name = "http";
  int threads = 1;
  size_t max_connections = 1024;
  // Request line plus header fields.
  size_t max_header_bytes = size_t{16} * 1024;
  // From accept (first request) or from the first byte of a request (later
  // ones) until the header is complete.
  std::chrono::milliseconds header_timeout{10'000};
  // From the end of the header until the body is complete.
  std::chrono::milliseconds body_timeout{60'000};
  // Keep-alive: how long a connection may wait for its next request.
  std::chrono::milliseconds idle_timeout{60'000};
  // Sending: how long one write (one chunk) may take before the client is
  // deemed to have stopped reading.
  std::chrono::milliseconds write_stall_timeout{30'000};
  // How long an early error response waits for the client's unread body to
  // drain before the socket is closed.
  std::chrono::milliseconds linger_timeout{2'000};
  // Bytes pulled from a BodySource per chunk; also the slice in which large
  // in-memory bodies are written.
  size_t stream_chunk_bytes = size_t{64} * 1024;
  // SO_SNDBUF for accepted sockets; 0 leaves the kernel's autotuning.
  int socket_send_buffer_bytes = 0;
  int listen_backlog = 512;
  // Borrowed; must outlive the server. nullptr: the server owns a registry.
  MetricsRegistry* metrics = nullptr;
  // Borrowed; must outlive the server. nullptr: SystemRandom. Request ids.
  RandomSource* random = nullptr;
  // Adds fields to the GET /healthz object, which starts as {"status":"ok"}.
  // Called on a server thread; must be quick.
  std::function<void(boost::json::object&)> health_details;
};

class Server {
 public:
  // The router is moved in and frozen.
  explicit Server(Router router, ServerOptions options = {});
  // Stops with no grace period if still running.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds host:port (port 0 picks a free one), starts the threads on the
  // first call, and returns the bound port. `host` is an IP literal or
  // "localhost". May be called again for another address.
  Result<uint16_t> Listen(std::string_view host, uint16_t port);

  // Stops accepting, closes idle connections, lets requests in flight finish
  // (their responses carry Connection: close) for up to `grace`, then closes
  // what is left and joins the threads. Idempotent.
  void Stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

  // The port of the first Listen(); 0 before.
  uint16_t port() const;
  MetricsRegistry& metrics();
  size_t open_connections() const;
  // The server's io_context, to run background work on its threads (for
  // example co_spawn a periodic task). Valid until the server is destroyed.
  boost::asio::io_context& io_context();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// For mains: blocks until SIGINT or SIGTERM arrives, then returns so the
// caller can Stop() its servers. The handlers stay installed until return.
void WaitForTerminationSignal();

// For fuzzers and tests: runs `raw` (one or more pipelined requests, as
// bytes from a socket) through the same parser, limits, router, handlers and
// response writer that a connection uses, with no socket, and returns every
// byte the server would have written. Coroutine handlers run on a private
// io_context; those that wait on real network I/O would hang, so fuzz with
// plain handlers. Timeouts do not apply. `options.metrics` and
// `options.random` are honoured; the built-in routes are not added.
std::string HandleRawForTesting(const Router& router, std::string_view raw,
                                const ServerOptions& options = {});

}  // namespace backline::http
