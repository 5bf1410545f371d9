#include "crypto/structured_fields.h"

#include <gtest/gtest.h>

namespace backline::crypto::sf {
namespace {

// Parses `text` as the given type and serializes it back; errors as their
// status string so a failure reads well.
std::string ItemRoundTrip(std::string_view text) {
  auto item = ParseItem(text);
  if (!item.ok()) return item.status().ToString();
  return SerializeItem(*item).value_or("serialization failed");
}
std::string ListRoundTrip(std::string_view text) {
  auto list = ParseList(text);
  if (!list.ok()) return list.status().ToString();
  return SerializeList(*list).value_or("serialization failed");
}
std::string DictionaryRoundTrip(std::string_view text) {
  auto dict = ParseDictionary(text);
  if (!dict.ok()) return dict.status().ToString();
  return SerializeDictionary(*dict).value_or("serialization failed");
}

TEST(StructuredFieldsTest, ItemsRoundTripCanonically) {
  EXPECT_EQ("42", ItemRoundTrip("42"));
  EXPECT_EQ("-42", ItemRoundTrip("  -42  "));
  EXPECT_EQ("0", ItemRoundTrip("-0"));
  EXPECT_EQ("999999999999999", ItemRoundTrip("999999999999999"));
  EXPECT_EQ("4.5", ItemRoundTrip("4.5"));
  EXPECT_EQ("1.5", ItemRoundTrip("1.500"));
  EXPECT_EQ("-0.25", ItemRoundTrip("-0.25"));
  EXPECT_EQ("0.0", ItemRoundTrip("0.000"));
  EXPECT_EQ("999999999999.999", ItemRoundTrip("999999999999.999"));
  EXPECT_EQ(R"("hello \"world\" \\")", ItemRoundTrip(R"("hello \"world\" \\")"));
  EXPECT_EQ("foo/bar:baz", ItemRoundTrip("foo/bar:baz"));
  EXPECT_EQ("*token", ItemRoundTrip("*token"));
  EXPECT_EQ(":cHJldGVuZCB0aGlzIGlzIGJpbmFyeSBjb250ZW50Lg==:",
            ItemRoundTrip(":cHJldGVuZCB0aGlzIGlzIGJpbmFyeSBjb250ZW50Lg==:"));
  EXPECT_EQ("::", ItemRoundTrip("::"));
  EXPECT_EQ("?1", ItemRoundTrip("?1"));
  EXPECT_EQ("?0", ItemRoundTrip("?0"));
  EXPECT_EQ("abc;a=1;b=2;cde_456", ItemRoundTrip("abc;a=1;b=2; cde_456"));
  EXPECT_EQ("1;a;b=?0", ItemRoundTrip("1;a=?1;b=?0"));
  EXPECT_EQ("1;a=3;b=2", ItemRoundTrip("1;a=1;b=2;a=3"));  // a repeated key overwrites in place
}

TEST(StructuredFieldsTest, ParsedValuesHaveTheRightTypes) {
  Item item = ParseItem("text/html;q=0.5;charset=\"utf-8\"").value();
  EXPECT_EQ(BareItem(Token{"text/html"}), item.value);
  EXPECT_EQ(BareItem(Decimal{500}), *FindParameter(item.params, "q"));
  EXPECT_EQ(BareItem(std::string("utf-8")), *FindParameter(item.params, "charset"));
  EXPECT_EQ(nullptr, FindParameter(item.params, "level"));
  EXPECT_EQ(BareItem(Bytes{0xfb, 0xff}), ParseItem(":+/8=:").value().value);
  EXPECT_EQ(BareItem(int64_t{-999'999'999'999'999}), ParseItem("-999999999999999").value().value);
}

TEST(StructuredFieldsTest, ListsRoundTripCanonically) {
  EXPECT_EQ("sugar, tea, rum", ListRoundTrip("sugar,   tea,\trum"));
  EXPECT_EQ(R"(("foo" "bar"), ("baz"), ("bat" "one"), ())",
            ListRoundTrip(R"(("foo" "bar"), ("baz"), ("bat" "one"), ())"));
  EXPECT_EQ(R"(("foo";a=1;b=2);lvl=5, ("bar" "baz");lvl=1)",
            ListRoundTrip(R"(( "foo";a=1;b=2 );lvl=5, ("bar"   "baz");lvl=1)"));
  EXPECT_EQ(R"(abc;a=1;b=2;cde_456, (ghi;jk=4 l);q="9";r=w)",
            ListRoundTrip(R"(abc;a=1;b=2; cde_456, (ghi;jk=4 l);q="9";r=w)"));
  EXPECT_TRUE(ParseList("").value().empty());
  EXPECT_TRUE(ParseList("   ").value().empty());
}

TEST(StructuredFieldsTest, DictionariesRoundTripCanonically) {
  EXPECT_EQ(R"(en="Applepie", da=:w4ZibGV0w6ZydGU=:)",
            DictionaryRoundTrip(R"(en="Applepie", da=:w4ZibGV0w6ZydGU=:)"));
  EXPECT_EQ("a=?0, b, c;foo=bar", DictionaryRoundTrip("a=?0, b, c; foo=bar"));
  EXPECT_EQ("rating=1.5, feelings=(joy sadness)",
            DictionaryRoundTrip("rating=1.5, feelings=(joy sadness)"));
  EXPECT_EQ("a=3, b=2", DictionaryRoundTrip("a=1, b=2, a=3"));  // overwrite keeps position
  EXPECT_EQ("a=(1 2);x, b;y=2, c=?0", DictionaryRoundTrip("a=(1 2);x, b=?1;y=2, c=?0"));
  EXPECT_TRUE(ParseDictionary("").value().empty());
}

TEST(StructuredFieldsTest, RejectsWhatTheGrammarDoesNot) {
  for (std::string_view bad : {
           "",                  // an item cannot be empty
           "1.2345",            // four fractional digits
           "1.",                // no fractional digit
           "1234567890123456",  // sixteen digits
           "1234567890123.0",   // thirteen integer digits
           "-",                 // sign without digits
           "--1",               //
           "\"\x01\"",          // control character in a string
           R"("a\b")",          // only \" and \\ are escapes
           R"("unterminated)",  //
           "\"ends in \\",      //
           ":abc:",             // unpadded base64
           ":YQ=x:",            // junk after padding
           ":Zh==:",            // non-canonical pad bits
           ":YWJj",             // unterminated byte sequence
           ":-_8=:",            // base64url alphabet
           "?2",                //
           "?",                 //
           "@1659578233",       // RFC 9651 dates are not supported
           "%\"x\"",            // nor display strings
           "1;A=2",             // keys are lowercase
           "1;=2",              //
           "1;a=",              // missing parameter value
           "a b",               // two items
           "(a)",               // an inner list is not an item
           "\xc3\xa4",          // non-ASCII
           "1\t",               // trailing HTAB is not trimmed, only SP
       }) {
    EXPECT_FALSE(ParseItem(bad).ok()) << bad;
  }
  for (std::string_view bad :
       {"a,", "a,,b", ",a", "(a b", "(a b)c", "(a\tb)", "(a,b)", "a, (b", "a;", "a b"}) {
    EXPECT_FALSE(ParseList(bad).ok()) << bad;
  }
  for (std::string_view bad :
       {"a=1,", "A=1", "a=1,,b=2", "a=", "a=(1 2", "1=a", "a=1 b=2", "a=1;", "-a=1", "a=1, "}) {
    EXPECT_FALSE(ParseDictionary(bad).ok()) << bad;
  }
}

TEST(StructuredFieldsTest, SizeLimitsAreTheRfcMinimums) {
  std::string list;
  for (size_t i = 0; i < kMaxMembers; ++i) list += (i ? ",1" : "1");
  EXPECT_TRUE(ParseList(list).ok());
  EXPECT_FALSE(ParseList(list + ",1").ok());
  std::string params = "1";
  for (size_t i = 0; i < kMaxParameters; ++i) params += ";k" + std::to_string(i);
  EXPECT_TRUE(ParseItem(params).ok());
  EXPECT_FALSE(ParseItem(params + ";z").ok());
}

TEST(StructuredFieldsTest, SerializerRefusesInexpressibleValues) {
  EXPECT_FALSE(SerializeBareItem(int64_t{1'000'000'000'000'000}).ok());
  EXPECT_FALSE(SerializeBareItem(Decimal{1'000'000'000'000'000}).ok());
  EXPECT_FALSE(SerializeBareItem(std::string("line\nbreak")).ok());
  EXPECT_FALSE(SerializeBareItem(std::string("caf\xc3\xa9")).ok());
  EXPECT_FALSE(SerializeBareItem(Token{"1abc"}).ok());
  EXPECT_FALSE(SerializeBareItem(Token{""}).ok());
  EXPECT_FALSE(SerializeBareItem(Token{"a b"}).ok());
  EXPECT_FALSE(SerializeParameters({{"Key", true}}).ok());
  EXPECT_FALSE(SerializeList({}).ok());
  EXPECT_FALSE(
      SerializeDictionary({{"ok", Item{int64_t{1}, {}}}, {"", Item{int64_t{2}, {}}}}).ok());
  EXPECT_TRUE(IsValidKey("*a.b-c_1"));
  EXPECT_FALSE(IsValidKey("1a"));
}

}  // namespace
}  // namespace backline::crypto::sf
