#include "crypto/paseto.h"

#include <gtest/gtest.h>

#include <array>
#include <map>

#include "crypto/paseto_claims.h"
#include "crypto/vectors_testing.h"

namespace backline::crypto {
namespace {

using backline::testing::ReadVectorJson;
using backline::testing::Unhex;

std::string Field(const boost::json::object& test, std::string_view name) {
  const boost::json::value* v = test.if_contains(name);
  if (v == nullptr || v->is_null()) return "";
  return std::string(v->as_string());
}

PasetoLocalKey LocalKey(std::string_view hex) {
  return PasetoLocalKey::FromBytes(Unhex(hex)).value();
}

// ---- paseto-standard/test-vectors v4.json ----

void CheckLocalVector(const boost::json::object& t) {
  PasetoLocalKey key = LocalKey(Field(t, "key"));
  const std::string footer = Field(t, "footer");
  const std::string implicit = Field(t, "implicit-assertion");
  auto token = PasetoV4EncryptWithNonce(key, Field(t, "payload"), footer, implicit,
                                        Unhex(Field(t, "nonce")));
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(Field(t, "token"), *token);

  auto opened = PasetoV4Decrypt(Field(t, "token"), key,
                                {.implicit_assertion = implicit, .expected_footer = footer});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(Field(t, "payload"), opened->payload);
  EXPECT_EQ(footer, opened->footer);
}

void CheckPublicVector(const boost::json::object& t) {
  auto key = Ed25519KeyPair::FromSeed(Unhex(Field(t, "secret-key-seed")));
  ASSERT_TRUE(key.ok());
  ASSERT_EQ(Unhex(Field(t, "public-key")),
            Bytes(key->public_key().begin(), key->public_key().end()));
  ASSERT_EQ(Unhex(Field(t, "secret-key")).size(), 64u);
  const std::string footer = Field(t, "footer");
  const std::string implicit = Field(t, "implicit-assertion");
  EXPECT_EQ(Field(t, "token"), PasetoV4Sign(*key, Field(t, "payload"), footer, implicit));

  auto opened = PasetoV4Verify(Field(t, "token"), Unhex(Field(t, "public-key")),
                               {.implicit_assertion = implicit, .expected_footer = footer});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(Field(t, "payload"), opened->payload);
  EXPECT_EQ(footer, opened->footer);
}

// Every failing vector is opened with the key it carries; how it must fail.
const std::map<std::string, StatusCode> kExpectedFailures = {
    {"4-F-1", StatusCode::kInvalidArgument},  // v4.local token given to v4.public verify
    {"4-F-2", StatusCode::kInvalidArgument},  // v4.public token given to v4.local decrypt
    {"4-F-3", StatusCode::kInvalidArgument},  // v3.local token
    // "Modified tag": its last character changes only the unused low bits of
    // the final base64url symbol, so strict decoding rejects it before the
    // tag is even compared.
    {"4-F-4", StatusCode::kInvalidArgument},
    {"4-F-5", StatusCode::kInvalidArgument},  // padded base64url
};

void CheckFailingVector(const boost::json::object& t) {
  PasetoOpenOptions options{.implicit_assertion = Field(t, "implicit-assertion")};
  Status status;
  if (t.contains("public-key")) {
    status = PasetoV4Verify(Field(t, "token"), Unhex(Field(t, "public-key")), options).status();
  } else {
    status = PasetoV4Decrypt(Field(t, "token"), LocalKey(Field(t, "key")), options).status();
  }
  ASSERT_FALSE(status.ok());
  auto expected = kExpectedFailures.find(Field(t, "name"));
  ASSERT_NE(expected, kExpectedFailures.end());
  EXPECT_EQ(StatusCodeName(expected->second), StatusCodeName(status.code())) << status.ToString();
}

TEST(PasetoVectorsTest, EveryCaseOfV4Json) {
  boost::json::value doc = ReadVectorJson("paseto/v4.json");
  const boost::json::array& tests = doc.at("tests").as_array();
  ASSERT_EQ(17u, tests.size());
  int local = 0, signed_ = 0, failing = 0;
  for (const boost::json::value& v : tests) {
    const boost::json::object& t = v.as_object();
    SCOPED_TRACE(Field(t, "name"));
    if (t.at("expect-fail").as_bool()) {
      CheckFailingVector(t);
      ++failing;
    } else if (Field(t, "token").starts_with("v4.local.")) {
      CheckLocalVector(t);
      ++local;
    } else {
      CheckPublicVector(t);
      ++signed_;
    }
  }
  EXPECT_EQ(9, local);
  EXPECT_EQ(3, signed_);
  EXPECT_EQ(5, failing);
}

// ---- PAE (examples from the PASETO spec) ----

TEST(PasetoPaeTest, SpecExamples) {
  EXPECT_EQ("0000000000000000", HexEncode(PasetoPae({})));
  const std::array<ByteSpan, 1> empty = {ByteSpan()};
  EXPECT_EQ("01000000000000000000000000000000", HexEncode(PasetoPae(empty)));
  const std::array<ByteSpan, 1> test = {AsBytes("test")};
  EXPECT_EQ("0100000000000000040000000000000074657374", HexEncode(PasetoPae(test)));
}

// ---- v4.local: tampering and strict parsing ----

class PasetoLocalTest : public ::testing::Test {
 protected:
  PasetoLocalKey key_ =
      LocalKey("707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f");
  DeterministicRandom random_{42};

  std::string Encrypt(std::string_view payload, std::string_view footer = "",
                      std::string_view implicit = "") {
    return PasetoV4Encrypt(key_, payload, footer, implicit, random_);
  }
  Status Decrypt(std::string_view token, PasetoOpenOptions options = {}) {
    return PasetoV4Decrypt(token, key_, options).status();
  }
  // Flips one bit of the decoded body at `index` and re-encodes the token.
  static std::string FlipBodyBit(const std::string& token, size_t index) {
    std::string_view body = std::string_view{token}.substr(9);
    Bytes raw = Base64UrlDecode(body.substr(0, body.find('.'))).value();
    raw[index] ^= 1;
    return "v4.local." + Base64UrlEncode(raw);
  }
};

TEST_F(PasetoLocalTest, RoundTripWithFreshNonces) {
  std::string a = Encrypt("hello", "kid-1", "order-7");
  std::string b = Encrypt("hello", "kid-1", "order-7");
  EXPECT_NE(a, b);
  auto opened = PasetoV4Decrypt(a, key_, {.implicit_assertion = "order-7"});
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ("hello", opened->payload);
  EXPECT_EQ("kid-1", opened->footer);
  EXPECT_EQ("kid-1", PasetoUnverifiedFooter(a).value());
}

TEST_F(PasetoLocalTest, EmptyPayloadRoundTrips) {
  auto opened = PasetoV4Decrypt(Encrypt(""), key_);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ("", opened->payload);
}

TEST_F(PasetoLocalTest, AnyFlippedBitIsUnauthenticated) {
  std::string token = Encrypt("secret");  // 32 nonce + 6 ciphertext + 32 tag
  for (size_t i : {0, 31, 32, 37, 38, 69}) {
    EXPECT_EQ(StatusCode::kUnauthenticated, Decrypt(FlipBodyBit(token, i)).code()) << i;
  }
}

TEST_F(PasetoLocalTest, WrongImplicitAssertionIsUnauthenticated) {
  std::string token = Encrypt("secret", "", "order-7");
  EXPECT_EQ(StatusCode::kUnauthenticated, Decrypt(token, {.implicit_assertion = "order-8"}).code());
  EXPECT_EQ(StatusCode::kUnauthenticated, Decrypt(token).code());
}

TEST_F(PasetoLocalTest, FooterIsAuthenticatedAndCanBeRequired) {
  std::string token = Encrypt("secret", "kid-1");
  std::string other_footer =
      token.substr(0, token.rfind('.') + 1) + Base64UrlEncode(AsBytes("kid-2"));
  EXPECT_EQ(StatusCode::kUnauthenticated, Decrypt(other_footer).code());
  EXPECT_EQ(StatusCode::kUnauthenticated, Decrypt(token, {.expected_footer = "kid-2"}).code());
  EXPECT_TRUE(Decrypt(token, {.expected_footer = "kid-1"}).ok());
}

TEST_F(PasetoLocalTest, WrongKeyIsUnauthenticated) {
  std::string token = Encrypt("secret");
  PasetoLocalKey other = PasetoLocalKey::Generate(random_);
  EXPECT_EQ(StatusCode::kUnauthenticated, PasetoV4Decrypt(token, other).status().code());
}

TEST_F(PasetoLocalTest, MalformedTokensAreInvalidArguments) {
  std::string token = Encrypt("secret", "kid-1");
  const std::string body = token.substr(0, token.rfind('.'));
  for (const std::string& bad : {
           std::string("v4.local."),                   // empty body
           std::string("v4.local.AAAA"),               // shorter than nonce + tag
           std::string("V4.local.") + body.substr(9),  // the header is case-sensitive
           std::string("v4.public.") + body.substr(9), std::string("v4.local") + body.substr(8, 1),
           body + ".",     // an empty footer must be omitted, not sent empty
           token + ".eA",  // four sections
           body + "=",     // padding
           body + "$",     // outside the alphabet
           body + ".a",    // footer of impossible length
       }) {
    Status s = Decrypt(bad);
    EXPECT_EQ(StatusCode::kInvalidArgument, s.code()) << bad << " " << s.ToString();
  }
}

TEST(PasetoKeyTest, LocalKeyMustBe32Bytes) {
  EXPECT_FALSE(PasetoLocalKey::FromBytes(Bytes(31)).ok());
  EXPECT_FALSE(PasetoLocalKey::FromBytes(Bytes(33)).ok());
  EXPECT_TRUE(PasetoLocalKey::FromBytes(Bytes(32)).ok());
}

TEST(PasetoKeyTest, ExplicitNonceMustBe32Bytes) {
  PasetoLocalKey key = PasetoLocalKey::FromBytes(Bytes(32)).value();
  EXPECT_FALSE(PasetoV4EncryptWithNonce(key, "x", "", "", Bytes(24)).ok());
}

// ---- v4.public ----

class PasetoPublicTest : public ::testing::Test {
 protected:
  Ed25519KeyPair key_ = Ed25519KeyPair::FromSeed(Bytes(32, 7)).value();
  ByteSpan public_key() const { return key_.public_key(); }
};

TEST_F(PasetoPublicTest, SignedPayloadIsReadableAndVerifies) {
  std::string token = PasetoV4Sign(key_, R"({"sub":"buyer"})", "kid-1", "release-9");
  auto opened = PasetoV4Verify(token, public_key(), {.implicit_assertion = "release-9"});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(R"({"sub":"buyer"})", opened->payload);
  EXPECT_EQ("kid-1", opened->footer);
}

TEST_F(PasetoPublicTest, ChangedPayloadOrContextIsUnauthenticated) {
  std::string token = PasetoV4Sign(key_, "amount=100", "kid-1", "release-9");
  auto verify = [&](const std::string& t, std::string_view implicit, ByteSpan key) {
    return PasetoV4Verify(t, key, {.implicit_assertion = implicit}).status().code();
  };
  // Same signature, payload "amount=900".
  const size_t dot = token.rfind('.');
  Bytes body = Base64UrlDecode(std::string_view{token}.substr(10, dot - 10)).value();
  body[7] = '9';
  std::string forged = "v4.public." + Base64UrlEncode(body) + token.substr(dot);

  EXPECT_EQ(StatusCode::kOk, verify(token, "release-9", public_key()));
  EXPECT_EQ(StatusCode::kUnauthenticated, verify(forged, "release-9", public_key()));
  EXPECT_EQ(StatusCode::kUnauthenticated, verify(token, "release-8", public_key()));
  auto other = Ed25519KeyPair::FromSeed(Bytes(32, 8)).value();
  EXPECT_EQ(StatusCode::kUnauthenticated, verify(token, "release-9", other.public_key()));
}

TEST_F(PasetoPublicTest, ShortBodyAndBadKeySizeAreInvalidArguments) {
  EXPECT_EQ(
      StatusCode::kInvalidArgument,
      PasetoV4Verify("v4.public." + Base64UrlEncode(Bytes(63)), public_key()).status().code());
  EXPECT_EQ(StatusCode::kInvalidArgument,
            PasetoV4Verify(PasetoV4Sign(key_, "x"), Bytes(31)).status().code());
}

// ---- claims ----

TEST(Rfc3339Test, ParsesOffsetsAndFractions) {
  auto unix = [](std::string_view text) {
    return std::chrono::duration_cast<std::chrono::seconds>(
               ParseRfc3339(text).value().time_since_epoch())
        .count();
  };
  EXPECT_EQ(1640995200, unix("2022-01-01T00:00:00+00:00"));
  EXPECT_EQ(1640995200, unix("2022-01-01T00:00:00Z"));
  EXPECT_EQ(482196050, unix("1985-04-12T23:20:50.52Z"));
  EXPECT_EQ(851042397, unix("1996-12-19T16:39:57-08:00"));
  EXPECT_EQ(951782400, unix("2000-02-29T00:00:00z"));
}

TEST(Rfc3339Test, RejectsWhatIsNotADateTime) {
  for (std::string_view bad :
       {"", "2022-01-01", "2022-01-01T00:00:00", "2022-01-01 00:00:00Z", "2022-02-30T00:00:00Z",
        "2022-13-01T00:00:00Z", "2022-01-01T24:00:00Z", "2022-01-01T00:60:00Z",
        "2022-01-01T00:00:60Z", "2022-01-01T00:00:00.Z", "2022-01-01T00:00:00+0100",
        "2022-01-01T00:00:00+24:00", "2022-01-01T00:00:00Zjunk", "22-01-01T00:00:00Z",
        "2022-1-01T00:00:00Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad).ok()) << bad;
  }
}

class PasetoClaimsTest : public ::testing::Test {
 protected:
  static constexpr int64_t kNow = 1'700'000'000;
  FakeClock clock_{kNow};
  Ed25519KeyPair key_ = Ed25519KeyPair::FromSeed(Bytes(32, 1)).value();
  ClaimsPolicy policy_{.issuer = "backline-payments", .audience = "delivery"};

  static Clock::TimePoint At(int64_t unix_seconds) {
    return Clock::TimePoint(std::chrono::seconds(unix_seconds));
  }
  TokenClaims Claims() const {
    TokenClaims c;
    c.issuer = "backline-payments";
    c.audience = "delivery";
    c.subject = "buyer-17";
    c.token_id = "tok-1";
    c.issued_at = At(kNow);
    c.not_before = At(kNow);
    c.expires_at = At(kNow + 600);
    c.custom["release"] = "rel-42";
    c.custom["downloads"] = 3;
    return c;
  }
  Result<TokenClaims> Verify(const std::string& token) {
    return PasetoV4VerifyClaims(token, key_.public_key(), policy_, clock_);
  }
  std::string Sign(const TokenClaims& claims) { return PasetoV4SignClaims(key_, claims); }
};

TEST_F(PasetoClaimsTest, RoundTripKeepsEveryClaim) {
  auto claims = Verify(Sign(Claims()));
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ("buyer-17", claims->subject);
  EXPECT_EQ("tok-1", claims->token_id);
  EXPECT_EQ(At(kNow + 600), claims->expires_at);
  EXPECT_EQ("rel-42", claims->custom.at("release").as_string());
  EXPECT_EQ(3, claims->custom.at("downloads").as_int64());
}

TEST_F(PasetoClaimsTest, EncodesTimesAsRfc3339) {
  EXPECT_EQ(
      R"({"iss":"backline-payments","sub":"buyer-17","aud":"delivery","jti":"tok-1",)"
      R"("exp":"2023-11-14T22:23:20Z","nbf":"2023-11-14T22:13:20Z","iat":"2023-11-14T22:13:20Z",)"
      R"("release":"rel-42","downloads":3})",
      EncodeClaims(Claims()));
}

TEST_F(PasetoClaimsTest, ExpiredTokenIsUnauthenticated) {
  std::string token = Sign(Claims());
  clock_.Advance(std::chrono::seconds(599));
  EXPECT_TRUE(Verify(token).ok());
  clock_.Advance(std::chrono::seconds(1));
  Status s = Verify(token).status();
  EXPECT_EQ(StatusCode::kUnauthenticated, s.code());
  EXPECT_NE(std::string::npos, s.message().find("expired")) << s.ToString();
}

TEST_F(PasetoClaimsTest, LeewayToleratesClockDifference) {
  std::string token = Sign(Claims());
  clock_.Advance(std::chrono::seconds(610));
  EXPECT_FALSE(Verify(token).ok());
  policy_.leeway = std::chrono::seconds(30);
  EXPECT_TRUE(Verify(token).ok());
}

TEST_F(PasetoClaimsTest, NotYetValidTokenIsUnauthenticated) {
  TokenClaims claims = Claims();
  claims.not_before = At(kNow + 60);
  Status s = Verify(Sign(claims)).status();
  EXPECT_EQ(StatusCode::kUnauthenticated, s.code());
  EXPECT_NE(std::string::npos, s.message().find("not valid before")) << s.ToString();
  clock_.Advance(std::chrono::seconds(60));
  EXPECT_TRUE(Verify(Sign(claims)).ok());
}

TEST_F(PasetoClaimsTest, TokenIssuedInTheFutureIsUnauthenticated) {
  TokenClaims claims = Claims();
  claims.issued_at = At(kNow + 5);
  EXPECT_EQ(StatusCode::kUnauthenticated, Verify(Sign(claims)).status().code());
}

TEST_F(PasetoClaimsTest, WrongAudienceIsUnauthenticated) {
  TokenClaims claims = Claims();
  claims.audience = "licensing";
  Status s = Verify(Sign(claims)).status();
  EXPECT_EQ(StatusCode::kUnauthenticated, s.code());
  EXPECT_NE(std::string::npos, s.message().find("aud")) << s.ToString();
  claims.audience.reset();
  EXPECT_EQ(StatusCode::kUnauthenticated, Verify(Sign(claims)).status().code());
}

TEST_F(PasetoClaimsTest, WrongIssuerIsUnauthenticated) {
  TokenClaims claims = Claims();
  claims.issuer = "someone-else";
  EXPECT_EQ(StatusCode::kUnauthenticated, Verify(Sign(claims)).status().code());
}

TEST_F(PasetoClaimsTest, MissingExpirationIsRejectedUnlessAllowed) {
  TokenClaims claims = Claims();
  claims.expires_at.reset();
  EXPECT_EQ(StatusCode::kUnauthenticated, Verify(Sign(claims)).status().code());
  policy_.require_expiration = false;
  EXPECT_TRUE(Verify(Sign(claims)).ok());
}

TEST_F(PasetoClaimsTest, LocalTokensCarryClaimsToo) {
  PasetoLocalKey key = PasetoLocalKey::FromBytes(Bytes(32, 3)).value();
  DeterministicRandom random(1);
  std::string token = PasetoV4EncryptClaims(key, Claims(), "", "voucher", random);
  auto claims =
      PasetoV4DecryptClaims(token, key, policy_, clock_, {.implicit_assertion = "voucher"});
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ("buyer-17", claims->subject);
  clock_.Advance(std::chrono::hours(1));
  EXPECT_EQ(StatusCode::kUnauthenticated,
            PasetoV4DecryptClaims(token, key, policy_, clock_, {.implicit_assertion = "voucher"})
                .status()
                .code());
}

TEST_F(PasetoClaimsTest, VectorPayloadExpiresAtNewYear2022) {
  // 4-E-1's payload carries "exp":"2022-01-01T00:00:00+00:00".
  auto claims =
      DecodeClaims(R"({"data":"this is a secret message","exp":"2022-01-01T00:00:00+00:00"})");
  ASSERT_TRUE(claims.ok());
  ClaimsPolicy any;
  FakeClock before(1640995199), at(1640995200);
  EXPECT_TRUE(ValidateClaims(*claims, any, before).ok());
  EXPECT_EQ(StatusCode::kUnauthenticated, ValidateClaims(*claims, any, at).code());
}

TEST(ClaimsDecodingTest, RejectsMalformedPayloads) {
  for (std::string_view bad :
       {"", "not json", "[]", "\"exp\"", R"({"exp":1640995200})", R"({"exp":"tomorrow"})",
        R"({"iss":1})", R"({"aud":["a","b"]})", "{\"sub\":\"\xff\"}", R"({"a":1}x)"}) {
    auto claims = DecodeClaims(bad);
    ASSERT_FALSE(claims.ok()) << bad;
    EXPECT_EQ(StatusCode::kInvalidArgument, claims.status().code()) << bad;
  }
}

}  // namespace
}  // namespace backline::crypto
