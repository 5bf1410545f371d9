#include "payment/authorization.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>

#include "crypto/paseto.h"
#include "payment/authorization_token.h"

namespace backline::payment {
namespace {

constexpr int64_t kCreated = 1'700'000'000;
constexpr int64_t kTtl = int64_t{7} * 24 * 3600;

Authorization Authorized(int64_t amount = 1299) {
  Authorization a;
  a.id = "aaaaaaaaaaaaaaaaaaaaaaaaaa";
  a.merchant_id = "merchant-1";
  a.amount = amount;
  a.currency = "EUR";
  a.card_last4 = "4242";
  a.created_at = kCreated;
  a.updated_at = kCreated;
  a.expires_at = kCreated + kTtl;
  return a;
}

Authorization Captured(int64_t amount = 1299) {
  return ApplyCapture(Authorized(), amount, kCreated + 10).value();
}

bool Mentions(const Status& s, std::string_view text) {
  return s.message().find(text) != std::string::npos;
}

// --- capture ----------------------------------------------------------------

TEST(CaptureTest, CapturesTheWholeAmountOrLess) {
  Result<Authorization> full = ApplyCapture(Authorized(), 1299, kCreated + 10);
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  EXPECT_EQ(AuthorizationState::kCaptured, full->state);
  EXPECT_EQ(1299, full->captured_amount);
  EXPECT_EQ(kCreated + 10, full->updated_at);

  Result<Authorization> part = ApplyCapture(Authorized(), 1000, kCreated + 10);
  ASSERT_TRUE(part.ok());
  EXPECT_EQ(1000, part->captured_amount);
}

TEST(CaptureTest, NeverAboveTheAuthorizedAmount) {
  Status s = ApplyCapture(Authorized(), 1300, kCreated).status();
  EXPECT_EQ(StatusCode::kInvalidArgument, s.code());
  EXPECT_TRUE(Mentions(s, "exceeds the authorized amount 1299")) << s.message();
}

TEST(CaptureTest, AmountsMustBePositive) {
  EXPECT_EQ(StatusCode::kInvalidArgument, ApplyCapture(Authorized(), 0, kCreated).status().code());
  EXPECT_EQ(StatusCode::kInvalidArgument, ApplyCapture(Authorized(), -5, kCreated).status().code());
  EXPECT_EQ(StatusCode::kInvalidArgument,
            ApplyCapture(Authorized(kMaxAmount), kMaxAmount + 1, kCreated).status().code());
}

TEST(CaptureTest, AtMostOnce) {
  Status s = ApplyCapture(Captured(500), 500, kCreated + 20).status();
  EXPECT_EQ(StatusCode::kFailedPrecondition, s.code());
  EXPECT_TRUE(Mentions(s, "at most once")) << s.message();
}

TEST(CaptureTest, NotAfterVoid) {
  Authorization voided = ApplyVoid(Authorized(), kCreated + 5).value();
  Status s = ApplyCapture(voided, 1299, kCreated + 6).status();
  EXPECT_EQ(StatusCode::kFailedPrecondition, s.code());
  EXPECT_TRUE(Mentions(s, "voided")) << s.message();
}

TEST(CaptureTest, NotAtOrAfterExpiry) {
  EXPECT_TRUE(ApplyCapture(Authorized(), 1299, kCreated + kTtl - 1).ok());
  Status s = ApplyCapture(Authorized(), 1299, kCreated + kTtl).status();
  EXPECT_EQ(StatusCode::kFailedPrecondition, s.code());
  EXPECT_TRUE(Mentions(s, "expired")) << s.message();
  EXPECT_EQ(StatusCode::kFailedPrecondition,
            ApplyCapture(Authorized(), 1299, kCreated + 30 * kTtl).status().code());
}

// --- void -------------------------------------------------------------------

TEST(VoidTest, ReleasesAnAuthorization) {
  Result<Authorization> v = ApplyVoid(Authorized(), kCreated + 5);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(AuthorizationState::kVoided, v->state);
  EXPECT_EQ(0, v->captured_amount);
}

TEST(VoidTest, WorksOnAnExpiredAuthorization) {
  EXPECT_TRUE(ApplyVoid(Authorized(), kCreated + kTtl + 1).ok());
}

TEST(VoidTest, NotAfterCaptureUseARefund) {
  Status s = ApplyVoid(Captured(), kCreated + 20).status();
  EXPECT_EQ(StatusCode::kFailedPrecondition, s.code());
  EXPECT_TRUE(Mentions(s, "refund")) << s.message();
}

TEST(VoidTest, NotTwice) {
  Authorization voided = ApplyVoid(Authorized(), kCreated + 5).value();
  EXPECT_EQ(StatusCode::kFailedPrecondition, ApplyVoid(voided, kCreated + 6).status().code());
}

// --- refund -----------------------------------------------------------------

TEST(RefundTest, RefundsAddUpToAtMostTheCapturedAmount) {
  Authorization a = Captured(1000);
  a = ApplyRefund(a, 300, kCreated + 30).value();
  a = ApplyRefund(a, 600, kCreated + 31).value();
  EXPECT_EQ(900, a.refunded_amount);
  Status over = ApplyRefund(a, 101, kCreated + 32).status();
  EXPECT_EQ(StatusCode::kFailedPrecondition, over.code());
  EXPECT_TRUE(Mentions(over, "exceeds the 100 EUR left")) << over.message();
  a = ApplyRefund(a, 100, kCreated + 33).value();
  EXPECT_EQ(1000, a.refunded_amount);
  EXPECT_EQ(AuthorizationState::kCaptured, a.state);
  EXPECT_EQ(StatusCode::kFailedPrecondition, ApplyRefund(a, 1, kCreated + 34).status().code());
}

TEST(RefundTest, RefundsAreBoundedByTheCaptureNotTheAuthorization) {
  Authorization a = Captured(500);  // of 1299 authorized
  EXPECT_EQ(StatusCode::kFailedPrecondition, ApplyRefund(a, 501, kCreated + 30).status().code());
}

TEST(RefundTest, OnlyACapturedAuthorizationCanBeRefunded) {
  Status s = ApplyRefund(Authorized(), 100, kCreated + 1).status();
  EXPECT_EQ(StatusCode::kFailedPrecondition, s.code());
  EXPECT_TRUE(Mentions(s, "is authorized")) << s.message();
  Authorization voided = ApplyVoid(Authorized(), kCreated + 5).value();
  EXPECT_EQ(StatusCode::kFailedPrecondition,
            ApplyRefund(voided, 100, kCreated + 6).status().code());
}

TEST(RefundTest, WorksAfterTheAuthorizationWouldHaveExpired) {
  EXPECT_TRUE(ApplyRefund(Captured(), 100, kCreated + 2 * kTtl).ok());
}

TEST(RefundTest, AmountsMustBePositive) {
  EXPECT_EQ(StatusCode::kInvalidArgument, ApplyRefund(Captured(), 0, kCreated).status().code());
}

// --- status and validation --------------------------------------------------

TEST(DisplayStatusTest, AnAuthorizationPastItsExpiryShowsExpired) {
  EXPECT_EQ("authorized", DisplayStatus(Authorized(), kCreated + kTtl - 1));
  EXPECT_EQ("expired", DisplayStatus(Authorized(), kCreated + kTtl));
  EXPECT_EQ("captured", DisplayStatus(Captured(), kCreated + 2 * kTtl));
  EXPECT_EQ("voided",
            DisplayStatus(ApplyVoid(Authorized(), kCreated).value(), kCreated + 2 * kTtl));
}

TEST(StateNameTest, RoundTrips) {
  for (AuthorizationState s : {AuthorizationState::kAuthorized, AuthorizationState::kCaptured,
                               AuthorizationState::kVoided}) {
    EXPECT_EQ(s, ParseAuthorizationState(AuthorizationStateName(s)).value());
  }
  EXPECT_EQ(StatusCode::kInternal, ParseAuthorizationState("refunded").status().code());
}

TEST(ValidationTest, MerchantIdsCurrenciesAndAmounts) {
  EXPECT_TRUE(ValidateMerchantId("merchant-1").ok());
  EXPECT_FALSE(ValidateMerchantId("").ok());
  EXPECT_FALSE(ValidateMerchantId("merchant 1").ok());
  EXPECT_FALSE(ValidateMerchantId(std::string(65, 'm')).ok());
  EXPECT_TRUE(ValidateCurrency("EUR").ok());
  EXPECT_FALSE(ValidateCurrency("eur").ok());
  EXPECT_FALSE(ValidateCurrency("EURO").ok());
  EXPECT_TRUE(ValidateAmount(1, "amount").ok());
  EXPECT_TRUE(ValidateAmount(kMaxAmount, "amount").ok());
  EXPECT_FALSE(ValidateAmount(0, "amount").ok());
  EXPECT_FALSE(ValidateAmount(kMaxAmount + 1, "amount").ok());
}

// --- token ------------------------------------------------------------------

TEST(AuthorizationTokenTest, SignsTheProtocolClaimsAndVerifiesOffline) {
  DeterministicRandom random(1);
  auto key = crypto::Ed25519KeyPair::Generate(random);
  Authorization a = Authorized();
  std::string token = SignAuthorizationToken(a, key);
  ASSERT_EQ(0u, token.find("v4.public."));
  EXPECT_EQ(token, SignAuthorizationToken(a, key));  // deterministic

  FakeClock clock(kCreated + 60);
  Result<AuthorizationClaims> claims = VerifyAuthorizationToken(token, key.public_key(), clock);
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ(a.id, claims->authorization_id);
  EXPECT_EQ("merchant-1", claims->merchant_id);
  EXPECT_EQ(1299, claims->amount);
  EXPECT_EQ("EUR", claims->currency);
  EXPECT_EQ(kCreated, claims->issued_at);
  EXPECT_EQ(kCreated + kTtl, claims->expires_at);

  // The payload, exactly as docs/protocol.md section 3 lists it.
  crypto::PasetoMessage message = crypto::PasetoV4Verify(token, key.public_key()).value();
  EXPECT_EQ(R"({"iss":"payment","sub":"aaaaaaaaaaaaaaaaaaaaaaaaaa","aud":"clearinghouse",)"
            R"("exp":"2023-11-21T22:13:20Z","iat":"2023-11-14T22:13:20Z","amount":1299,)"
            R"("currency":"EUR","merchant_id":"merchant-1"})",
            message.payload);
  EXPECT_EQ("", message.footer);
}

TEST(AuthorizationTokenTest, RefusesAnotherKeyAndAnExpiredToken) {
  DeterministicRandom random(2);
  auto key = crypto::Ed25519KeyPair::Generate(random);
  auto other = crypto::Ed25519KeyPair::Generate(random);
  std::string token = SignAuthorizationToken(Authorized(), key);
  FakeClock clock(kCreated + 60);
  EXPECT_EQ(StatusCode::kUnauthenticated,
            VerifyAuthorizationToken(token, other.public_key(), clock).status().code());
  clock.SetUnixSeconds(kCreated + kTtl);
  EXPECT_EQ(StatusCode::kUnauthenticated,
            VerifyAuthorizationToken(token, key.public_key(), clock).status().code());
}

}  // namespace
}  // namespace backline::payment
