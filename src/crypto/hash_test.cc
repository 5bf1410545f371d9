// SHA-256, HMAC-SHA256 and HKDF-SHA256 against the published vectors: RFC 5869
// (PRK and OKM), Wycheproof HKDF (86 cases) and Wycheproof HMAC (174 cases,
// full and truncated tags).
#include "crypto/hash.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "crypto/secure.h"
#include "crypto/vectors_testing.h"

namespace backline::crypto {
namespace {

namespace json = boost::json;
using ::backline::testing::ReadVectorFile;
using ::backline::testing::ReadVectorJson;
using ::backline::testing::Unhex;

constexpr size_t kRfc5869Cases = 3;
constexpr size_t kWycheproofHkdfCases = 86;
constexpr size_t kWycheproofHmacCases = 174;

using Block = ::backline::testing::CountBlock;
using ::backline::testing::ParseCountBlocks;

std::string Hex(const Result<SecretBytes>& r) {
  return r.ok() ? HexEncode(r->span()) : "error: " + r.status().ToString();
}

Bytes HexField(const json::object& o, std::string_view key) {
  return Unhex(std::string_view(o.at(key).as_string()));
}

std::string CaseName(const json::object& test) {
  return "tcId " + std::to_string(test.at("tcId").as_int64()) + " (" +
         std::string(test.at("comment").as_string()) + ")";
}

// --- SHA-256 ---------------------------------------------------------------

TEST(Sha256Test, KnownAnswers) {
  EXPECT_EQ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            HexEncode(Sha256({})));
  EXPECT_EQ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            HexEncode(Sha256(AsBytes("abc"))));
}

TEST(Sha256Test, IncrementalEqualsOneShot) {
  Bytes data(1000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 31 + 7);
  const Sha256Digest want = Sha256(data);

  // Piece sizes straddle the 64-byte block boundary, and include empty updates.
  for (size_t piece : {1u, 3u, 63u, 64u, 65u, 999u, 1000u}) {
    SCOPED_TRACE("piece size " + std::to_string(piece));
    Sha256Hasher hasher;
    hasher.Update({});
    for (size_t at = 0; at < data.size(); at += piece) {
      hasher.Update(ByteSpan(data).subspan(at, std::min(piece, data.size() - at)));
    }
    EXPECT_EQ(want, hasher.Finish());
  }
}

TEST(Sha256Test, FinishResetsForReuseAndMovesKeepState) {
  Sha256Hasher hasher;
  hasher.Update(AsBytes("first"));
  EXPECT_EQ(Sha256(AsBytes("first")), hasher.Finish());
  hasher.Update(AsBytes("ab"));
  Sha256Hasher moved = std::move(hasher);
  moved.Update(AsBytes("c"));
  EXPECT_EQ(Sha256(AsBytes("abc")), moved.Finish());
  EXPECT_EQ(Sha256({}), moved.Finish());
}

// --- HMAC-SHA256 -------------------------------------------------------------

// Wycheproof groups declare a tag size in bits; 128-bit groups test truncated
// tags. The verifier recomputes the full HMAC, keeps the declared prefix, and
// compares it in constant time; a tag of any other length never matches.
bool VerifyTruncatedHmac(ByteSpan key, ByteSpan message, ByteSpan tag, size_t tag_size) {
  Sha256Digest full = HmacSha256(key, message);
  return ConstantTimeEqual(ByteSpan(full).first(tag_size), tag);
}

TEST(HmacSha256Test, WycheproofVerdicts) {
  json::value doc = ReadVectorJson("wycheproof/hmac_sha256_test.json");
  size_t cases = 0;
  size_t truncated = 0;
  for (const json::value& group : doc.at("testGroups").as_array()) {
    int64_t tag_bits = group.at("tagSize").as_int64();
    ASSERT_TRUE(tag_bits > 0 && tag_bits <= 256 && tag_bits % 8 == 0) << tag_bits;
    size_t tag_size = static_cast<size_t>(tag_bits / 8);
    for (const json::value& item : group.at("tests").as_array()) {
      const json::object& test = item.as_object();
      std::string_view result(test.at("result").as_string());
      SCOPED_TRACE(CaseName(test) + " tagSize " + std::to_string(tag_bits));
      ASSERT_TRUE(result == "valid" || result == "invalid") << "unexpected result " << result;
      Bytes key = HexField(test, "key");
      Bytes message = HexField(test, "msg");
      Bytes tag = HexField(test, "tag");
      EXPECT_EQ(result == "valid", VerifyTruncatedHmac(key, message, tag, tag_size));
      if (tag_size == kSha256Size && result == "valid") {
        EXPECT_EQ(HexEncode(tag), HexEncode(HmacSha256(key, message)));
      }
      if (tag_size < kSha256Size) ++truncated;
      ++cases;
    }
  }
  EXPECT_EQ(static_cast<size_t>(doc.at("numberOfTests").as_int64()), cases);
  EXPECT_EQ(kWycheproofHmacCases, cases);
  EXPECT_EQ(87u, truncated);
}

// --- HKDF-SHA256 -------------------------------------------------------------

TEST(HkdfTest, Rfc5869Cases) {
  std::string text = ReadVectorFile("rfc/rfc-5869-HKDF-SHA256.txt");
  size_t cases = 0;
  for (const Block& block : ParseCountBlocks(text)) {
    SCOPED_TRACE("COUNT " + block.at("COUNT"));
    ASSERT_EQ("SHA-256", block.at("Hash"));
    Bytes ikm = Unhex(block.at("IKM"));
    Bytes salt = Unhex(block.at("salt"));
    Bytes info = Unhex(block.at("info"));
    size_t length = std::stoul(block.at("L"));

    SecretBytes prk = HkdfExtract(salt, ikm);
    EXPECT_EQ(block.at("PRK"), HexEncode(prk.span()));
    EXPECT_EQ(block.at("OKM"), Hex(HkdfExpand(prk, info, length)));
    EXPECT_EQ(block.at("OKM"), Hex(Hkdf(salt, ikm, info, length)));
    ++cases;
  }
  EXPECT_EQ(kRfc5869Cases, cases);
}

TEST(HkdfTest, LengthLimits) {
  SecretBytes prk = HkdfExtract({}, AsBytes("ikm"));
  EXPECT_EQ(0u, HkdfExpand(prk, {}, 0)->size());
  EXPECT_EQ(255 * kSha256Size, HkdfExpand(prk, {}, 255 * kSha256Size)->size());
  EXPECT_EQ(StatusCode::kInvalidArgument,
            HkdfExpand(prk, {}, 255 * kSha256Size + 1).status().code());
}

// "valid": Hkdf returns exactly `okm`. "invalid" (sizes above 255 * 32):
// Hkdf fails with InvalidArgument.
TEST(HkdfTest, WycheproofVerdicts) {
  json::value doc = ReadVectorJson("wycheproof/hkdf_sha256_test.json");
  size_t cases = 0;
  size_t rejected = 0;
  for (const json::value& group : doc.at("testGroups").as_array()) {
    for (const json::value& item : group.at("tests").as_array()) {
      const json::object& test = item.as_object();
      std::string_view result(test.at("result").as_string());
      SCOPED_TRACE(CaseName(test));
      ASSERT_TRUE(result == "valid" || result == "invalid") << "unexpected result " << result;
      Result<SecretBytes> okm =
          Hkdf(HexField(test, "salt"), HexField(test, "ikm"), HexField(test, "info"),
               static_cast<size_t>(test.at("size").as_int64()));
      if (result == "valid") {
        EXPECT_EQ(std::string_view(test.at("okm").as_string()), Hex(okm));
      } else {
        EXPECT_EQ(StatusCode::kInvalidArgument, okm.status().code()) << "got " << Hex(okm);
        ++rejected;
      }
      ++cases;
    }
  }
  EXPECT_EQ(static_cast<size_t>(doc.at("numberOfTests").as_int64()), cases);
  EXPECT_EQ(kWycheproofHkdfCases, cases);
  EXPECT_EQ(3u, rejected);
}

}  // namespace
}  // namespace backline::crypto
