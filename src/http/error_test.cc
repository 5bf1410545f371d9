#include "http/error.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace backline::http {
namespace {

TEST(ErrorTest, OneHttpStatusPerCode) {
  EXPECT_EQ(200, HttpStatusFor(StatusCode::kOk));
  EXPECT_EQ(400, HttpStatusFor(StatusCode::kInvalidArgument));
  EXPECT_EQ(401, HttpStatusFor(StatusCode::kUnauthenticated));
  EXPECT_EQ(403, HttpStatusFor(StatusCode::kPermissionDenied));
  EXPECT_EQ(404, HttpStatusFor(StatusCode::kNotFound));
  EXPECT_EQ(409, HttpStatusFor(StatusCode::kAlreadyExists));
  EXPECT_EQ(409, HttpStatusFor(StatusCode::kConflict));
  EXPECT_EQ(409, HttpStatusFor(StatusCode::kFailedPrecondition));
  EXPECT_EQ(402, HttpStatusFor(StatusCode::kPaymentDeclined));
  EXPECT_EQ(413, HttpStatusFor(StatusCode::kPayloadTooLarge));
  EXPECT_EQ(429, HttpStatusFor(StatusCode::kResourceExhausted));
  EXPECT_EQ(504, HttpStatusFor(StatusCode::kDeadlineExceeded));
  EXPECT_EQ(503, HttpStatusFor(StatusCode::kUnavailable));
  EXPECT_EQ(500, HttpStatusFor(StatusCode::kDataLoss));
  EXPECT_EQ(501, HttpStatusFor(StatusCode::kUnimplemented));
  EXPECT_EQ(500, HttpStatusFor(StatusCode::kInternal));
}

TEST(ErrorTest, BodyShape) {
  EXPECT_EQ(R"({"error":{"code":"NOT_FOUND","message":"order 7"}})",
            ErrorBody(NotFound("order 7")));
  boost::json::value v = boost::json::parse(ErrorBody(InvalidArgument("a \"quoted\"\nline")));
  EXPECT_EQ("a \"quoted\"\nline", v.at("error").at("message").as_string());
  EXPECT_EQ("INVALID_ARGUMENT", v.at("error").at("code").as_string());
}

TEST(ErrorTest, OkStatusIsABug) {
  Response r = ErrorResponse(Status::Ok());
  EXPECT_EQ(500, r.status);
  EXPECT_NE(std::string::npos, r.body.find("\"INTERNAL\""));
}

TEST(ErrorTest, ResponseCarriesJson) {
  Response r = ErrorResponse(PayloadTooLarge("too big"));
  EXPECT_EQ(413, r.status);
  EXPECT_EQ("application/json", r.headers.Get("content-type").value_or(""));
  EXPECT_EQ(ErrorBody(PayloadTooLarge("too big")), r.body);
}

TEST(ErrorTest, StatusRoundTripsThroughAResponse) {
  for (int i = 1; i <= static_cast<int>(StatusCode::kInternal); ++i) {
    Status s(static_cast<StatusCode>(i), "why " + std::to_string(i));
    Response r = ErrorResponse(s);
    EXPECT_EQ(s, StatusFromResponse(r.status, r.body));
  }
}

TEST(ErrorTest, ForeignErrorBodiesFallBackToTheHttpStatus) {
  EXPECT_TRUE(StatusFromResponse(204, "").ok());
  Status s = StatusFromResponse(502, "<html>Bad Gateway</html>");
  EXPECT_EQ(StatusCode::kUnavailable, s.code());
  EXPECT_EQ("HTTP 502: <html>Bad Gateway</html>", s.message());
  EXPECT_EQ(StatusCode::kNotFound, StatusFromResponse(404, "{}").code());
  EXPECT_EQ(StatusCode::kNotFound,
            StatusFromResponse(404, R"({"error":{"code":"NO_SUCH_CODE"}})").code());
  EXPECT_EQ(StatusCode::kInternal, StatusFromResponse(500, "").code());
  EXPECT_EQ(StatusCode::kFailedPrecondition, StatusFromResponse(418, "").code());
}

}  // namespace
}  // namespace backline::http
