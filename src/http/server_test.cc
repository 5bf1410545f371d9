// The server over real sockets on 127.0.0.1: limits, timeouts, keep-alive,
// connection cap, graceful shutdown, built-in routes.
#include "http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <future>
#include <thread>

#include "http/json.h"
#include "http/test_util.h"

namespace backline::http {
namespace {

using namespace std::chrono_literals;
using testing::GetRequest;
using testing::TestSocket;
using Clock = std::chrono::steady_clock;

boost::asio::awaitable<void> Sleep(std::chrono::milliseconds d) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, d);
  co_await timer.async_wait(boost::asio::use_awaitable);
}

std::string ErrorCodeOf(const testing::ParsedResponse& r) {
  boost::json::value v = boost::json::parse(r.body);
  return std::string(v.at("error").at("code").as_string());
}

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() {
    options_.name = "test";
    options_.threads = 2;
  }

  Router MakeRouter() {
    Router r;
    r.Get("/orders/{id}", [](const Request& req) {
      return JsonResponse({{"id", req.PathParam("id")}, {"from", req.remote_address}});
    });
    r.Post("/upload",
           [](const Request& req) {
             return JsonResponse({{"size", req.body.size()}});
           },
           {.max_body_bytes = 1024});
    r.Get("/slow", [this](const Request&) -> boost::asio::awaitable<Response> {
      slow_started_.set_value();
      co_await Sleep(300ms);
      co_return JsonResponse({{"slow", true}});
    });
    return r;
  }

  void Start() {
    server_ = std::make_unique<Server>(MakeRouter(), options_);
    Result<uint16_t> port = server_->Listen("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    port_ = *port;
  }

  bool WaitForOpen(size_t n, std::chrono::milliseconds timeout = 2s) {
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      if (server_->open_connections() == n) return true;
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }

  bool MetricsEventuallyContain(std::string_view line, std::chrono::milliseconds timeout = 2s) {
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      if (server_->metrics().RenderPrometheus().find(line) != std::string::npos) return true;
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }

  ServerOptions options_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
  std::promise<void> slow_started_;
};

TEST_F(ServerTest, ListensOnAnEphemeralPort) {
  Start();
  EXPECT_NE(0, port_);
  EXPECT_EQ(port_, server_->port());
}

TEST_F(ServerTest, RoutesAndReusesTheConnection) {
  Start();
  TestSocket s(port_);
  ASSERT_TRUE(s.connected());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(s.Send(GetRequest("/orders/" + std::to_string(i))));
    auto r = s.ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(200, r->status);
    EXPECT_NE(std::string::npos, r->body.find("\"id\":\"" + std::to_string(i) + "\""));
    EXPECT_FALSE(r->headers.Get("Connection").has_value());
  }
  EXPECT_EQ(1u, server_->open_connections());
}

TEST_F(ServerTest, BodyOverLimitGets413ThenClose) {
  Start();
  TestSocket s(port_);
  // Announce 10 MiB, send a little of it: the answer must come before the
  // body, and the connection must end rather than wait for the rest.
  ASSERT_TRUE(s.Send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 10485760\r\n\r\n" +
                     std::string(4096, 'x')));
  auto r = s.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(413, r->status);
  EXPECT_EQ("PAYLOAD_TOO_LARGE", ErrorCodeOf(*r));
  EXPECT_EQ("close", r->headers.Get("Connection").value_or(""));
  EXPECT_TRUE(s.WaitForClose(5s));
}

TEST_F(ServerTest, BodyWithinLimitIsServed) {
  Start();
  TestSocket s(port_);
  ASSERT_TRUE(s.Send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1024\r\n\r\n" +
                     std::string(1024, 'x')));
  auto r = s.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(200, r->status);
  EXPECT_EQ(R"({"size":1024})", r->body);
}

TEST_F(ServerTest, ExpectContinueIsHonoured) {
  Start();
  TestSocket s(port_);
  ASSERT_TRUE(s.Send(
      "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  std::string interim = s.Receive(1024, 2s);
  EXPECT_EQ("HTTP/1.1 100 Continue\r\n\r\n", interim);
  ASSERT_TRUE(s.Send("hello"));
  auto r = s.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(R"({"size":5})", r->body);
}

TEST_F(ServerTest, HeaderTooLargeGets413) {
  options_.max_header_bytes = 2048;
  Start();
  TestSocket s(port_);
  ASSERT_TRUE(s.Send(GetRequest("/orders/1", "X-Padding: " + std::string(4096, 'p') + "\r\n")));
  auto r = s.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(413, r->status);
  EXPECT_EQ("PAYLOAD_TOO_LARGE", ErrorCodeOf(*r));
  EXPECT_TRUE(s.WaitForClose(5s));
}

TEST_F(ServerTest, SlowLorisHeaderIsCutOffByTheHeaderDeadline) {
  options_.header_timeout = 300ms;
  Start();
  TestSocket s(port_);
  std::string request = GetRequest("/orders/1", "X-Slow: " + std::string(200, 's') + "\r\n");
  auto start = Clock::now();
  bool cut = false;
  // One byte every 20 ms: each read makes progress, but the deadline is for
  // the whole header.
  for (char c : request) {
    if (!s.Send(std::string_view(&c, 1))) {
      cut = true;
      break;
    }
    bool closed = false;
    s.Receive(1024, 20ms, &closed);
    if (closed) {
      cut = true;
      break;
    }
  }
  auto elapsed = Clock::now() - start;
  EXPECT_TRUE(cut) << "the trickling client was never cut off";
  EXPECT_LT(elapsed, 2s);
  EXPECT_GE(elapsed, 250ms);
  // The socket closes a moment before the server's coroutine counts it.
  EXPECT_TRUE(
      MetricsEventuallyContain("backline_http_connection_timeouts_total{server=\"test\"} 1\n"));
}

TEST_F(ServerTest, StalledBodyIsCutOffByTheBodyDeadline) {
  options_.body_timeout = 300ms;
  Start();
  TestSocket s(port_);
  ASSERT_TRUE(s.Send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n0123456789"));
  auto start = Clock::now();
  EXPECT_TRUE(s.WaitForClose(3s));
  EXPECT_LT(Clock::now() - start, 2s);
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosed) {
  options_.idle_timeout = 200ms;
  Start();
  TestSocket s(port_);
  ASSERT_TRUE(s.Send(GetRequest("/orders/1")));
  ASSERT_TRUE(s.ReadResponse().has_value());
  auto start = Clock::now();
  EXPECT_TRUE(s.WaitForClose(3s));
  EXPECT_LT(Clock::now() - start, 2s);
  EXPECT_TRUE(WaitForOpen(0));
}

TEST_F(ServerTest, ConnectionLimitRefusesTheExtraOnes) {
  options_.max_connections = 2;
  Start();
  TestSocket a(port_);
  TestSocket b(port_);
  ASSERT_TRUE(WaitForOpen(2));
  TestSocket c(port_);
  // The third gets a canned 503 (or at least a closed socket), at once.
  auto r = c.ReadResponse(2s);
  if (r.has_value()) {
    EXPECT_EQ(503, r->status);
    EXPECT_EQ("UNAVAILABLE", ErrorCodeOf(*r));
  }
  EXPECT_TRUE(c.WaitForClose(2s));
  // The first two still work.
  ASSERT_TRUE(a.Send(GetRequest("/orders/1")));
  EXPECT_TRUE(a.ReadResponse().has_value());
  std::string metrics = server_->metrics().RenderPrometheus();
  EXPECT_NE(std::string::npos,
            metrics.find("backline_http_rejected_connections_total{server=\"test\"} 1\n"));
  EXPECT_NE(std::string::npos, metrics.find("backline_http_open_connections{server=\"test\"} 2\n"));
  // Once one closes, a new connection is accepted again.
  b.Close();
  ASSERT_TRUE(WaitForOpen(1));
  TestSocket d(port_);
  ASSERT_TRUE(d.Send(GetRequest("/orders/2")));
  auto rd = d.ReadResponse();
  ASSERT_TRUE(rd.has_value());
  EXPECT_EQ(200, rd->status);
}

TEST_F(ServerTest, GracefulStopLetsTheRequestInFlightFinish) {
  Start();
  TestSocket busy(port_);
  TestSocket idle(port_);
  ASSERT_TRUE(busy.Send(GetRequest("/slow")));
  slow_started_.get_future().wait();
  auto start = Clock::now();
  std::thread stopper([&] { server_->Stop(5s); });
  auto r = busy.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(200, r->status);
  EXPECT_EQ(R"({"slow":true})", r->body);
  EXPECT_EQ("close", r->headers.Get("Connection").value_or(""));
  EXPECT_TRUE(idle.WaitForClose(2s));
  stopper.join();
  EXPECT_LT(Clock::now() - start, 3s);
  TestSocket late(port_);
  EXPECT_FALSE(late.connected() && late.Send(GetRequest("/orders/1")) &&
               late.ReadResponse(1s).has_value());
}

TEST_F(ServerTest, StopForcesStragglersAfterTheGracePeriod) {
  Start();
  TestSocket busy(port_);
  ASSERT_TRUE(busy.Send(GetRequest("/slow")));
  slow_started_.get_future().wait();
  auto start = Clock::now();
  server_->Stop(50ms);
  EXPECT_LT(Clock::now() - start, 2s);
  EXPECT_TRUE(busy.WaitForClose(2s));
}

TEST_F(ServerTest, HealthzWithOwnerDetails) {
  options_.health_details = [](boost::json::object& o) { o["db"] = "up"; };
  Start();
  TestSocket s(port_);
  ASSERT_TRUE(s.Send(GetRequest("/healthz")));
  auto r = s.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(200, r->status);
  EXPECT_EQ(R"({"status":"ok","db":"up"})", r->body);
}

TEST_F(ServerTest, HealthzReportsUnhealthy) {
  options_.health_details = [](boost::json::object& o) { o["status"] = "degraded"; };
  Start();
  TestSocket s(port_);
  ASSERT_TRUE(s.Send(GetRequest("/healthz")));
  auto r = s.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(503, r->status);
}

TEST_F(ServerTest, MetricsHasTheExpectedSeries) {
  Start();
  TestSocket s(port_);
  for (const char* path : {"/orders/1", "/orders/2", "/missing"}) {
    ASSERT_TRUE(s.Send(GetRequest(path)));
    ASSERT_TRUE(s.ReadResponse().has_value());
  }
  ASSERT_TRUE(s.Send(GetRequest("/metrics")));
  auto r = s.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(200, r->status);
  EXPECT_EQ("text/plain; version=0.0.4; charset=utf-8",
            r->headers.Get("Content-Type").value_or(""));
  const std::string& m = r->body;
  for (const char* line : {
           "# TYPE backline_http_requests_total counter\n",
           "backline_http_requests_total{server=\"test\",method=\"GET\",route=\"/orders/{id}\","
           "status=\"200\"} 2\n",
           "backline_http_requests_total{server=\"test\",method=\"GET\",route=\"(unmatched)\","
           "status=\"404\"} 1\n",
           "# TYPE backline_http_request_duration_seconds histogram\n",
           "backline_http_request_duration_seconds_bucket{server=\"test\",method=\"GET\","
           "route=\"/orders/{id}\",le=\"+Inf\"} 2\n",
           "backline_http_request_duration_seconds_count{server=\"test\",method=\"GET\","
           "route=\"/orders/{id}\"} 2\n",
           "backline_http_response_bytes_total{server=\"test\",route=\"/orders/{id}\"} ",
           "backline_http_open_connections{server=\"test\"} 1\n",
           "backline_http_rejected_connections_total{server=\"test\"} 0\n",
       }) {
    EXPECT_NE(std::string::npos, m.find(line)) << "missing: " << line << "\nin:\n" << m;
  }
}

TEST_F(ServerTest, SeveralServersShareAProcessAndARegistry) {
  MetricsRegistry shared;
  options_.metrics = &shared;
  Start();
  ServerOptions other = options_;
  other.name = "other";
  Server second(MakeRouter(), other);
  Result<uint16_t> port2 = second.Listen("127.0.0.1", 0);
  ASSERT_TRUE(port2.ok());
  EXPECT_NE(port_, *port2);
  TestSocket s(*port2);
  ASSERT_TRUE(s.Send(GetRequest("/orders/9")));
  ASSERT_TRUE(s.ReadResponse().has_value());
  // Counted just after the response is written, so maybe after we read it.
  auto deadline = Clock::now() + 2s;
  while (shared.RenderPrometheus().find("backline_http_requests_total{server=\"other\"") ==
             std::string::npos &&
         Clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_NE(std::string::npos,
            shared.RenderPrometheus().find("backline_http_requests_total{server=\"other\""));
}

TEST_F(ServerTest, ListenReportsBadAddresses) {
  Start();
  Server second(MakeRouter(), options_);
  EXPECT_EQ(StatusCode::kInvalidArgument, second.Listen("not-an-ip", 0).status().code());
  EXPECT_EQ(StatusCode::kUnavailable, second.Listen("127.0.0.1", port_).status().code());
}

}  // namespace
}  // namespace backline::http
