#include "http/server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <condition_variable>
#include <csignal>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "base/logging.h"
#include "http/connection.h"
#include "http/json.h"

namespace backline::http {

namespace internal {

std::string_view MethodLabel(std::string_view method) {
  static constexpr std::string_view kKnown[] = {"GET",     "HEAD",  "POST",    "PUT",  "DELETE",
                                                "OPTIONS", "PATCH", "CONNECT", "TRACE"};
  for (std::string_view m : kKnown) {
    if (m == method) return m;
  }
  return "OTHER";
}

std::string ChooseRequestId(std::optional<std::string_view> incoming, RandomSource& random) {
  if (incoming && !incoming->empty() && incoming->size() <= 64 &&
      std::all_of(incoming->begin(), incoming->end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-';
      })) {
    return std::string(*incoming);
  }
  return Id::Random(random).ToBase32();
}

Result<ParsedTarget> ParseTarget(std::string_view target) {
  // RFC 9112 3.2.2: servers accept the absolute form ("GET http://host/p")
  // too; only its path and query matter here.
  std::string from_absolute;
  if (!target.starts_with('/')) {
    auto absolute = boost::urls::parse_absolute_uri(target);
    if (!absolute) return InvalidArgument("malformed request target");
    from_absolute = absolute->encoded_path().empty() ? "/" : std::string(absolute->encoded_path());
    if (absolute->has_query()) from_absolute += "?" + std::string(absolute->encoded_query());
    target = from_absolute;
  }
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return InvalidArgument("malformed request target");
  ParsedTarget out;
  out.path = url->path();
  boost::urls::segments_view segments = url->segments();
  for (auto it = segments.begin(); it != segments.end(); ++it) out.segments.push_back(*it);
  boost::urls::encoding_opts query_opts;
  query_opts.space_as_plus = true;
  boost::urls::params_view params = url->params(query_opts);
  for (auto it = params.begin(); it != params.end(); ++it) {
    boost::urls::param p = *it;
    out.query.emplace_back(std::move(p.key), std::move(p.value));
  }
  return out;
}

bool IsSafeHeader(std::string_view name, std::string_view value) {
  if (name.empty()) return false;
  // RFC 9110 token characters.
  static constexpr std::string_view kTokenPunct = "!#$%&'*+-.^_`|~";
  for (char c : name) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && kTokenPunct.find(c) == std::string_view::npos) return false;
  }
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool IsManagedHeader(std::string_view name) {
  return EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Transfer-Encoding") ||
         EqualsIgnoreCase(name, "Connection") || EqualsIgnoreCase(name, "X-Request-Id");
}

}  // namespace internal

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using internal::ErrorCode;
using internal::kTuple;
using TcpConnection = internal::Connection<boost::beast::tcp_stream>;

std::string EndpointText(const tcp::endpoint& ep) {
  if (ep.address().is_v6())
    return "[" + ep.address().to_string() + "]:" + std::to_string(ep.port());
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

// Logs what escaped a detached coroutine; our code does not throw, so this is
// a library's exception or bad_alloc.
void LogEscaped(const std::shared_ptr<spdlog::logger>& log, const std::exception_ptr& e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    log->error("coroutine ended with an exception: {}", ex.what());
  } catch (...) {
    log->error("coroutine ended with an unknown exception");
  }
}

Response HealthResponse(const ServerOptions& options) {
  boost::json::object body;
  body["status"] = "ok";
  if (options.health_details) options.health_details(body);
  const boost::json::value* status = body.if_contains("status");
  bool ok = status != nullptr && status->is_string() && status->as_string() == "ok";
  return JsonResponse(ok ? 200 : 503, body);
}

}  // namespace

struct Server::Impl {
  Router router;
  std::unique_ptr<MetricsRegistry> owned_metrics;
  MetricsRegistry* metrics = nullptr;
  internal::ServerContext ctx;
  std::unique_ptr<asio::io_context> ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::vector<std::thread> threads;

  std::mutex mu;
  std::condition_variable cv;
  std::map<uint64_t, std::weak_ptr<TcpConnection>> connections;  // guarded by mu
  uint64_t next_id = 0;                                          // guarded by mu
  size_t open = 0;                                               // guarded by mu
  bool stopped = false;                                          // guarded by mu
  uint16_t first_port = 0;                                       // guarded by mu

  ~Impl() {
    // Pending coroutine frames (connections) are destroyed with the
    // io_context and touch `mu` and the metrics on the way out, so the
    // io_context goes first.
    acceptors.clear();
    ioc.reset();
  }

  size_t OpenConnections() {
    std::lock_guard lock(mu);
    return open;
  }

  asio::awaitable<void> AcceptLoop(tcp::acceptor* acceptor) {
    while (true) {
      asio::any_io_executor strand = asio::make_strand(*ioc);
      auto accepted = co_await acceptor->async_accept(strand, kTuple);
      ErrorCode ec = std::get<0>(accepted);
      tcp::socket socket = std::move(std::get<1>(accepted));
      if (ctx.stopping.load() || ec == asio::error::operation_aborted || !acceptor->is_open()) {
        co_return;
      }
      if (ec) {
        // Typically EMFILE: back off briefly instead of spinning.
        ctx.log->warn("accept failed: {}", ec.message());
        asio::steady_timer pause(acceptor->get_executor(), std::chrono::milliseconds(50));
        co_await pause.async_wait(kTuple);
        continue;
      }
      Admit(std::move(socket));
    }
  }

  void Admit(tcp::socket socket) {
    ErrorCode ec;
    tcp::endpoint remote = socket.remote_endpoint(ec);
    if (ec) return;  // already gone
    {
      std::lock_guard lock(mu);
      if (open >= ctx.options.max_connections) {
        ctx.rejected_connections->Increment();
        RefuseAtLimit(socket);
        return;
      }
      ++open;
    }
    ctx.open_connections->Increment();
    socket.set_option(tcp::no_delay(true), ec);
    if (ctx.options.socket_send_buffer_bytes > 0) {
      socket.set_option(asio::socket_base::send_buffer_size(ctx.options.socket_send_buffer_bytes),
                        ec);
    }
    auto conn = std::make_shared<TcpConnection>(ctx, boost::beast::tcp_stream(std::move(socket)),
                                                EndpointText(remote));
    uint64_t id;
    {
      std::lock_guard lock(mu);
      id = next_id++;
      connections.emplace(id, conn);
    }
    conn->SetOnDestroy([this, id] {
      ctx.open_connections->Decrement();
      std::lock_guard lock(mu);
      connections.erase(id);
      --open;
      cv.notify_all();
    });
    asio::co_spawn(conn->executor(), TcpConnection::Run(conn),
                   [log = ctx.log](const std::exception_ptr& e) { LogEscaped(log, e); });
  }

  // Best effort, never blocking: a canned 503 and close.
  static void RefuseAtLimit(tcp::socket& socket) {
    static const std::string kResponse = [] {
      std::string body = ErrorBody(Unavailable("server is at its connection limit"));
      return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
             "Content-Length: " +
             std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    }();
    ErrorCode ec;
    socket.non_blocking(true, ec);
    socket.write_some(asio::buffer(kResponse), ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }

  // Posts RequestStop(force) to every live connection.
  void SignalConnections(bool force) {
    std::vector<std::shared_ptr<TcpConnection>> live;
    {
      std::lock_guard lock(mu);
      for (auto& [id, weak] : connections) {
        if (auto c = weak.lock()) live.push_back(std::move(c));
      }
    }
    // Outside the lock: dropping the last reference here runs the
    // connection's destructor, which takes the lock.
    for (auto& c : live) {
      asio::post(c->executor(), [c, force] { c->RequestStop(force); });
    }
  }

  bool WaitForConnections(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mu);
    return cv.wait_until(lock, deadline, [&] { return open == 0; });
  }

  void StartThreads() {
    work.emplace(ioc->get_executor());
    for (int i = 0; i < std::max(1, ctx.options.threads); ++i) {
      threads.emplace_back([this] {
        while (true) {
          try {
            ioc->run();
            return;
          } catch (const std::exception& e) {
            ctx.log->error("io thread: {}", e.what());
          }
        }
      });
    }
  }
};

Server::Server(Router router, ServerOptions options) : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  s.router = std::move(router);
  if (options.metrics == nullptr) {
    s.owned_metrics = std::make_unique<MetricsRegistry>();
    s.metrics = s.owned_metrics.get();
  } else {
    s.metrics = options.metrics;
  }
  s.ctx.random = options.random != nullptr ? options.random : &SystemRandom::Instance();
  s.ctx.log = GetLogger(options.name);
  s.ctx.options = std::move(options);
  s.ctx.BindMetrics(*s.metrics);
  if (!s.router.Has("GET", "/healthz")) {
    const ServerOptions* opts = &s.ctx.options;
    s.router.Get("/healthz", [opts](const Request&) { return HealthResponse(*opts); });
  }
  if (!s.router.Has("GET", "/metrics")) {
    MetricsRegistry* registry = s.metrics;
    s.router.Get("/metrics", [registry](const Request&) {
      return Response::Text(200, registry->RenderPrometheus(), std::string(kPrometheusContentType));
    });
  }
  s.ctx.router = &s.router;
  s.ioc = std::make_unique<asio::io_context>(std::max(1, s.ctx.options.threads));
}

Server::~Server() {
  // Stop() only throws if joining a thread fails, which is a bug; a
  // destructor has no one to report it to but the log.
  try {
    Stop(std::chrono::milliseconds(0));
  } catch (const std::exception& e) {
    impl_->ctx.log->error("stopping server: {}", e.what());
  }
}

Result<uint16_t> Server::Listen(std::string_view host, uint16_t port) {
  Impl& s = *impl_;
  std::lock_guard lock(s.mu);
  if (s.stopped) return FailedPrecondition("server has been stopped");
  ErrorCode ec;
  asio::ip::address address = host == "localhost"
                                  ? asio::ip::address(asio::ip::address_v4::loopback())
                                  : asio::ip::make_address(std::string(host), ec);
  if (ec) return InvalidArgument("cannot listen on '" + std::string(host) + "': not an IP address");
  tcp::endpoint endpoint(address, port);
  auto acceptor = std::make_unique<tcp::acceptor>(asio::any_io_executor(asio::make_strand(*s.ioc)));
  const std::string where = EndpointText(endpoint);
  if (acceptor->open(endpoint.protocol(), ec); ec) {
    return Unavailable("cannot open socket for " + where + ": " + ec.message());
  }
  acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (acceptor->bind(endpoint, ec); ec) {
    return Unavailable("cannot bind " + where + ": " + ec.message());
  }
  if (acceptor->listen(s.ctx.options.listen_backlog, ec); ec) {
    return Unavailable("cannot listen on " + where + ": " + ec.message());
  }
  uint16_t bound = acceptor->local_endpoint(ec).port();
  if (ec) return Unavailable("cannot read bound port of " + where + ": " + ec.message());
  tcp::acceptor* raw = acceptor.get();
  s.acceptors.push_back(std::move(acceptor));
  asio::co_spawn(raw->get_executor(), s.AcceptLoop(raw),
                 [log = s.ctx.log](const std::exception_ptr& e) { LogEscaped(log, e); });
  if (s.threads.empty()) s.StartThreads();
  if (s.first_port == 0) s.first_port = bound;
  s.ctx.log->info("listening on {}:{}", address.to_string(), bound);
  return bound;
}

void Server::Stop(std::chrono::milliseconds grace) {
  Impl& s = *impl_;
  {
    std::lock_guard lock(s.mu);
    if (s.stopped) return;
    s.stopped = true;
  }
  s.ctx.stopping.store(true);
  for (auto& acceptor : s.acceptors) {
    tcp::acceptor* a = acceptor.get();
    asio::post(a->get_executor(), [a] {
      ErrorCode ec;
      a->close(ec);
    });
  }
  auto now = std::chrono::steady_clock::now();
  s.SignalConnections(/*force=*/false);
  if (!s.WaitForConnections(now + grace)) {
    s.ctx.log->warn("{} connection(s) still open after the grace period; closing them",
                    s.OpenConnections());
    s.SignalConnections(/*force=*/true);
    // Handlers that are stuck on something other than their socket are
    // abandoned after this; their frames go with the io_context.
    s.WaitForConnections(std::chrono::steady_clock::now() + std::chrono::seconds(2));
  }
  s.work.reset();
  s.ioc->stop();
  for (std::thread& t : s.threads) t.join();
  s.threads.clear();
}

uint16_t Server::port() const {
  std::lock_guard lock(impl_->mu);
  return impl_->first_port;
}

MetricsRegistry& Server::metrics() { return *impl_->metrics; }

size_t Server::open_connections() const { return impl_->OpenConnections(); }

boost::asio::io_context& Server::io_context() { return *impl_->ioc; }

void WaitForTerminationSignal() {
  asio::io_context ioc;
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([](const ErrorCode&, int) {});
  ErrorCode ec;
  ioc.run(ec);
}

std::string HandleRawForTesting(const Router& router, std::string_view raw,
                                const ServerOptions& options) {
  MetricsRegistry own_metrics;
  internal::ServerContext ctx;
  ctx.router = &router;
  ctx.options = options;
  ctx.random = options.random != nullptr ? options.random : &SystemRandom::Instance();
  ctx.log = GetLogger(options.name);
  ctx.BindMetrics(options.metrics != nullptr ? *options.metrics : own_metrics);

  std::string output;
  {
    asio::io_context ioc;
    using RawConnection = internal::Connection<internal::RawStream>;
    auto conn = std::make_shared<RawConnection>(
        ctx, internal::RawStream(ioc.get_executor(), raw, output), "raw:0");
    asio::co_spawn(ioc, RawConnection::Run(std::move(conn)),
                   [log = ctx.log](const std::exception_ptr& e) { LogEscaped(log, e); });
    ErrorCode ec;
    ioc.run(ec);
  }
  return output;
}

}  // namespace backline::http
