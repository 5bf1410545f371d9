#include "http/json.h"

#include <gtest/gtest.h>

namespace backline::http {
namespace {

Request JsonRequest(std::string body, std::string content_type = "application/json") {
  Request r;
  r.method = "POST";
  r.body = std::move(body);
  if (!content_type.empty()) r.headers.Add("Content-Type", content_type);
  return r;
}

TEST(JsonTest, ParsesObjects) {
  Result<boost::json::object> o = ParseJsonObjectBody(JsonRequest(R"({"id":7})"));
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(7, o->at("id").as_int64());
}

TEST(JsonTest, SyntaxErrorsSayWhere) {
  Result<boost::json::value> v = ParseJsonBody(JsonRequest(R"({"id": 7,})"));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(StatusCode::kInvalidArgument, v.status().code());
  EXPECT_NE(std::string::npos, v.status().message().find("request body is not valid JSON"));
  EXPECT_NE(std::string::npos, v.status().message().find("at byte"));
}

TEST(JsonTest, RejectsTrailingGarbageTruncationAndEmpty) {
  EXPECT_FALSE(ParseJsonBody(JsonRequest(R"({"a":1} x)")).ok());
  EXPECT_FALSE(ParseJsonBody(JsonRequest(R"({"a":)")).ok());
  Result<boost::json::value> empty = ParseJsonBody(JsonRequest(""));
  EXPECT_EQ("request body is empty; expected JSON", empty.status().message());
}

TEST(JsonTest, ContentTypeMustBeJsonWhenPresent) {
  EXPECT_TRUE(ParseJsonBody(JsonRequest("{}", "")).ok());
  EXPECT_TRUE(ParseJsonBody(JsonRequest("{}", "application/json; charset=utf-8")).ok());
  EXPECT_TRUE(ParseJsonBody(JsonRequest("{}", "Application/JSON")).ok());
  EXPECT_TRUE(ParseJsonBody(JsonRequest("{}", "application/problem+json")).ok());
  Result<boost::json::value> form = ParseJsonBody(JsonRequest("{}", "text/plain"));
  ASSERT_FALSE(form.ok());
  EXPECT_NE(std::string::npos, form.status().message().find("text/plain"));
}

TEST(JsonTest, ObjectRequired) {
  Result<boost::json::object> o = ParseJsonObjectBody(JsonRequest("[1,2]"));
  EXPECT_EQ("request body must be a JSON object", o.status().message());
}

TEST(JsonTest, DeepNestingIsRefused) {
  std::string deep(10000, '[');
  deep += std::string(10000, ']');
  EXPECT_EQ(StatusCode::kInvalidArgument, ParseJson(deep).status().code());
  std::string ok(kMaxJsonDepth - 1, '[');
  ok += std::string(kMaxJsonDepth - 1, ']');
  EXPECT_TRUE(ParseJson(ok).ok());
}

TEST(JsonTest, Response) {
  Response r = JsonResponse(201, {{"hello", "world"}});
  EXPECT_EQ(201, r.status);
  EXPECT_EQ(R"({"hello":"world"})", r.body);
  EXPECT_EQ("application/json", r.headers.Get("Content-Type").value_or(""));
}

}  // namespace
}  // namespace backline::http
