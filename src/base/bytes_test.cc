#include "base/bytes.h"

#include <gtest/gtest.h>

namespace backline {
namespace {

// RFC 4648 section 10 test vectors.
struct Case {
  const char* plain;
  const char* b64;
  const char* b32;  // lowercase, unpadded
};
constexpr Case kRfc4648[] = {
    {"", "", ""},
    {"f", "Zg==", "my"},
    {"fo", "Zm8=", "mzxq"},
    {"foo", "Zm9v", "mzxw6"},
    {"foob", "Zm9vYg==", "mzxw6yq"},
    {"fooba", "Zm9vYmE=", "mzxw6ytb"},
    {"foobar", "Zm9vYmFy", "mzxw6ytboi"},
};

TEST(BytesTest, Rfc4648Vectors) {
  for (const Case& c : kRfc4648) {
    EXPECT_EQ(c.b64, Base64Encode(AsBytes(c.plain)));
    EXPECT_EQ(c.plain, ToString(Base64Decode(c.b64).value()));
    EXPECT_EQ(c.b32, Base32Encode(AsBytes(c.plain)));
    EXPECT_EQ(c.plain, ToString(Base32Decode(c.b32).value()));
    std::string url = c.b64;
    url.erase(url.find_last_not_of('=') + 1);
    EXPECT_EQ(url, Base64UrlEncode(AsBytes(c.plain)));
    EXPECT_EQ(c.plain, ToString(Base64UrlDecode(url).value()));
  }
}

TEST(BytesTest, UrlAlphabet) {
  Bytes b = {0xfb, 0xff};
  EXPECT_EQ("-_8", Base64UrlEncode(b));
  EXPECT_EQ("+/8=", Base64Encode(b));
}

TEST(BytesTest, StrictDecoding) {
  EXPECT_FALSE(Base64UrlDecode("Zg==").ok());   // padding not allowed
  EXPECT_FALSE(Base64UrlDecode("Zh").ok());     // non-zero trailing bits
  EXPECT_FALSE(Base64UrlDecode("Z").ok());      // impossible length
  EXPECT_FALSE(Base64UrlDecode("Zm9+").ok());   // standard alphabet
  EXPECT_FALSE(Base64Decode("Zg").ok());        // padding required
  EXPECT_FALSE(Base32Decode("mz").ok());        // trailing bits
  EXPECT_FALSE(Base32Decode("m1").ok());        // not in alphabet
  EXPECT_FALSE(HexDecode("abc").ok());
  EXPECT_FALSE(HexDecode("zz").ok());
}

TEST(BytesTest, HexRoundTrip) {
  Bytes b = {0x00, 0x7f, 0x80, 0xff};
  EXPECT_EQ("007f80ff", HexEncode(b));
  EXPECT_EQ(b, HexDecode("007F80ff").value());
}

TEST(BytesTest, BigEndian) {
  Bytes out;
  AppendU16(out, 0x0102);
  AppendU32(out, 0x03040506);
  AppendU64(out, 0x0708090a0b0c0d0eULL);
  EXPECT_EQ("0102030405060708090a0b0c0d0e", HexEncode(out));
  EXPECT_EQ(0x03040506u, ReadU32(ByteSpan(out).subspan(2)));
}

}  // namespace
}  // namespace backline
