// Ed25519 against the published vectors: the 1,024 RFC 8032 signing lines
// (sign from the seed, then verify) and every Wycheproof verdict.
#include "crypto/ed25519.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "crypto/vectors_testing.h"

namespace backline::crypto {
namespace {

namespace json = boost::json;
using ::backline::testing::ReadVectorFile;
using ::backline::testing::ReadVectorJson;
using ::backline::testing::Unhex;

constexpr size_t kRfc8032Lines = 1024;
constexpr size_t kWycheproofCases = 151;

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    size_t at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

Bytes HexField(const json::object& o, std::string_view key) {
  return Unhex(std::string_view(o.at(key).as_string()));
}

TEST(Ed25519Test, KeyFromSeedRejectsWrongSizes) {
  EXPECT_FALSE(Ed25519KeyPair::FromSeed(Bytes(31)).ok());
  EXPECT_FALSE(Ed25519KeyPair::FromSeed(Bytes(33)).ok());
  EXPECT_TRUE(Ed25519KeyPair::FromSeed(Bytes(32)).ok());
}

TEST(Ed25519Test, SignThenVerifyAndTamper) {
  DeterministicRandom random(7);
  Ed25519KeyPair key = Ed25519KeyPair::Generate(random);
  Bytes message = ToBytes("track 7, master take");
  Ed25519Signature signature = key.Sign(message);
  EXPECT_TRUE(Ed25519Verify(key.public_key(), message, signature));

  message[0] ^= 1;
  EXPECT_FALSE(Ed25519Verify(key.public_key(), message, signature));
  message[0] ^= 1;
  signature[63] ^= 0x80;
  EXPECT_FALSE(Ed25519Verify(key.public_key(), message, signature));
}

// Each line is `seed‖pk : pk : msg : sig‖msg :` in hex (python-cryptography's
// copy of the SUPERCOP sign.input). The key pair is rebuilt from the seed alone,
// so the test checks public key derivation, deterministic signing and verification.
TEST(Ed25519Test, Rfc8032SignInputLines) {
  std::string text = ReadVectorFile("rfc/rfc8032-ed25519-sign.input");
  size_t cases = 0;
  for (std::string_view line : Split(text, '\n')) {
    if (line.empty()) continue;
    SCOPED_TRACE("line " + std::to_string(cases + 1));
    std::vector<std::string_view> fields = Split(line, ':');
    ASSERT_EQ(5u, fields.size());
    ASSERT_TRUE(fields[4].empty());
    Bytes secret = Unhex(fields[0]);
    Bytes public_key = Unhex(fields[1]);
    Bytes message = Unhex(fields[2]);
    Bytes signed_message = Unhex(fields[3]);
    ASSERT_EQ(kEd25519SeedSize + kEd25519PublicKeySize, secret.size());
    ASSERT_EQ(kEd25519SignatureSize + message.size(), signed_message.size());
    ByteSpan seed = ByteSpan(secret).first(kEd25519SeedSize);
    ByteSpan want_signature = ByteSpan(signed_message).first(kEd25519SignatureSize);

    Result<Ed25519KeyPair> key = Ed25519KeyPair::FromSeed(seed);
    ASSERT_TRUE(key.ok());
    EXPECT_EQ(HexEncode(public_key), HexEncode(key->public_key()));
    EXPECT_EQ(HexEncode(want_signature), HexEncode(key->Sign(message)));
    EXPECT_TRUE(Ed25519Verify(public_key, message, want_signature));

    // The same signature over a message one bit away must not verify.
    Bytes tampered = message;
    if (tampered.empty()) tampered.push_back(0);
    tampered[tampered.size() / 2] ^= 0x01;
    EXPECT_FALSE(Ed25519Verify(public_key, tampered, want_signature));
    ++cases;
  }
  EXPECT_EQ(kRfc8032Lines, cases);
}

// Every Wycheproof case has result "valid" (must verify) or "invalid" (must be
// rejected): truncated and padded signatures, non-canonical S (malleability),
// non-canonical encodings, and the RFC 8032 known answers.
TEST(Ed25519Test, WycheproofVerdicts) {
  json::value doc = ReadVectorJson("wycheproof/ed25519_test.json");
  size_t cases = 0;
  size_t valid = 0;
  size_t invalid = 0;
  for (const json::value& group : doc.at("testGroups").as_array()) {
    Bytes public_key = HexField(group.at("publicKey").as_object(), "pk");
    for (const json::value& item : group.at("tests").as_array()) {
      const json::object& test = item.as_object();
      std::string_view result(test.at("result").as_string());
      SCOPED_TRACE("tcId " + std::to_string(test.at("tcId").as_int64()) + " (" +
                   std::string(test.at("comment").as_string()) + ")");
      ASSERT_TRUE(result == "valid" || result == "invalid") << "unexpected result " << result;
      bool verified = Ed25519Verify(public_key, HexField(test, "msg"), HexField(test, "sig"));
      if (result == "valid") {
        EXPECT_TRUE(verified);
        ++valid;
      } else {
        EXPECT_FALSE(verified);
        ++invalid;
      }
      ++cases;
    }
  }
  EXPECT_EQ(static_cast<size_t>(doc.at("numberOfTests").as_int64()), cases);
  EXPECT_EQ(kWycheproofCases, cases);
  EXPECT_EQ(88u, valid);
  EXPECT_EQ(63u, invalid);
}

}  // namespace
}  // namespace backline::crypto
