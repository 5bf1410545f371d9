// The connection logic without sockets, through HandleRawForTesting: what a
// client sending these exact bytes would get back.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "http/error.h"
#include "http/json.h"
#include "http/server.h"
#include "http/test_util.h"

namespace backline::http {
namespace {

using testing::ParsedResponse;
using testing::ParseResponses;

class RawTest : public ::testing::Test {
 protected:
  RawTest() {
    router_.Get("/orders/{id}", [](const Request& r) {
      return JsonResponse({{"id", r.PathParam("id")},
                           {"q", r.Query("q").value_or("-")},
                           {"path", r.path},
                           {"rid", r.request_id}});
    });
    router_.Post("/orders",
                 [](const Request& r) {
                   Result<boost::json::object> o = ParseJsonObjectBody(r);
                   if (!o.ok()) return ErrorResponse(o.status());
                   return JsonResponse(201, *o);
                 },
                 {.max_body_bytes = 64});
    router_.Get("/throws", [](const Request&) -> Response { throw std::runtime_error("boom"); });
    router_.Get("/bad-header", [](const Request&) {
      Response r = Response::Text(200, "ok");
      r.headers.Add("X-Evil", "a\r\nSet-Cookie: x=1");
      r.headers.Add("Content-Length", "999");
      return r;
    });
    router_.Get("/chunked", [](const Request&) {
      return Response::Stream(200, std::make_unique<StringBodySource>("hello, chunks", true));
    });
  }

  std::vector<ParsedResponse> Run(std::string_view raw) {
    return ParseResponses(HandleRawForTesting(router_, raw, options_));
  }

  static std::string ErrorCode(const ParsedResponse& r) {
    boost::json::value v = boost::json::parse(r.body);
    return std::string(v.at("error").at("code").as_string());
  }

  Router router_;
  ServerOptions options_;
};

TEST_F(RawTest, RoutesWithParamsAndDecodedQuery) {
  auto rs = Run("GET /orders/a%20b?q=x+y%21 HTTP/1.1\r\nHost: t\r\nX-Request-Id: abc-1\r\n\r\n");
  ASSERT_EQ(1u, rs.size());
  EXPECT_EQ(200, rs[0].status);
  boost::json::value v = boost::json::parse(rs[0].body);
  EXPECT_EQ("a b", v.at("id").as_string());
  EXPECT_EQ("x y!", v.at("q").as_string());
  EXPECT_EQ("/orders/a b", v.at("path").as_string());
  EXPECT_EQ("abc-1", v.at("rid").as_string());
  EXPECT_EQ("abc-1", rs[0].headers.Get("X-Request-Id").value_or(""));
}

TEST_F(RawTest, InventsARequestIdWhenTheCallersIsUnfit) {
  auto rs = Run("GET /orders/1 HTTP/1.1\r\nX-Request-Id: <script>\r\n\r\n");
  ASSERT_EQ(1u, rs.size());
  std::string id(rs[0].headers.Get("X-Request-Id").value_or(""));
  EXPECT_EQ(26u, id.size());
}

TEST_F(RawTest, PipelinedRequestsAnsweredInOrder) {
  auto rs =
      Run("GET /orders/1 HTTP/1.1\r\n\r\n"
          "GET /orders/2 HTTP/1.1\r\n\r\n"
          "POST /orders HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 8\r\n\r\n"
          "{\"a\":1}\n"
          "GET /orders/3 HTTP/1.1\r\n\r\n");
  ASSERT_EQ(4u, rs.size());
  EXPECT_NE(std::string::npos, rs[0].body.find("\"id\":\"1\""));
  EXPECT_NE(std::string::npos, rs[1].body.find("\"id\":\"2\""));
  EXPECT_EQ(201, rs[2].status);
  EXPECT_NE(std::string::npos, rs[3].body.find("\"id\":\"3\""));
}

TEST_F(RawTest, NotFoundAndMethodNotAllowedAreJson) {
  auto rs = Run("GET /nope HTTP/1.1\r\n\r\nDELETE /orders/1 HTTP/1.1\r\n\r\n");
  ASSERT_EQ(2u, rs.size());
  EXPECT_EQ(404, rs[0].status);
  EXPECT_EQ("NOT_FOUND", ErrorCode(rs[0]));
  EXPECT_EQ(405, rs[1].status);
  EXPECT_EQ("UNIMPLEMENTED", ErrorCode(rs[1]));
  EXPECT_EQ("GET, HEAD", rs[1].headers.Get("Allow").value_or(""));
}

TEST_F(RawTest, UnreadBodyOnAnUnknownRouteClosesTheConnection) {
  auto rs =
      Run("POST /nope HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /orders/1 HTTP/1.1\r\n\r\n");
  ASSERT_EQ(1u, rs.size());
  EXPECT_EQ(404, rs[0].status);
  EXPECT_EQ("close", rs[0].headers.Get("Connection").value_or(""));
}

TEST_F(RawTest, JsonParseErrorHasTheOneErrorShape) {
  auto rs =
      Run("POST /orders HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n"
          "{\"a\":1,}x");
  ASSERT_EQ(1u, rs.size());
  EXPECT_EQ(400, rs[0].status);
  EXPECT_EQ("application/json", rs[0].headers.Get("Content-Type").value_or(""));
  boost::json::value v = boost::json::parse(rs[0].body);
  ASSERT_TRUE(v.is_object());
  ASSERT_EQ(1u, v.as_object().size());
  const boost::json::object& e = v.at("error").as_object();
  EXPECT_EQ(2u, e.size());
  EXPECT_EQ("INVALID_ARGUMENT", e.at("code").as_string());
  EXPECT_NE(std::string::npos,
            std::string(e.at("message").as_string()).find("request body is not valid JSON"));
}

TEST_F(RawTest, BodyOverTheRouteLimitIs413AndCloses) {
  std::string body(65, 'x');
  auto rs = Run("POST /orders HTTP/1.1\r\nContent-Length: 65\r\n\r\n" + body +
                "GET /orders/1 HTTP/1.1\r\n\r\n");
  ASSERT_EQ(1u, rs.size());
  EXPECT_EQ(413, rs[0].status);
  EXPECT_EQ("PAYLOAD_TOO_LARGE", ErrorCode(rs[0]));
  EXPECT_EQ("close", rs[0].headers.Get("Connection").value_or(""));
}

TEST_F(RawTest, ChunkedBodyOverTheLimitIs413) {
  std::string chunk(40, 'x');
  auto rs =
      Run("POST /orders HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
          "28\r\n" +
          chunk + "\r\n28\r\n" + chunk + "\r\n0\r\n\r\n");
  ASSERT_EQ(1u, rs.size());
  EXPECT_EQ(413, rs[0].status);
  EXPECT_EQ("PAYLOAD_TOO_LARGE", ErrorCode(rs[0]));
}

TEST_F(RawTest, ChunkedBodyWithinTheLimitIsRead) {
  auto rs =
      Run("POST /orders HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
          "4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n");
  ASSERT_EQ(1u, rs.size());
  EXPECT_EQ(201, rs[0].status);
  EXPECT_EQ(R"({"a":1})", rs[0].body);
}

TEST_F(RawTest, HeaderTooLargeIs413) {
  options_.max_header_bytes = 1024;
  auto rs = Run("GET /orders/1 HTTP/1.1\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n");
  ASSERT_EQ(1u, rs.size());
  EXPECT_EQ(413, rs[0].status);
  EXPECT_EQ("PAYLOAD_TOO_LARGE", ErrorCode(rs[0]));
}

TEST_F(RawTest, MalformedRequestIs400AndCloses) {
  auto rs = Run("GET /orders/1 HTTP/9.9\r\n\r\nGET /orders/1 HTTP/1.1\r\n\r\n");
  ASSERT_EQ(1u, rs.size());
  EXPECT_EQ(400, rs[0].status);
  EXPECT_EQ("INVALID_ARGUMENT", ErrorCode(rs[0]));

  rs = Run("GET /orders/1 HTTP/1.1\r\nBad Header\r\n\r\n");
  ASSERT_EQ(1u, rs.size());
  EXPECT_EQ(400, rs[0].status);

  rs = Run("GET http://[bad HTTP/1.1\r\n\r\n");
  ASSERT_EQ(1u, rs.size());
  EXPECT_EQ(400, rs[0].status);

  rs = Run("OPTIONS * HTTP/1.1\r\n\r\n");
  ASSERT_EQ(1u, rs.size());
  EXPECT_EQ(400, rs[0].status);
}

TEST_F(RawTest, AbsoluteFormTargetsAreAccepted) {
  auto rs = Run("GET http://shop.example/orders/5?q=z HTTP/1.1\r\n\r\n");
  ASSERT_EQ(1u, rs.size());
  EXPECT_EQ(200, rs[0].status);
  boost::json::value v = boost::json::parse(rs[0].body);
  EXPECT_EQ("5", v.at("id").as_string());
  EXPECT_EQ("z", v.at("q").as_string());
}

TEST_F(RawTest, ContentLengthWithTransferEncodingIsRefused) {
  // Request smuggling: two framings for one body. Never guess.
  auto rs =
      Run("POST /orders HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
          "0\r\n\r\nGET /orders/1 HTTP/1.1\r\n\r\n");
  ASSERT_EQ(1u, rs.size());
  EXPECT_EQ(400, rs[0].status);
}

TEST_F(RawTest, TruncatedRequestGetsNoAnswer) {
  EXPECT_EQ("", HandleRawForTesting(router_, "GET /orders/1 HTTP/1.1\r\nHost: x"));
  EXPECT_EQ("", HandleRawForTesting(router_, ""));
}

TEST_F(RawTest, HeadHasLengthButNoBody) {
  std::string out = HandleRawForTesting(router_, "HEAD /orders/1 HTTP/1.1\r\n\r\n");
  size_t used = 0;
  auto r = testing::ParseResponse(out, &used, /*head=*/true);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(200, r->status);
  EXPECT_NE("0", r->headers.Get("Content-Length").value_or("0"));
  EXPECT_EQ(out.size(), used);
}

TEST_F(RawTest, ThrowingHandlerIs500) {
  auto rs = Run("GET /throws HTTP/1.1\r\n\r\n");
  ASSERT_EQ(1u, rs.size());
  EXPECT_EQ(500, rs[0].status);
  EXPECT_EQ("INTERNAL", ErrorCode(rs[0]));
}

TEST_F(RawTest, UnsafeAndManagedHeadersAreDropped) {
  std::string out = HandleRawForTesting(router_, "GET /bad-header HTTP/1.1\r\n\r\n");
  EXPECT_EQ(std::string::npos, out.find("Set-Cookie"));
  EXPECT_EQ(std::string::npos, out.find("999"));
  auto rs = ParseResponses(out);
  ASSERT_EQ(1u, rs.size());
  EXPECT_EQ("ok", rs[0].body);
}

TEST_F(RawTest, StreamWithUnknownSizeIsChunked) {
  auto rs = Run("GET /chunked HTTP/1.1\r\n\r\n");
  ASSERT_EQ(1u, rs.size());
  EXPECT_EQ("chunked", rs[0].headers.Get("Transfer-Encoding").value_or(""));
  EXPECT_EQ("hello, chunks", rs[0].body);
}

TEST_F(RawTest, Http10ClosesUnlessAskedToKeepAlive) {
  auto rs = Run("GET /orders/1 HTTP/1.0\r\n\r\nGET /orders/2 HTTP/1.0\r\n\r\n");
  ASSERT_EQ(1u, rs.size());
  rs =
      Run("GET /orders/1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /orders/2 HTTP/1.0\r\n\r\n");
  ASSERT_EQ(2u, rs.size());
}

TEST_F(RawTest, MetricsCountRawRequests) {
  MetricsRegistry metrics;
  options_.metrics = &metrics;
  options_.name = "raw";
  Run("GET /orders/1 HTTP/1.1\r\n\r\nGET /nope HTTP/1.1\r\n\r\n");
  std::string text = metrics.RenderPrometheus();
  EXPECT_NE(std::string::npos,
            text.find("backline_http_requests_total{server=\"raw\",method=\"GET\",route=\"/"
                      "orders/{id}\",status=\"200\"} 1\n"));
  EXPECT_NE(std::string::npos,
            text.find("backline_http_requests_total{server=\"raw\",method=\"GET\",route=\"("
                      "unmatched)\",status=\"404\"} 1\n"));
}

}  // namespace
}  // namespace backline::http
