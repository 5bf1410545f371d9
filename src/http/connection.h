// Private to backline_http: one HTTP/1.1 connection, as a coroutine over a
// stream. Templated on the stream so the same code serves TCP sockets
// (beast::tcp_stream) and HandleRawForTesting's in-memory RawStream. Only
// server.cc includes this; it is where Beast lives on the server side.
//
// A Connection runs on its stream's executor (a strand per socket) and is
// touched only there; RequestStop() must be posted to that executor.
#pragma once

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/id.h"
#include "base/random.h"
#include "http/error.h"
#include "http/message.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"

namespace backline::http::internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using ErrorCode = boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

inline constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// What every connection of one server shares. Owned by the server (or by
// HandleRawForTesting) and outlives its connections.
struct ServerContext {
  const Router* router = nullptr;
  ServerOptions options;
  RandomSource* random = nullptr;
  std::shared_ptr<spdlog::logger> log;
  std::atomic<bool> stopping{false};

  CounterFamily* requests = nullptr;
  HistogramFamily* latency = nullptr;
  CounterFamily* response_bytes = nullptr;
  Gauge* open_connections = nullptr;
  Counter* rejected_connections = nullptr;
  Counter* timeouts = nullptr;

  // Registers this server's series in `registry`.
  void BindMetrics(MetricsRegistry& registry) {
    const std::string& n = options.name;
    requests = &registry.AddCounter("backline_http_requests_total",
                                    "HTTP requests answered, by route pattern and status.",
                                    {"server", "method", "route", "status"});
    latency = &registry.AddHistogram(
        "backline_http_request_duration_seconds",
        "From the complete request header to the last response byte handed to the socket.",
        {"server", "method", "route"});
    response_bytes = &registry.AddCounter("backline_http_response_bytes_total",
                                          "Response bytes handed to sockets (head and body).",
                                          {"server", "route"});
    open_connections =
        &registry
             .AddGauge("backline_http_open_connections", "Connections currently open.", {"server"})
             .WithLabels({n});
    rejected_connections =
        &registry
             .AddCounter("backline_http_rejected_connections_total",
                         "Connections refused at the connection limit.", {"server"})
             .WithLabels({n});
    timeouts =
        &registry
             .AddCounter("backline_http_connection_timeouts_total",
                         "Connections closed because a read or write deadline passed.", {"server"})
             .WithLabels({n});
  }
};

// ---- stream adapters: what a Connection needs beyond read and write ----

inline void SetDeadline(beast::tcp_stream& s, SteadyClock::time_point t) { s.expires_at(t); }
inline void CloseStream(beast::tcp_stream& s) { s.close(); }
inline void ShutdownSend(beast::tcp_stream& s) {
  ErrorCode ec;
  s.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
}

// An in-memory stream: reads come from `input` then EOF; writes append to
// `output`. Completions are posted, never invoked inline, as with sockets.
class RawStream {
 public:
  using executor_type = asio::any_io_executor;

  RawStream(executor_type ex, std::string_view input, std::string& output)
      : ex_(std::move(ex)), input_(input), output_(&output) {}

  executor_type get_executor() const { return ex_; }

  template <typename MutableBuffers, typename Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(ErrorCode, size_t)>(
        [this](auto handler, const MutableBuffers& b) {
          ErrorCode ec;
          size_t n = 0;
          if (closed_) {
            ec = asio::error::bad_descriptor;
          } else if (pos_ >= input_.size()) {
            if (asio::buffer_size(b) > 0) ec = asio::error::eof;
          } else {
            n = asio::buffer_copy(b, asio::buffer(input_.data() + pos_, input_.size() - pos_));
            pos_ += n;
          }
          Complete(std::move(handler), ec, n);
        },
        token, buffers);
  }

  template <typename ConstBuffers, typename Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(ErrorCode, size_t)>(
        [this](auto handler, const ConstBuffers& b) {
          ErrorCode ec;
          size_t n = 0;
          if (closed_ || send_shut_) {
            ec = asio::error::broken_pipe;
          } else {
            for (auto it = asio::buffer_sequence_begin(b); it != asio::buffer_sequence_end(b);
                 ++it) {
              asio::const_buffer piece(*it);
              output_->append(static_cast<const char*>(piece.data()), piece.size());
              n += piece.size();
            }
          }
          Complete(std::move(handler), ec, n);
        },
        token, buffers);
  }

  void Close() { closed_ = true; }
  void ShutdownSend() { send_shut_ = true; }

 private:
  template <typename Handler>
  void Complete(Handler&& handler, ErrorCode ec, size_t n) {
    auto ex = asio::get_associated_executor(handler, ex_);
    asio::post(ex, [h = std::forward<Handler>(handler), ec, n]() mutable { std::move(h)(ec, n); });
  }

  executor_type ex_;
  std::string_view input_;
  size_t pos_ = 0;
  std::string* output_;
  bool closed_ = false;
  bool send_shut_ = false;
};

inline void SetDeadline(RawStream&, SteadyClock::time_point) {}
inline void CloseStream(RawStream& s) { s.Close(); }
inline void ShutdownSend(RawStream& s) { s.ShutdownSend(); }

// ---- helpers shared by every stream type (defined in server.cc) ----
// Kept out of the coroutines on purpose: g++ 12 mishandles some temporaries
// (range-for over a returned view) inside coroutine bodies.

// A request-target in origin form, percent-decoded.
struct ParsedTarget {
  std::string path;
  std::vector<std::string> segments;
  std::vector<std::pair<std::string, std::string>> query;
};
// Origin form ("/path?query") or absolute form ("http://host/path?query");
// INVALID_ARGUMENT for anything else.
Result<ParsedTarget> ParseTarget(std::string_view target);

// "GET", ...; "OTHER" for methods outside the common set, so a client cannot
// blow up metric cardinality with invented methods.
std::string_view MethodLabel(std::string_view method);
// The caller's X-Request-Id when sane, else a fresh random id.
std::string ChooseRequestId(std::optional<std::string_view> incoming, RandomSource& random);
// Header names must be tokens and values free of CR, LF and NUL, or a
// handler could split the response.
bool IsSafeHeader(std::string_view name, std::string_view value);
// Headers the server writes itself; a handler's copies are dropped.
bool IsManagedHeader(std::string_view name);

template <typename Stream>
class Connection : public std::enable_shared_from_this<Connection<Stream>> {
 public:
  Connection(ServerContext& ctx, Stream stream, std::string remote)
      : ctx_(ctx),
        stream_(std::move(stream)),
        remote_(std::move(remote)),
        header_deadline_(SteadyClock::now() + ctx.options.header_timeout) {}

  ~Connection() {
    if (on_destroy_) on_destroy_();
  }

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs when the connection object goes away (the server's bookkeeping).
  void SetOnDestroy(std::function<void()> f) { on_destroy_ = std::move(f); }
  asio::any_io_executor executor() { return stream_.get_executor(); }

  // Serves requests until the peer closes, a limit is hit, or the server
  // stops. `self` keeps the connection alive for the coroutine's lifetime.
  static asio::awaitable<void> Run(std::shared_ptr<Connection> self) {
    // Each co_await is a statement of its own: g++ 12 miscompiles some
    // co_await expressions nested in conditions and return statements.
    while (true) {
      bool more = co_await self->WaitForRequest();
      if (!more) break;
      bool keep = co_await self->ServeOne();
      if (!keep) break;
    }
    ShutdownSend(self->stream_);
    CloseStream(self->stream_);
  }

  // On the connection's executor. Graceful: close now if waiting between
  // requests, else let the current request finish (its response says
  // Connection: close). Forced: close now.
  void RequestStop(bool force) {
    if (force || idle_) CloseStream(stream_);
  }

 private:
  static constexpr size_t kReadChunk = size_t{16} * 1024;

  // Waits (idle timeout) for the first byte of the next request. False: close.
  asio::awaitable<bool> WaitForRequest() {
    if (buffer_.size() > 0) {  // pipelined bytes already here
      if (!first_) header_deadline_ = SteadyClock::now() + ctx_.options.header_timeout;
      first_ = false;
      co_return true;
    }
    if (ctx_.stopping.load()) co_return false;
    idle_ = true;
    SetDeadline(stream_,
                first_ ? header_deadline_ : SteadyClock::now() + ctx_.options.idle_timeout);
    auto read = co_await stream_.async_read_some(buffer_.prepare(kReadChunk), kTuple);
    ErrorCode ec = std::get<0>(read);
    size_t n = std::get<1>(read);
    idle_ = false;
    if (ec) {
      // An idle keep-alive connection timing out is normal; a fresh one that
      // never sent a byte is counted with the other deadline closes.
      if (ec == beast::error::timeout && first_) ctx_.timeouts->Increment();
      co_return false;
    }
    buffer_.commit(n);
    if (!first_) header_deadline_ = SteadyClock::now() + ctx_.options.header_timeout;
    first_ = false;
    co_return true;
  }

  // Reads, routes, answers one request. False: the connection must close.
  asio::awaitable<bool> ServeOne() {
    const ServerOptions& opt = ctx_.options;
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<uint32_t>(std::min<size_t>(opt.max_header_bytes, UINT32_MAX)));
    parser.body_limit(boost::none);  // checked per route once the header is known
    SetDeadline(stream_, header_deadline_);
    auto header_read = co_await bhttp::async_read_header(stream_, buffer_, parser, kTuple);
    ErrorCode hec = std::get<0>(header_read);
    const SteadyClock::time_point start = SteadyClock::now();
    Exchange ex;
    ex.start = start;
    if (hec) {
      if (hec == bhttp::error::header_limit) {
        co_await Reject(ex, PayloadTooLarge("request header exceeds " +
                                            std::to_string(opt.max_header_bytes) + " bytes"));
      } else if (IsMalformed(hec)) {
        co_await Reject(ex, InvalidArgument("malformed HTTP request: " + hec.message()));
      } else if (hec == beast::error::timeout) {
        ctx_.timeouts->Increment();
      }
      co_return false;
    }

    auto& head = parser.get();
    ex.method = std::string(head.method_string());
    ex.head = ex.method == "HEAD";
    const std::string target(head.target());
    Result<ParsedTarget> url = ParseTarget(target);
    if (!url.ok()) {
      co_await Reject(ex, url.status());
      co_return false;
    }
    Router::Match match = ctx_.router->Find(ex.method, url->segments);
    const bool body_pending = !parser.is_done();
    bool keep_alive = parser.keep_alive();
    const unsigned version = head.version();

    if (match.kind != Router::Match::kFound) {
      Response resp;
      if (match.kind == Router::Match::kNotFound) {
        resp = ErrorResponse(NotFound("no route for " + url->path));
      } else {
        resp = ErrorResponse(
            Unimplemented(ex.method + " is not allowed here; allowed: " + match.allow));
        resp.status = 405;
        resp.headers.Set("Allow", match.allow);
      }
      ex.route = "(unmatched)";
      ex.request_id = ChooseRequestId(head["X-Request-Id"], *ctx_.random);
      // The body is not read: answer, then close (draining what arrives).
      bool kept = co_await Answer(ex, std::move(resp), version, keep_alive && !body_pending);
      if (body_pending) co_await Linger();
      co_return kept && !body_pending;
    }

    const Route& route = *match.route;
    ex.route = route.pattern;
    ex.request_id = ChooseRequestId(head["X-Request-Id"], *ctx_.random);
    const uint64_t limit = route.options.max_body_bytes;
    if (auto length = parser.content_length(); length && *length > limit) {
      co_await Reject(ex,
                      PayloadTooLarge("request body of " + std::to_string(*length) +
                                      " bytes exceeds the limit of " + std::to_string(limit)),
                      version);
      co_return false;
    }
    if (body_pending) {
      bool read = co_await ReadBody(parser, ex, limit, version);
      if (!read) co_return false;
    }

    Request req = BuildRequest(parser.release(), std::move(*url), std::move(match.params), ex);
    Response resp = co_await Invoke(route, req);
    bool kept = co_await Answer(ex, std::move(resp), version, keep_alive);
    co_return kept;
  }

  // What the metrics and the log need to know about the request in hand.
  struct Exchange {
    SteadyClock::time_point start;
    std::string method;
    std::string route = "(invalid)";
    std::string request_id;
    bool head = false;
  };

  Request BuildRequest(bhttp::request<bhttp::string_body>&& message, ParsedTarget&& url,
                       std::vector<std::pair<std::string, std::string>>&& params,
                       const Exchange& ex) const {
    Request req;
    req.method = ex.method;
    req.target = std::string(message.target());
    req.path = std::move(url.path);
    req.query = std::move(url.query);
    for (const auto& field : message) {
      req.headers.Add(std::string(field.name_string()), std::string(field.value()));
    }
    req.body = std::move(message.body());
    req.path_params = std::move(params);
    req.route = ex.route;
    req.remote_address = remote_;
    req.request_id = ex.request_id;
    return req;
  }

  static bool IsMalformed(const ErrorCode& ec) {
    // Peer went away or we were stopped: nothing to answer.
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
        ec == asio::error::eof || ec == asio::error::connection_reset ||
        ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor ||
        ec == asio::error::broken_pipe || ec == beast::error::timeout) {
      return false;
    }
    return ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() ||
           ec == bhttp::error::buffer_overflow;
  }

  // Reads the body under the route's limit and the body deadline. On failure
  // it has already answered (or the peer is gone); false: close.
  asio::awaitable<bool> ReadBody(bhttp::request_parser<bhttp::string_body>& parser, Exchange& ex,
                                 uint64_t limit, unsigned version) {
    auto expect = parser.get()[bhttp::field::expect];
    if (version >= 11 && EqualsIgnoreCase(expect, "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      SetDeadline(stream_, SteadyClock::now() + ctx_.options.write_stall_timeout);
      auto written = co_await asio::async_write(
          stream_, asio::buffer(kContinue.data(), kContinue.size()), kTuple);
      if (std::get<0>(written)) co_return false;
    }
    parser.body_limit(limit);
    SetDeadline(stream_, SteadyClock::now() + ctx_.options.body_timeout);
    auto body_read = co_await bhttp::async_read(stream_, buffer_, parser, kTuple);
    ErrorCode ec = std::get<0>(body_read);
    if (!ec) co_return true;
    if (ec == bhttp::error::body_limit) {
      co_await Reject(
          ex,
          PayloadTooLarge("request body exceeds the limit of " + std::to_string(limit) + " bytes"),
          version);
    } else if (IsMalformed(ec)) {
      co_await Reject(ex, InvalidArgument("malformed HTTP request body: " + ec.message()), version);
    } else if (ec == beast::error::timeout) {
      ctx_.timeouts->Increment();
    }
    co_return false;
  }

  // Runs the handler; a library exception escaping it becomes 500.
  asio::awaitable<Response> Invoke(const Route& route, const Request& req) {
    std::string failure;
    try {
      if (route.sync_handler) co_return route.sync_handler(req);
      Response resp = co_await route.async_handler(req);
      co_return resp;
    } catch (const std::exception& e) {
      failure = e.what();
    } catch (...) {
      failure = "unknown exception";
    }
    ctx_.log->error("handler for {} {} threw: {} (request {})", req.method, route.pattern, failure,
                    req.request_id);
    co_return ErrorResponse(Internal("request " + req.request_id + " failed"));
  }

  // Answers an early error with Connection: close, then drains and closes.
  asio::awaitable<void> Reject(Exchange& ex, Status status, unsigned version = 11) {
    if (ex.request_id.empty()) ex.request_id = ChooseRequestId(std::nullopt, *ctx_.random);
    co_await Answer(ex, ErrorResponse(status), version, /*keep_alive=*/false);
    co_await Linger();
  }

  // Stops sending and reads what the client still sends (its unread body)
  // for a short while, so closing does not reset the connection under the
  // response we just wrote.
  asio::awaitable<void> Linger() {
    ShutdownSend(stream_);
    SetDeadline(stream_, SteadyClock::now() + ctx_.options.linger_timeout);
    constexpr size_t kMaxDrain = 4 << 20;
    size_t drained = 0;
    std::vector<char> scratch(kReadChunk);
    while (drained < kMaxDrain) {
      auto read =
          co_await stream_.async_read_some(asio::buffer(scratch.data(), scratch.size()), kTuple);
      if (std::get<0>(read)) break;
      drained += std::get<1>(read);
    }
    CloseStream(stream_);
  }

  // Writes `resp`, reports to on_complete, records metrics. True when the
  // connection may serve another request.
  asio::awaitable<bool> Answer(Exchange& ex, Response resp, unsigned version, bool keep_alive) {
    if (ctx_.stopping.load()) keep_alive = false;
    uint64_t bytes = 0;
    Status outcome = co_await Write(resp, ex, version, keep_alive, bytes);
    if (resp.on_complete) resp.on_complete(outcome);
    const std::string status = std::to_string(resp.status);
    const std::string_view method = MethodLabel(ex.method);
    const std::string_view server = ctx_.options.name;
    const double seconds = std::chrono::duration<double>(SteadyClock::now() - ex.start).count();
    ctx_.requests->WithLabels({server, method, ex.route, status}).Increment();
    ctx_.latency->WithLabels({server, method, ex.route}).Observe(seconds);
    ctx_.response_bytes->WithLabels({server, ex.route}).Increment(static_cast<double>(bytes));
    if (ctx_.log->should_log(spdlog::level::debug)) {
      ctx_.log->debug("{} {} {} -> {} {}B {:.1f}ms id={}{}", remote_, ex.method, ex.route,
                      resp.status, bytes, seconds * 1e3, ex.request_id,
                      outcome.ok() ? "" : " (" + outcome.ToString() + ")");
    }
    co_return keep_alive&& outcome.ok();
  }

  // Serializes and sends one response. Streams are pulled one chunk at a
  // time, each chunk awaited under the stall timeout before the next is read.
  asio::awaitable<Status> Write(Response& resp, const Exchange& ex, unsigned version,
                                bool keep_alive, uint64_t& bytes) {
    const ServerOptions& opt = ctx_.options;
    if (resp.status < 200 || resp.status > 599) {
      ctx_.log->error("handler for {} returned HTTP status {}", ex.route, resp.status);
      resp = ErrorResponse(Internal("request " + ex.request_id + " produced a bad status"));
    }
    bhttp::response<bhttp::buffer_body> res;
    res.version(version);
    res.result(static_cast<unsigned>(resp.status));
    for (const auto& [name, value] : resp.headers) {
      if (IsManagedHeader(name)) continue;
      if (!IsSafeHeader(name, value)) {
        ctx_.log->error("dropping unsafe response header '{}' on {}", name, ex.route);
        continue;
      }
      res.insert(name, value);
    }
    res.set("X-Request-Id", ex.request_id);
    res.keep_alive(keep_alive);

    const bool bodiless_status = resp.status == 204 || resp.status == 304;
    std::optional<uint64_t> size =
        resp.stream ? resp.stream->Size() : std::optional<uint64_t>(resp.body.size());
    if (!bodiless_status) {
      if (size) {
        res.content_length(*size);
      } else {
        res.chunked(true);
      }
    }
    bhttp::response_serializer<bhttp::buffer_body> sr(res);
    const bool has_content = resp.stream != nullptr || !resp.body.empty();

    if (ex.head || bodiless_status) {
      SetDeadline(stream_, SteadyClock::now() + opt.write_stall_timeout);
      auto written = co_await bhttp::async_write_header(stream_, sr, kTuple);
      bytes += std::get<1>(written);
      if (std::get<0>(written)) co_return WriteFailure(std::get<0>(written));
      if (has_content)
        co_return FailedPrecondition("no body sent: HEAD request or bodiless status");
      co_return Status::Ok();
    }

    std::vector<uint8_t> chunk;
    const size_t slice = std::max<size_t>(opt.stream_chunk_bytes, 1);
    uint64_t produced = 0;  // body bytes handed to the serializer
    while (true) {
      auto& body = res.body();
      if (resp.stream) {
        size_t want = slice;
        if (size) want = static_cast<size_t>(std::min<uint64_t>(want, *size - produced));
        size_t n = 0;
        if (want > 0) {
          if (chunk.size() < want) chunk.resize(slice);
          Result<size_t> got = resp.stream->Read(std::span<uint8_t>(chunk.data(), want));
          if (!got.ok()) co_return AbortStream(got.status().WithContext("body source"));
          n = *got;
          if (n > want) co_return AbortStream(Internal("body source overfilled its buffer"));
          if (n == 0 && size && produced < *size) {
            co_return AbortStream(Internal("body source ended after " + std::to_string(produced) +
                                           " of " + std::to_string(*size) + " bytes"));
          }
        }
        produced += n;
        body.data = n > 0 ? chunk.data() : nullptr;
        body.size = n;
        body.more = n > 0 && !(size && produced == *size);
      } else {
        size_t n = static_cast<size_t>(std::min<uint64_t>(slice * 4, resp.body.size() - produced));
        body.data = n > 0 ? resp.body.data() + produced : nullptr;
        body.size = n;
        produced += n;
        body.more = produced < resp.body.size();
      }
      SetDeadline(stream_, SteadyClock::now() + opt.write_stall_timeout);
      auto written = co_await bhttp::async_write(stream_, sr, kTuple);
      ErrorCode ec = std::get<0>(written);
      bytes += std::get<1>(written);
      if (ec == bhttp::error::need_buffer) ec = {};
      if (ec) co_return WriteFailure(ec);
      if (sr.is_done()) co_return Status::Ok();
    }
  }

  Status WriteFailure(const ErrorCode& ec) {
    if (ec == beast::error::timeout) {
      ctx_.timeouts->Increment();
      return DeadlineExceeded("client did not read the response within the write timeout");
    }
    return Unavailable("connection lost while sending: " + ec.message());
  }

  // A body that cannot be completed: close so the client sees truncation.
  Status AbortStream(Status why) {
    ctx_.log->warn("aborting streamed response: {}", why.ToString());
    CloseStream(stream_);
    return why;
  }

  ServerContext& ctx_;
  Stream stream_;
  std::string remote_;
  beast::flat_buffer buffer_;
  SteadyClock::time_point header_deadline_;
  bool first_ = true;
  bool idle_ = false;
  std::function<void()> on_destroy_;
};

}  // namespace backline::http::internal
