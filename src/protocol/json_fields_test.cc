#include "protocol/json_fields.h"

#include <gtest/gtest.h>

namespace backline::protocol {
namespace {

JsonReader Reader(const boost::json::object& o) { return JsonReader::Of(o, "msg"); }

TEST(ParseJsonObjectTest, AcceptsOneObjectOnly) {
  EXPECT_TRUE(ParseJsonObject(R"({"a":1})", "body").ok());
  EXPECT_TRUE(ParseJsonObject(" {} \n", "body").ok());
  auto trailing = ParseJsonObject(R"({"a":1} {})", "body");
  EXPECT_EQ(StatusCode::kInvalidArgument, trailing.status().code());
  EXPECT_TRUE(trailing.status().message().starts_with("body is not valid JSON"));
  EXPECT_EQ(StatusCode::kInvalidArgument, ParseJsonObject("[1]", "body").status().code());
  EXPECT_EQ(StatusCode::kInvalidArgument, ParseJsonObject("", "body").status().code());
  EXPECT_EQ(StatusCode::kInvalidArgument, ParseJsonObject("{\"a\":\"\xff\"}", "b").status().code());
  std::string deep = std::string(63, '[') + std::string(63, ']');
  EXPECT_TRUE(ParseJsonObject("{\"a\":" + deep + "}", "body").ok());
  std::string deeper = std::string(64, '[') + std::string(64, ']');
  EXPECT_EQ(StatusCode::kInvalidArgument,
            ParseJsonObject("{\"a\":" + deeper + "}", "body").status().code());
}

TEST(JsonReaderTest, ErrorsNameMessageAndPath) {
  boost::json::object o = {{"outer", {{"n", "x"}}}};
  auto outer = Reader(o).GetObject("outer");
  ASSERT_TRUE(outer.ok());
  Status s = outer->GetInt("n").status();
  EXPECT_EQ(StatusCode::kInvalidArgument, s.code());
  EXPECT_EQ("msg: field \"outer.n\" must be an integer", s.message());
  EXPECT_EQ("msg: field \"outer.missing\" is missing",
            outer->GetString("missing").status().message());
  EXPECT_EQ("msg: field \"outer\" must be an object",
            Reader({{"outer", 1}}).GetObject("outer").status().message());
}

TEST(JsonReaderTest, Integers) {
  boost::json::object o = {
      {"i", 5}, {"neg", -5}, {"d", 5.0}, {"big", uint64_t{1} << 63}, {"s", "5"}};
  EXPECT_EQ(5, *Reader(o).GetInt("i", 0, 5));
  EXPECT_EQ(-5, *Reader(o).GetInt("neg"));
  EXPECT_FALSE(Reader(o).GetInt("i", 6).ok());
  EXPECT_FALSE(Reader(o).GetInt("i", 0, 4).ok());
  EXPECT_FALSE(Reader(o).GetInt("d").ok());
  EXPECT_FALSE(Reader(o).GetInt("big").ok());
  EXPECT_FALSE(Reader(o).GetInt("s").ok());
}

TEST(JsonReaderTest, NamesIdsBytesAndTimes) {
  Id id(std::array<uint8_t, 16>{1, 2, 3});
  boost::json::object o = {{"name", "merchant-1"},
                           {"bad_name", "merchant 1"},
                           {"id", id.ToBase32()},
                           {"b64", Base64UrlEncode(Bytes{1, 2, 3})},
                           {"padded", "AQID="},
                           {"t", "2026-09-21T14:28:20Z"},
                           {"t_offset", "2026-09-21T16:28:20+02:00"},
                           {"t_bad", "2026-09-21 14:28:20"}};
  EXPECT_EQ("merchant-1", *Reader(o).GetName("name"));
  EXPECT_FALSE(Reader(o).GetName("bad_name").ok());
  EXPECT_FALSE(Reader(o).GetName("name", 5).ok());
  EXPECT_EQ(id, *Reader(o).GetId("id"));
  EXPECT_FALSE(Reader(o).GetId("name").ok());
  EXPECT_EQ((Bytes{1, 2, 3}), *Reader(o).GetBase64Url("b64", 3));
  EXPECT_FALSE(Reader(o).GetBase64Url("b64", 4).ok());
  EXPECT_FALSE(Reader(o).GetBase64Url("padded").ok());
  EXPECT_EQ(Clock::TimePoint(std::chrono::seconds(1'790'000'900)), *Reader(o).GetTime("t"));
  EXPECT_EQ(*Reader(o).GetTime("t"), *Reader(o).GetTime("t_offset"));
  EXPECT_FALSE(Reader(o).GetTime("t_bad").ok());
}

}  // namespace
}  // namespace backline::protocol
