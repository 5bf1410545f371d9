// AES-GCM against every Wycheproof case: 128, 192 and 256-bit keys, IVs from
// 8 to 2,056 bits, modified tags, and the empty IV, which must be refused.
#include "crypto/aes_gcm.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "crypto/vectors_testing.h"

namespace backline::crypto {
namespace {

namespace json = boost::json;
using ::backline::testing::ReadVectorJson;
using ::backline::testing::Unhex;

constexpr size_t kWycheproofCases = 316;

Bytes HexField(const json::object& o, std::string_view key) {
  return Unhex(std::string_view(o.at(key).as_string()));
}

std::string Hex(const Result<Bytes>& r) {
  return r.ok() ? HexEncode(*r) : "error: " + r.status().ToString();
}

Bytes Concat(ByteSpan a, ByteSpan b) {
  Bytes out(a.begin(), a.end());
  Append(out, b);
  return out;
}

TEST(AesGcmTest, RejectsBadKeySizes) {
  EXPECT_FALSE(AesGcm::Create(Bytes(15)).ok());
  EXPECT_FALSE(AesGcm::Create(Bytes(0)).ok());
  EXPECT_FALSE(AesGcm::Create(Bytes(33)).ok());
}

TEST(AesGcmTest, SealOpenRoundTripInPlaceAndTamper) {
  AesGcm gcm = AesGcm::Create(Bytes(16, 0x42)).value();
  Bytes nonce(12, 0x01);
  Bytes aad = ToBytes("header");
  Bytes buffer = ToBytes("a take of the bass line");
  size_t plain_size = buffer.size();
  Bytes original = buffer;
  buffer.resize(plain_size + AesGcm::kTagSize);

  ASSERT_TRUE(gcm.SealInto(nonce, aad, ByteSpan(buffer).first(plain_size), buffer).ok());
  EXPECT_EQ(Hex(gcm.Seal(nonce, aad, original)), HexEncode(buffer));
  EXPECT_EQ(HexEncode(original), Hex(gcm.Open(nonce, aad, buffer)));

  ASSERT_TRUE(gcm.OpenInto(nonce, aad, buffer, std::span(buffer).first(plain_size)).ok());
  EXPECT_EQ(HexEncode(original), HexEncode(ByteSpan(buffer).first(plain_size)));

  Bytes sealed = gcm.Seal(nonce, aad, original).value();
  sealed[3] ^= 0x10;
  Bytes out(plain_size, 0xaa);
  EXPECT_EQ(StatusCode::kUnauthenticated, gcm.OpenInto(nonce, aad, sealed, out).code());
  EXPECT_EQ(Bytes(plain_size, 0), out) << "a failed open must wipe its output";
  EXPECT_EQ(StatusCode::kUnauthenticated,
            gcm.Open(nonce, aad, ByteSpan(sealed).first(AesGcm::kTagSize - 1)).status().code());
}

// Nonces above 128 bytes take another code path (OpenSSL's EVP stops there);
// Wycheproof's 257-byte cases prove its output, this proves its rejections.
TEST(AesGcmTest, LongNonceRoundTripAndTamper) {
  AesGcm gcm = AesGcm::Create(Bytes(32, 0x07)).value();
  Bytes nonce(200, 0x5c);
  Bytes message = ToBytes("a nonce longer than OpenSSL's EVP limit");
  Bytes sealed = gcm.Seal(nonce, AsBytes("aad"), message).value();
  EXPECT_EQ(HexEncode(message), Hex(gcm.Open(nonce, AsBytes("aad"), sealed)));

  EXPECT_EQ(StatusCode::kUnauthenticated, gcm.Open(nonce, AsBytes("aaD"), sealed).status().code());
  Bytes other_nonce = nonce;
  other_nonce[199] ^= 1;
  EXPECT_EQ(StatusCode::kUnauthenticated,
            gcm.Open(other_nonce, AsBytes("aad"), sealed).status().code());
  sealed.back() ^= 1;
  Bytes out(message.size(), 0xaa);
  EXPECT_EQ(StatusCode::kUnauthenticated, gcm.OpenInto(nonce, AsBytes("aad"), sealed, out).code());
  EXPECT_EQ(Bytes(message.size(), 0), out) << "a failed open must wipe its output";
}

// Sealing parts gives what sealing them joined gives, whatever the split,
// with the last part elsewhere or in place, for both nonce code paths.
TEST(AesGcmTest, SealPartsIntoMatchesSealOfTheJoinedParts) {
  AesGcm gcm = AesGcm::Create(Bytes(16, 0x42)).value();
  Bytes message(100);
  for (size_t i = 0; i < message.size(); ++i) message[i] = static_cast<uint8_t>(i * 7 + 1);
  const ByteSpan m(message);
  int splits = 0;
  for (size_t nonce_size : {12, 200}) {
    const Bytes nonce(nonce_size, 0x0c);
    const std::string expected = Hex(gcm.Seal(nonce, AsBytes("aad"), message));
    for (size_t a = 0; a <= m.size(); a += 7) {
      for (size_t b = a; b <= m.size(); b += 13) {
        SCOPED_TRACE("nonce " + std::to_string(nonce_size) + " split " + std::to_string(a) + "/" +
                     std::to_string(b));
        Bytes out(m.size() + AesGcm::kTagSize, 0xee);
        const std::array<ByteSpan, 3> parts = {m.first(a), m.subspan(a, b - a), m.subspan(b)};
        ASSERT_TRUE(gcm.SealPartsInto(nonce, AsBytes("aad"), parts, out).ok());
        EXPECT_EQ(expected, HexEncode(out));

        std::fill(out.begin(), out.end(), 0xee);
        std::copy(m.begin() + static_cast<ptrdiff_t>(b), m.end(),
                  out.begin() + static_cast<ptrdiff_t>(b));
        const std::array<ByteSpan, 3> in_place = {m.first(a), m.subspan(a, b - a),
                                                  ByteSpan(out).subspan(b, m.size() - b)};
        ASSERT_TRUE(gcm.SealPartsInto(nonce, AsBytes("aad"), in_place, out).ok());
        EXPECT_EQ(expected, HexEncode(out));
        ++splits;
      }
    }
  }
  EXPECT_EQ(2 * 67, splits);

  const std::array<ByteSpan, 2> parts = {m.first(10), m.subspan(10)};
  Bytes out(m.size() + AesGcm::kTagSize);
  EXPECT_EQ(StatusCode::kInvalidArgument,
            gcm.SealPartsInto(Bytes(12), {}, parts, std::span(out).first(out.size() - 1)).code());
  EXPECT_EQ(StatusCode::kInvalidArgument, gcm.SealPartsInto({}, {}, parts, out).code());
  EXPECT_TRUE(gcm.SealPartsInto(Bytes(12), {}, {}, std::span(out).first(16)).ok());
}

// "valid": Seal gives exactly ct || tag and Open gives back msg.
// "invalid" with a zero-length IV: both Seal and Open refuse (InvalidArgument),
// since GCM with an empty IV is undefined (NIST SP 800-38D needs len(IV) >= 1).
// Other "invalid" (modified tags): Open fails with Unauthenticated.
TEST(AesGcmTest, WycheproofVerdicts) {
  json::value doc = ReadVectorJson("wycheproof/aes_gcm_test.json");
  size_t cases = 0;
  size_t empty_iv = 0;
  size_t bad_tag = 0;
  for (const json::value& group_value : doc.at("testGroups").as_array()) {
    const json::object& group = group_value.as_object();
    ASSERT_EQ(128, group.at("tagSize").as_int64());
    int64_t key_bits = group.at("keySize").as_int64();
    int64_t iv_bits = group.at("ivSize").as_int64();
    for (const json::value& item : group.at("tests").as_array()) {
      const json::object& test = item.as_object();
      std::string_view result(test.at("result").as_string());
      SCOPED_TRACE("tcId " + std::to_string(test.at("tcId").as_int64()) + " (" +
                   std::string(test.at("comment").as_string()) + ") key " +
                   std::to_string(key_bits) + " iv " + std::to_string(iv_bits));
      ASSERT_TRUE(result == "valid" || result == "invalid") << "unexpected result " << result;
      Bytes key = HexField(test, "key");
      Bytes iv = HexField(test, "iv");
      Bytes aad = HexField(test, "aad");
      Bytes msg = HexField(test, "msg");
      Bytes sealed = Concat(HexField(test, "ct"), HexField(test, "tag"));
      ASSERT_EQ(static_cast<size_t>(key_bits / 8), key.size());
      ASSERT_EQ(static_cast<size_t>(iv_bits / 8), iv.size());
      ++cases;

      Result<AesGcm> gcm = AesGcm::Create(key);
      ASSERT_TRUE(gcm.ok()) << gcm.status().ToString();
      Result<Bytes> opened = gcm->Open(iv, aad, sealed);
      if (result == "valid") {
        EXPECT_EQ(HexEncode(sealed), Hex(gcm->Seal(iv, aad, msg)));
        EXPECT_EQ(HexEncode(msg), Hex(opened));
      } else if (iv.empty()) {
        EXPECT_EQ(StatusCode::kInvalidArgument, opened.status().code());
        EXPECT_EQ(StatusCode::kInvalidArgument, gcm->Seal(iv, aad, msg).status().code());
        ++empty_iv;
      } else {
        EXPECT_EQ(StatusCode::kUnauthenticated, opened.status().code());
        ++bad_tag;
      }
    }
  }
  EXPECT_EQ(static_cast<size_t>(doc.at("numberOfTests").as_int64()), cases);
  EXPECT_EQ(kWycheproofCases, cases);
  EXPECT_EQ(6u, empty_iv);
  EXPECT_EQ(81u, bad_tag);
}

}  // namespace
}  // namespace backline::crypto
