#include "base/status.h"

#include <gtest/gtest.h>

namespace backline {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgument("odd: " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  BL_ASSIGN_OR_RETURN(int h, Half(x));
  BL_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int x) {
  BL_RETURN_IF_ERROR(Half(x));
  return Status::Ok();
}

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ("OK", s.ToString());
}

TEST(StatusTest, CarriesCodeAndMessage) {
  Status s = NotFound("product 7");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(StatusCode::kNotFound, s.code());
  EXPECT_EQ("NOT_FOUND: product 7", s.ToString());
  EXPECT_EQ("NOT_FOUND: catalog: product 7", s.WithContext("catalog").ToString());
}

TEST(StatusTest, NamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(StatusCode::kInternal); ++i) {
    auto code = static_cast<StatusCode>(i);
    EXPECT_EQ(code, StatusCodeFromName(StatusCodeName(code)));
  }
  EXPECT_FALSE(StatusCodeFromName("NOPE").has_value());
}

TEST(ResultTest, PropagatesFirstError) {
  EXPECT_EQ(3, Quarter(12).value());
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ("INVALID_ARGUMENT: odd: 3", r.status().ToString());
  EXPECT_EQ(StatusCode::kInvalidArgument, CheckEven(5).code());
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_EQ(9, Result<int>(NotFound("x")).value_or(9));
}

TEST(ResultTest, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(5);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(5, *p);
}

}  // namespace
}  // namespace backline
