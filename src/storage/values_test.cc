#include "storage/values.h"

#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace backline::storage {
namespace {

using Kind = Param::Kind;

TEST(ParamTest, PicksTheKindFromTheCppType) {
  EXPECT_EQ(Kind::kNull, Param(nullptr).kind());
  EXPECT_EQ(Kind::kNull, Param(std::nullopt).kind());
  EXPECT_EQ(Kind::kInt64, Param(7).kind());
  EXPECT_EQ(-7, Param(int64_t{-7}).int64());
  EXPECT_EQ(4000000000, Param(uint32_t{4000000000}).int64());
  EXPECT_EQ(1, Param(true).int64());
  EXPECT_EQ("abc", Param("abc").text());
  EXPECT_EQ("def", Param(std::string("def")).text());
  EXPECT_EQ(Kind::kText, Param(std::string_view("")).kind());
  Bytes blob = {1, 2, 3};
  EXPECT_EQ(Kind::kBlob, Param(blob).kind());
  EXPECT_EQ(3u, Param(blob).blob().size());
  std::array<uint8_t, 32> key{};
  EXPECT_EQ(32u, Param(key).blob().size());
  EXPECT_EQ(Kind::kBlob, Param::Blob(AsBytes("text as bytes")).kind());
}

TEST(ParamTest, OptionalIsNullOrItsValue) {
  std::optional<int64_t> none;
  std::optional<std::string> some = "x";
  EXPECT_TRUE(Param(none).is_null());
  EXPECT_EQ("x", Param(some).text());
}

TEST(ParamTest, TextMustBeUtf8WithoutNul) {
  std::vector<Param> ok = {"plain", "Beyoncé", "東京", "🎵", ""};
  EXPECT_TRUE(CheckParams(ok).ok());

  std::string nul("a\0b", 3);
  std::vector<Param> bad = {"fine", Param::Text(nul)};
  Status s = CheckParams(bad);
  EXPECT_EQ(StatusCode::kInvalidArgument, s.code());
  EXPECT_NE(std::string::npos, s.message().find("$2")) << s.ToString();

  for (std::string_view invalid :
       {"\xC3", "\xC0\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xFF"}) {
    std::vector<Param> p = {invalid};
    EXPECT_FALSE(CheckParams(p).ok()) << HexEncode(AsBytes(invalid));
  }
  // The same bytes are fine as a blob.
  std::vector<Param> blob = {Param::Blob(AsBytes(nul))};
  EXPECT_TRUE(CheckParams(blob).ok());
}

Rows SampleRows() {
  Rows rows({"id", "name", "key", "note"});
  rows.Add({int64_t{42}, std::string("Ada"), Bytes{0xde, 0xad}, Null{}});
  return rows;
}

TEST(RowTest, TypedGettersByIndexAndName) {
  Rows rows = SampleRows();
  ASSERT_EQ(1u, rows.size());
  const Row& row = rows[0];
  EXPECT_EQ(42, row.GetInt64(0).value());
  EXPECT_EQ("Ada", row.GetText("name").value());
  EXPECT_EQ((Bytes{0xde, 0xad}), row.GetBlob(2).value());
  EXPECT_TRUE(row.IsNull("note").value());
  EXPECT_FALSE(row.IsNull(0).value());
  EXPECT_EQ(std::nullopt, row.GetOptionalText(3).value());
  EXPECT_EQ(std::optional<int64_t>(42), row.GetOptionalInt64("id").value());
}

TEST(RowTest, WrongKindNullOrMissingColumnIsInternalAndNamed) {
  Rows rows = SampleRows();
  const Row& row = rows[0];

  auto wrong = row.GetInt64(1);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(StatusCode::kInternal, wrong.status().code());
  EXPECT_NE(std::string::npos, wrong.status().message().find("'name'"))
      << wrong.status().ToString();
  EXPECT_NE(std::string::npos, wrong.status().message().find("TEXT"));

  auto null = row.GetText("note");
  ASSERT_FALSE(null.ok());
  EXPECT_NE(std::string::npos, null.status().message().find("NULL")) << null.status().ToString();

  EXPECT_EQ(StatusCode::kInternal, row.GetBlob(9).status().code());
  EXPECT_EQ(StatusCode::kInternal, row.GetBlob("nope").status().code());
}

}  // namespace
}  // namespace backline::storage
