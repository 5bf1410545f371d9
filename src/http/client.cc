#include "http/client.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "http/error.h"

namespace backline::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using ErrorCode = boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

struct Target {
  std::string host;         // for connecting: "127.0.0.1", "::1", "example.org"
  std::string port;         // "8080"
  std::string host_header;  // "127.0.0.1:8080", "[::1]:8080"
  std::string target;       // "/path?query"
  std::string PoolKey() const { return host + "|" + port; }
};

Result<Target> ParseTarget(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return InvalidArgument("bad URL '" + std::string(url) + "'");
  const auto& u = *parsed;
  if (u.scheme_id() == boost::urls::scheme::https) {
    return Unimplemented("https is not supported yet: '" + std::string(url) + "'");
  }
  if (u.scheme_id() != boost::urls::scheme::http) {
    return InvalidArgument("URL scheme must be http: '" + std::string(url) + "'");
  }
  Target t;
  t.host = u.host_address();
  if (t.host.empty()) return InvalidArgument("URL has no host: '" + std::string(url) + "'");
  t.port = u.has_port() ? std::string(u.port()) : "80";
  if (t.port.empty()) t.port = "80";
  t.host_header = std::string(u.encoded_host_and_port());
  t.target = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
  if (u.has_query()) {
    t.target += '?';
    t.target += std::string(u.encoded_query());
  }
  return t;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  static constexpr std::string_view kPunct = "!#$%&'*+-.^_`|~";
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           kPunct.find(c) != std::string_view::npos;
  });
}

bool IsIdempotent(const ClientRequest& r) {
  static constexpr std::string_view kIdempotent[] = {"GET",    "HEAD",    "PUT",
                                                     "DELETE", "OPTIONS", "TRACE"};
  if (std::find(std::begin(kIdempotent), std::end(kIdempotent), r.method) !=
      std::end(kIdempotent)) {
    return true;
  }
  return r.headers.Has("Idempotency-Key");
}

// An idle keep-alive connection, held as a bare descriptor so the pool does
// not tie sockets to any one io_context.
struct IdleConnection {
  int fd;
  bool v6;
  SteadyClock::time_point since;
};

// A connection that the server has closed (or that has unexpected bytes
// waiting) polls readable; a healthy idle one does not.
bool LooksAlive(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

}  // namespace

ClientRequest ClientRequest::Get(std::string url) {
  ClientRequest r;
  r.url = std::move(url);
  return r;
}

ClientRequest ClientRequest::Json(std::string method, std::string url, std::string body) {
  ClientRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.body = std::move(body);
  r.headers.Set("Content-Type", "application/json");
  return r;
}

ClientRequest&& ClientRequest::WithHeader(std::string name, std::string value) && {
  headers.Set(std::move(name), std::move(value));
  return std::move(*this);
}

ClientRequest& ClientRequest::WithHeader(std::string name, std::string value) & {
  headers.Set(std::move(name), std::move(value));
  return *this;
}

Status ClientResponse::ToStatus() const { return StatusFromResponse(status, body); }

struct Client::Impl {
  explicit Impl(ClientOptions o) : options(std::move(o)) {
    random = options.random != nullptr ? options.random : &SystemRandom::Instance();
  }
  ~Impl() {
    for (auto& [key, list] : idle) {
      for (IdleConnection& c : list) ::close(c.fd);
    }
  }

  ClientOptions options;
  RandomSource* random;
  std::mutex mu;
  std::map<std::string, std::vector<IdleConnection>> idle;  // guarded by mu

  std::optional<IdleConnection> TakeIdle(const std::string& key) {
    std::lock_guard lock(mu);
    auto it = idle.find(key);
    if (it == idle.end()) return std::nullopt;
    auto& list = it->second;
    while (!list.empty()) {
      IdleConnection c = list.back();
      list.pop_back();
      if (SteadyClock::now() - c.since < options.pool_idle_timeout && LooksAlive(c.fd)) return c;
      ::close(c.fd);
    }
    return std::nullopt;
  }

  void PutIdle(const std::string& key, IdleConnection c) {
    std::lock_guard lock(mu);
    auto& list = idle[key];
    if (list.size() >= options.max_idle_per_host) {
      ::close(list.front().fd);
      list.erase(list.begin());
    }
    list.push_back(c);
  }

  std::chrono::milliseconds Backoff(int attempt) {
    double base = static_cast<double>(options.initial_backoff.count()) *
                  static_cast<double>(1ULL << std::min(attempt - 1, 20));
    base = std::min(base, static_cast<double>(options.max_backoff.count()));
    uint8_t r[8];
    random->Fill(r);
    uint64_t x = 0;
    for (uint8_t b : r) x = (x << 8) | b;
    double unit = static_cast<double>(x >> 11) / static_cast<double>(1ULL << 53);
    // "Equal jitter": half fixed, half random, so retries from many callers
    // spread out without ever collapsing to zero.
    return std::chrono::milliseconds(static_cast<int64_t>(base / 2 + unit * base / 2));
  }

  struct Attempt {
    std::optional<ClientResponse> response;
    Status error;
    bool retryable = false;
    // Failed on a reused connection before any response byte: the server
    // closed it while idle, so nothing was processed.
    bool stale = false;
  };

  static asio::awaitable<Attempt> Once(std::shared_ptr<Impl> self, const Target& target,
                                       const bhttp::request<bhttp::string_body>& req,
                                       SteadyClock::time_point deadline, bool pooled) {
    const ClientOptions& opt = self->options;
    asio::any_io_executor ex = co_await asio::this_coro::executor;
    beast::tcp_stream stream(ex);
    Attempt out;
    bool reused = false;
    ErrorCode ec;
    const std::string where = target.host_header;

    if (pooled) {
      if (auto idle = self->TakeIdle(target.PoolKey())) {
        stream.socket().assign(idle->v6 ? tcp::v6() : tcp::v4(), idle->fd, ec);
        if (ec) {
          ::close(idle->fd);
        } else {
          reused = true;
        }
      }
    }
    if (!reused) {
      tcp::resolver resolver(ex);
      auto resolved = co_await resolver.async_resolve(target.host, target.port, kTuple);
      ErrorCode rec = std::get<0>(resolved);
      if (rec) {
        out.error = Unavailable("cannot resolve " + target.host + ": " + rec.message());
        out.retryable = true;
        co_return out;
      }
      stream.expires_at(std::min(deadline, SteadyClock::now() + opt.connect_timeout));
      auto connected = co_await stream.async_connect(std::get<1>(resolved), kTuple);
      ErrorCode cec = std::get<0>(connected);
      if (cec) {
        out.error = cec == beast::error::timeout
                        ? DeadlineExceeded("connect to " + where + " timed out")
                        : Unavailable("connect to " + where + ": " + cec.message());
        out.retryable = true;
        co_return out;
      }
      stream.socket().set_option(tcp::no_delay(true), ec);
    }

    stream.expires_at(deadline);
    auto written = co_await bhttp::async_write(stream, req, kTuple);
    ErrorCode wec = std::get<0>(written);
    if (wec) {
      out.error = wec == beast::error::timeout
                      ? DeadlineExceeded("sending to " + where + " timed out")
                      : Unavailable("sending to " + where + ": " + wec.message());
      out.retryable = true;
      out.stale = reused && wec != beast::error::timeout;
      co_return out;
    }

    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(opt.max_response_bytes);
    parser.header_limit(static_cast<uint32_t>(std::min<size_t>(opt.max_header_bytes, UINT32_MAX)));
    if (req.method() == bhttp::verb::head) parser.skip(true);
    beast::flat_buffer buffer;
    auto read = co_await bhttp::async_read(stream, buffer, parser, kTuple);
    ErrorCode rec = std::get<0>(read);
    if (rec) {
      if (rec == beast::error::timeout) {
        out.error = DeadlineExceeded("no complete response from " + where + " in time");
        out.retryable = true;
      } else if (rec == bhttp::error::body_limit || rec == bhttp::error::header_limit) {
        out.error = PayloadTooLarge("response from " + where + " exceeds " +
                                    std::to_string(opt.max_response_bytes) + " bytes");
      } else if (rec == bhttp::error::end_of_stream || rec == bhttp::error::partial_message ||
                 rec == asio::error::eof || rec == asio::error::connection_reset ||
                 rec == asio::error::broken_pipe) {
        out.error = Unavailable("connection to " + where + " closed: " + rec.message());
        out.retryable = true;
        out.stale = reused && !parser.got_some();
      } else {
        out.error = Unavailable("bad response from " + where + ": " + rec.message());
      }
      co_return out;
    }

    ClientResponse resp;
    resp.status = static_cast<int>(parser.get().result_int());
    for (const auto& field : parser.get()) {
      resp.headers.Add(std::string(field.name_string()), std::string(field.value()));
    }
    bool keep = parser.keep_alive() && buffer.size() == 0;
    resp.body = std::move(parser.get().body());
    out.response = std::move(resp);

    if (keep) {
      bool v6 = stream.socket().local_endpoint(ec).address().is_v6();
      int fd = ec ? -1 : stream.socket().release(ec);
      if (!ec && fd >= 0) self->PutIdle(target.PoolKey(), {fd, v6, SteadyClock::now()});
    }
    co_return out;
  }

  static asio::awaitable<Result<ClientResponse>> Send(std::shared_ptr<Impl> self,
                                                      ClientRequest request) {
    const ClientOptions& opt = self->options;
    Result<Target> target = ParseTarget(request.url);
    if (!target.ok()) co_return target.status();
    if (!IsToken(request.method)) co_return InvalidArgument("bad method '" + request.method + "'");
    bhttp::request<bhttp::string_body> req;
    req.method_string(request.method);
    req.target(target->target);
    req.version(11);
    req.set(bhttp::field::host, target->host_header);
    req.set(bhttp::field::user_agent, opt.user_agent);
    for (const auto& [name, value] : request.headers) {
      if (!IsToken(name) ||
          value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
        co_return InvalidArgument("bad request header '" + name + "'");
      }
      if (EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Host") ||
          EqualsIgnoreCase(name, "Transfer-Encoding")) {
        continue;
      }
      req.insert(name, value);
    }
    const bool has_body = !request.body.empty() || request.method == "POST" ||
                          request.method == "PUT" || request.method == "PATCH";
    req.body() = std::move(request.body);
    if (has_body) req.prepare_payload();
    req.keep_alive(true);

    const bool idempotent = IsIdempotent(request);
    const int max_attempts = idempotent ? std::max(1, opt.max_attempts) : 1;
    const auto deadline = SteadyClock::now() + request.timeout.value_or(opt.total_timeout);
    const std::string what = request.method + " " + request.url;
    int stale_retries = 0;
    for (int attempt = 1;; ++attempt) {
      auto attempt_deadline = std::min(deadline, SteadyClock::now() + opt.attempt_timeout);
      Attempt a = co_await Once(self, *target, req, attempt_deadline, /*pooled=*/idempotent);
      if (a.stale && stale_retries < 2) {
        ++stale_retries;
        --attempt;  // a connection the server had already closed: not an attempt
        continue;
      }
      bool retry = a.retryable;
      if (a.response) {
        a.response->attempts = attempt;
        int s = a.response->status;
        retry = s >= 500 && s != 501 && s != 505;
      }
      std::chrono::milliseconds pause = self->Backoff(attempt);
      bool time_left = SteadyClock::now() + pause < deadline;
      if (!retry || attempt >= max_attempts || !time_left) {
        if (a.response) co_return std::move(*a.response);
        std::string context = what;
        if (attempt > 1) context += " (" + std::to_string(attempt) + " attempts)";
        co_return a.error.WithContext(context);
      }
      asio::steady_timer timer(co_await asio::this_coro::executor, pause);
      co_await timer.async_wait(kTuple);
    }
  }
};

// A thread running an io_context for SendBlocking().
struct Client::BlockingRuntime {
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
  std::thread thread{[this] {
    ErrorCode ec;
    ioc.run(ec);
  }};
  ~BlockingRuntime() {
    work.reset();
    ioc.stop();
    thread.join();
  }
};

Client::Client(ClientOptions options) : impl_(std::make_shared<Impl>(std::move(options))) {}

Client::~Client() = default;

asio::awaitable<Result<ClientResponse>> Client::Send(ClientRequest request) {
  return Impl::Send(impl_, std::move(request));
}

Result<ClientResponse> Client::SendBlocking(ClientRequest request) {
  {
    static std::mutex start_mu;
    std::lock_guard lock(start_mu);
    if (!blocking_) blocking_ = std::make_unique<BlockingRuntime>();
  }
  std::promise<Result<ClientResponse>> promise;
  std::future<Result<ClientResponse>> done = promise.get_future();
  // co_spawn needs a default-constructible result type; Result has none, so
  // the outcome travels through the promise instead.
  auto run = [](std::shared_ptr<Impl> impl, ClientRequest r,
                std::promise<Result<ClientResponse>>* p) -> asio::awaitable<void> {
    Result<ClientResponse> result = co_await Impl::Send(std::move(impl), std::move(r));
    p->set_value(std::move(result));
  };
  asio::co_spawn(blocking_->ioc, run(impl_, std::move(request), &promise),
                 [&promise](const std::exception_ptr& e) {
                   if (e) promise.set_value(Internal("client call ended with an exception"));
                 });
  return done.get();
}

}  // namespace backline::http
