#include "payment/idempotency.h"

#include <gtest/gtest.h>

#include <string>

namespace backline::payment {
namespace {

crypto::Sha256Digest Hash(std::string_view merchant, int64_t amount) {
  return RequestHasher(Operation::kCapture)
      .Text("merchant_id", merchant)
      .Integer("amount", amount)
      .Finish();
}

TEST(IdempotencyKeyTest, AcceptsSaneKeysAndNamesTheHeaderOtherwise) {
  EXPECT_TRUE(ValidateIdempotencyKey("order-17:authorize").ok());
  EXPECT_TRUE(ValidateIdempotencyKey("3f2b9c1e-7a4d-4e8a-9b1c-2d3e4f5a6b7c").ok());
  EXPECT_TRUE(ValidateIdempotencyKey(std::string(128, 'k')).ok());
  for (const std::string& bad : {std::string(), std::string(129, 'k'), std::string("a b"),
                                 std::string("a/b"), std::string("caf\xc3\xa9")}) {
    Status s = ValidateIdempotencyKey(bad);
    EXPECT_EQ(StatusCode::kInvalidArgument, s.code());
    EXPECT_NE(std::string::npos, s.message().find("Idempotency-Key"));
  }
}

TEST(HashIdempotencyKeyTest, IsKeyedAndDistinguishesKeys) {
  const Bytes secret(32, 1);
  EXPECT_EQ(HashIdempotencyKey(secret, "k1"), HashIdempotencyKey(secret, "k1"));
  EXPECT_NE(HashIdempotencyKey(secret, "k1"), HashIdempotencyKey(secret, "k2"));
  EXPECT_NE(HashIdempotencyKey(secret, "k1"), HashIdempotencyKey(Bytes(32, 2), "k1"));
  EXPECT_NE(HashIdempotencyKey(secret, "k1"), crypto::Sha256(AsBytes("k1")));
}

TEST(RequestHasherTest, SameFieldsSameHashAnyDifferenceAnotherHash) {
  EXPECT_EQ(Hash("m1", 100), Hash("m1", 100));
  EXPECT_NE(Hash("m1", 100), Hash("m1", 101));
  EXPECT_NE(Hash("m1", 100), Hash("m2", 100));
  EXPECT_NE(RequestHasher(Operation::kCapture).Integer("amount", 1).Finish(),
            RequestHasher(Operation::kRefund).Integer("amount", 1).Finish());
}

TEST(RequestHasherTest, TheEncodingIsUnambiguous) {
  EXPECT_NE(RequestHasher(Operation::kVoid).Text("a", "bc").Finish(),
            RequestHasher(Operation::kVoid).Text("ab", "c").Finish());
  EXPECT_NE(RequestHasher(Operation::kVoid).Text("a", "b").Text("c", "").Finish(),
            RequestHasher(Operation::kVoid).Text("a", "").Text("bc", "").Finish());
  // A text and an integer or blob of the same bytes differ by type.
  EXPECT_NE(RequestHasher(Operation::kVoid).Text("x", "12345678").Finish(),
            RequestHasher(Operation::kVoid).Blob("x", AsBytes("12345678")).Finish());
}

TEST(ReplayOrConflictTest, SameRequestGetsTheStoredAnswerByteForByte) {
  IdempotencyRecord stored{Operation::kCapture, Hash("m1", 100),
                           StoredAnswer{StatusCode::kOk, R"({"status":"captured"})", false}};
  Result<StoredAnswer> replay = ReplayOrConflict(stored, Operation::kCapture, Hash("m1", 100));
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(replay->replayed);
  EXPECT_EQ(StatusCode::kOk, replay->code);
  EXPECT_EQ(R"({"status":"captured"})", replay->body);
}

TEST(ReplayOrConflictTest, DeclinesReplayToo) {
  IdempotencyRecord stored{Operation::kAuthorize, Hash("m1", 1),
                           StoredAnswer{StatusCode::kPaymentDeclined, "{}", false}};
  Result<StoredAnswer> replay = ReplayOrConflict(stored, Operation::kAuthorize, Hash("m1", 1));
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(StatusCode::kPaymentDeclined, replay->code);
}

TEST(ReplayOrConflictTest, OtherParametersOrAnotherOperationConflict) {
  IdempotencyRecord stored{Operation::kCapture, Hash("m1", 100),
                           StoredAnswer{StatusCode::kOk, "{}", false}};
  Status other_amount = ReplayOrConflict(stored, Operation::kCapture, Hash("m1", 99)).status();
  EXPECT_EQ(StatusCode::kConflict, other_amount.code());
  EXPECT_NE(std::string::npos, other_amount.message().find("other parameters"));
  Status other_op = ReplayOrConflict(stored, Operation::kRefund, Hash("m1", 100)).status();
  EXPECT_EQ(StatusCode::kConflict, other_op.code());
  EXPECT_NE(std::string::npos, other_op.message().find("used for capture, not refund"));
}

}  // namespace
}  // namespace backline::payment
