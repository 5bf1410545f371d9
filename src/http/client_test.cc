// The client against real servers on 127.0.0.1: timeouts, retries only for
// idempotent requests, limits, connection reuse, use from a coroutine.
#include "http/client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <thread>

#include "http/error.h"
#include "http/json.h"
#include "http/server.h"

namespace backline::http {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Accepts connections, reads whatever request arrives, and hangs up without
// answering: a server that crashes mid-request.
class HangUpServer {
 public:
  HangUpServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 16);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~HangUpServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  uint16_t port() const { return port_; }
  int accepted() const { return accepted_.load(); }

 private:
  void Loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      ++accepted_;
      pollfd q{c, POLLIN, 0};
      if (::poll(&q, 1, 500) > 0) {
        char buf[4096];
        (void)::recv(c, buf, sizeof buf, 0);
      }
      ::close(c);
    }
  }

  int fd_;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

class ClientTest : public ::testing::Test {
 protected:
  ClientTest() {
    Router r;
    r.Get("/echo", [](const Request& req) { return Echo(req); });
    r.Post("/echo", [](const Request& req) { return Echo(req); });
    auto flaky = [this](const Request&) {
      if (calls_.fetch_add(1) < fail_first_) {
        return ErrorResponse(Unavailable("warming up"));
      }
      return JsonResponse({{"ok", true}});
    };
    r.Get("/flaky", flaky);
    r.Post("/flaky", flaky);
    r.Get("/sleep", [](const Request&) -> boost::asio::awaitable<Response> {
      boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, 2s);
      co_await t.async_wait(boost::asio::use_awaitable);
      co_return JsonResponse({{"slept", true}});
    });
    r.Get("/big", [](const Request&) { return Response::Text(200, std::string(2 << 20, 'b')); });
    r.Get("/who", [](const Request& req) { return Response::Text(200, req.remote_address); });
    r.Get("/proxy", [this](const Request&) -> boost::asio::awaitable<Response> {
      Result<ClientResponse> inner = co_await inner_client_.Send(
          ClientRequest::Json("POST", Url("/echo"), R"({"via":"proxy"})"));
      if (!inner.ok()) co_return ErrorResponse(inner.status());
      co_return Response::Text(inner->status, inner->body, "application/json");
    });
    ServerOptions options;
    options.name = "client-test";
    options.threads = 2;
    options.idle_timeout = 150ms;
    server_ = std::make_unique<Server>(std::move(r), options);
    port_ = server_->Listen("127.0.0.1", 0).value_or(0);
  }

  static Response Echo(const Request& req) {
    return JsonResponse({{"method", req.method},
                         {"body", req.body},
                         {"key", req.Header("Idempotency-Key").value_or("")}});
  }

  std::string Url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }

  static ClientOptions FastRetries() {
    ClientOptions o;
    o.initial_backoff = 5ms;
    o.max_backoff = 20ms;
    return o;
  }

  std::atomic<int> calls_{0};
  int fail_first_ = 0;
  Client inner_client_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
};

TEST_F(ClientTest, GetAndPostJson) {
  Client client;
  Result<ClientResponse> get = client.SendBlocking(ClientRequest::Get(Url("/echo")));
  ASSERT_TRUE(get.ok()) << get.status().ToString();
  EXPECT_EQ(200, get->status);
  EXPECT_TRUE(get->ok());
  EXPECT_EQ(1, get->attempts);
  EXPECT_EQ(R"({"method":"GET","body":"","key":""})", get->body);

  Result<ClientResponse> post =
      client.SendBlocking(ClientRequest::Json("POST", Url("/echo"), R"({"a":1})"));
  ASSERT_TRUE(post.ok());
  boost::json::value v = boost::json::parse(post->body);
  EXPECT_EQ(R"({"a":1})", v.at("body").as_string());
  EXPECT_EQ("application/json", post->headers.Get("content-type").value_or(""));
}

TEST_F(ClientTest, ErrorResponsesAreResponsesWithAStatus) {
  Client client;
  Result<ClientResponse> r = client.SendBlocking(ClientRequest::Get(Url("/nothing/here")));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(404, r->status);
  EXPECT_EQ(StatusCode::kNotFound, r->ToStatus().code());
  EXPECT_EQ("no route for /nothing/here", r->ToStatus().message());
}

TEST_F(ClientTest, TimeoutIsDeadlineExceeded) {
  ClientOptions o;
  o.total_timeout = 300ms;
  Client client(o);
  auto start = Clock::now();
  Result<ClientResponse> r = client.SendBlocking(ClientRequest::Get(Url("/sleep")));
  EXPECT_EQ(StatusCode::kDeadlineExceeded, r.status().code()) << r.status().ToString();
  EXPECT_LT(Clock::now() - start, 1500ms);
}

TEST_F(ClientTest, PerRequestTimeoutOverridesTheDefault) {
  Client client;
  ClientRequest req = ClientRequest::Get(Url("/sleep"));
  req.timeout = 200ms;
  auto start = Clock::now();
  EXPECT_EQ(StatusCode::kDeadlineExceeded, client.SendBlocking(req).status().code());
  EXPECT_LT(Clock::now() - start, 1500ms);
}

TEST_F(ClientTest, RetriesGetOn5xx) {
  fail_first_ = 2;
  Client client(FastRetries());
  Result<ClientResponse> r = client.SendBlocking(ClientRequest::Get(Url("/flaky")));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(200, r->status);
  EXPECT_EQ(3, r->attempts);
  EXPECT_EQ(3, calls_.load());
}

TEST_F(ClientTest, NeverRetriesAPostWithoutIdempotencyKey) {
  fail_first_ = 2;
  Client client(FastRetries());
  Result<ClientResponse> r = client.SendBlocking(ClientRequest::Json("POST", Url("/flaky"), "{}"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(503, r->status);
  EXPECT_EQ(1, r->attempts);
  EXPECT_EQ(1, calls_.load());
}

TEST_F(ClientTest, RetriesAPostCarryingIdempotencyKey) {
  fail_first_ = 2;
  Client client(FastRetries());
  Result<ClientResponse> r = client.SendBlocking(
      ClientRequest::Json("POST", Url("/flaky"), "{}").WithHeader("Idempotency-Key", "k-1"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(200, r->status);
  EXPECT_EQ(3, r->attempts);
  EXPECT_EQ(3, calls_.load());
}

TEST_F(ClientTest, GivesUpAfterMaxAttemptsWithTheLastResponse) {
  fail_first_ = 100;
  ClientOptions o = FastRetries();
  o.max_attempts = 4;
  Client client(o);
  Result<ClientResponse> r = client.SendBlocking(ClientRequest::Get(Url("/flaky")));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(503, r->status);
  EXPECT_EQ(4, r->attempts);
  EXPECT_EQ(StatusCode::kUnavailable, r->ToStatus().code());
}

TEST_F(ClientTest, ConnectionDropsAreRetriedOnlyWhenIdempotent) {
  HangUpServer flaky;
  std::string url = "http://127.0.0.1:" + std::to_string(flaky.port()) + "/x";
  Client client(FastRetries());

  Result<ClientResponse> get = client.SendBlocking(ClientRequest::Get(url));
  EXPECT_EQ(StatusCode::kUnavailable, get.status().code()) << get.status().ToString();
  EXPECT_EQ(3, flaky.accepted());

  Result<ClientResponse> post = client.SendBlocking(ClientRequest::Json("POST", url, "{}"));
  EXPECT_EQ(StatusCode::kUnavailable, post.status().code());
  EXPECT_EQ(4, flaky.accepted());  // exactly one more

  Result<ClientResponse> keyed = client.SendBlocking(
      ClientRequest::Json("POST", url, "{}").WithHeader("Idempotency-Key", "k"));
  EXPECT_FALSE(keyed.ok());
  EXPECT_EQ(7, flaky.accepted());
}

TEST_F(ClientTest, RefusedConnectionIsUnavailable) {
  int port;
  {
    HangUpServer gone;
    port = gone.port();
  }
  Client client(FastRetries());
  Result<ClientResponse> r =
      client.SendBlocking(ClientRequest::Get("http://127.0.0.1:" + std::to_string(port) + "/"));
  EXPECT_EQ(StatusCode::kUnavailable, r.status().code());
  EXPECT_NE(std::string::npos, r.status().message().find("3 attempts")) << r.status().message();
}

TEST_F(ClientTest, ResponseSizeLimit) {
  ClientOptions o;
  o.max_response_bytes = 1 << 20;
  Client client(o);
  Result<ClientResponse> r = client.SendBlocking(ClientRequest::Get(Url("/big")));
  EXPECT_EQ(StatusCode::kPayloadTooLarge, r.status().code());
  o.max_response_bytes = 4 << 20;
  Client roomy(o);
  Result<ClientResponse> ok = roomy.SendBlocking(ClientRequest::Get(Url("/big")));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(2u << 20, ok->body.size());
}

TEST_F(ClientTest, ReusesKeptAliveConnections) {
  Client client;
  Result<ClientResponse> a = client.SendBlocking(ClientRequest::Get(Url("/who")));
  Result<ClientResponse> b = client.SendBlocking(ClientRequest::Get(Url("/who")));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->body, b->body);
}

TEST_F(ClientTest, ReplacesAConnectionTheServerClosedWhileIdle) {
  Client client;
  Result<ClientResponse> a = client.SendBlocking(ClientRequest::Get(Url("/who")));
  ASSERT_TRUE(a.ok());
  std::this_thread::sleep_for(400ms);  // past the server's idle timeout
  Result<ClientResponse> b = client.SendBlocking(ClientRequest::Get(Url("/who")));
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(1, b->attempts);
  EXPECT_NE(a->body, b->body);
}

TEST_F(ClientTest, SendsFromACoroutineHandler) {
  Client client;
  Result<ClientResponse> r = client.SendBlocking(ClientRequest::Get(Url("/proxy")));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(200, r->status);
  boost::json::value v = boost::json::parse(r->body);
  EXPECT_EQ("POST", v.at("method").as_string());
  EXPECT_EQ(R"({"via":"proxy"})", v.at("body").as_string());
}

TEST_F(ClientTest, ConcurrentBlockingCalls) {
  Client client;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        Result<ClientResponse> r = client.SendBlocking(ClientRequest::Get(Url("/echo")));
        if (r.ok() && r->status == 200) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(100, ok.load());
}

TEST_F(ClientTest, RejectsBadUrlsAndHeaders) {
  Client client;
  EXPECT_EQ(StatusCode::kInvalidArgument,
            client.SendBlocking(ClientRequest::Get("not a url")).status().code());
  EXPECT_EQ(StatusCode::kInvalidArgument,
            client.SendBlocking(ClientRequest::Get("ftp://127.0.0.1/x")).status().code());
  EXPECT_EQ(StatusCode::kUnimplemented,
            client.SendBlocking(ClientRequest::Get("https://127.0.0.1/x")).status().code());
  EXPECT_EQ(StatusCode::kInvalidArgument,
            client.SendBlocking(ClientRequest::Get(Url("/echo")).WithHeader("X-Bad", "a\r\nb: c"))
                .status()
                .code());
}

}  // namespace
}  // namespace backline::http
