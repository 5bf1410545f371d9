#include "payment/card.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/hash.h"

namespace backline::payment {
namespace {

// 2023-11-14T22:13:20Z, FakeClock's default.
const Clock::TimePoint kNow = FakeClock().Now();

CardDetails Card(std::string number, int64_t month = 12, int64_t year = 2030,
                 std::string cvc = "8190") {
  return CardDetails(std::move(number), month, year, std::move(cvc));
}

std::optional<DeclineCode> Screen(const std::string& number) {
  return ScreenCard(Card(number), kNow);
}

TEST(LuhnTest, AcceptsTheTestCardsAndRejectsOneDigitOff) {
  for (const char* n :
       {"4242424242424242", "4000000000000002", "4000000000009995", "4000000000000069",
        "4000000000000127", "5555555555554444", "378282246310005", "79927398713"}) {
    EXPECT_TRUE(PassesLuhn(n)) << n;
  }
  EXPECT_FALSE(PassesLuhn("4242424242424241"));
  EXPECT_FALSE(PassesLuhn("79927398710"));
  EXPECT_FALSE(PassesLuhn(""));
  EXPECT_FALSE(PassesLuhn("4242 4242 4242 4242"));
  EXPECT_FALSE(PassesLuhn("42424242424242a2"));
}

TEST(ValidateCardTest, AcceptsAWellFormedCard) {
  EXPECT_TRUE(ValidateCard(Card("4242424242424242")).ok());
  EXPECT_TRUE(ValidateCard(Card("378282246310005", 1, 2000, "1234")).ok());
}

TEST(ValidateCardTest, ALuhnFailureIsReportedBeforeAnyOtherProblem) {
  Status s = ValidateCard(Card("4242424242424241", 13, 1999, "x"));
  EXPECT_EQ(StatusCode::kInvalidArgument, s.code());
  EXPECT_NE(std::string::npos, s.message().find("card.card_number"));
  EXPECT_NE(std::string::npos, s.message().find("Luhn"));
}

TEST(ValidateCardTest, NamesEachBadField) {
  struct Case {
    CardDetails card;
    std::string field;
  };
  const Case cases[] = {
      {Card("42424242"), "card.card_number"},              // too short
      {Card("42424242424242424242"), "card.card_number"},  // too long
      {Card("4242-4242-4242-4242"), "card.card_number"},   // not digits
      {Card("4242424242424242", 0), "card.exp_month"},
      {Card("4242424242424242", 13), "card.exp_month"},
      {Card("4242424242424242", 12, 30), "card.exp_year"},  // two digits
      {Card("4242424242424242", 12, 2100), "card.exp_year"},
      {Card("4242424242424242", 12, 2030, "98"), "card.cvc"},
      {Card("4242424242424242", 12, 2030, "98765"), "card.cvc"},
      {Card("4242424242424242", 12, 2030, "9a7"), "card.cvc"},
  };
  for (const Case& c : cases) {
    Status s = ValidateCard(c.card);
    EXPECT_EQ(StatusCode::kInvalidArgument, s.code()) << c.field;
    EXPECT_EQ(0u, s.message().find(c.field)) << s.message();
  }
}

TEST(ValidateCardTest, MessagesNeverQuoteTheNumberOrTheCvc) {
  for (const CardDetails& card :
       {Card("4242424242424241"), Card("4242424242424242", 13, 2030, "9876"),
        Card("4242424242424242", 12, 2030, "98765"), Card("1234567890123")}) {
    Status s = ValidateCard(card);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(std::string::npos, s.message().find(card.card_number)) << s.message();
    EXPECT_EQ(std::string::npos, s.message().find(card.cvc)) << s.message();
  }
}

TEST(ScreenCardTest, EachTestCardGetsItsAnswer) {
  EXPECT_EQ(std::nullopt, Screen("4242424242424242"));
  EXPECT_EQ(std::nullopt, Screen("5555555555554444"));
  EXPECT_EQ(std::nullopt, Screen("378282246310005"));
  EXPECT_EQ(DeclineCode::kCardDeclined, Screen("4000000000000002"));
  EXPECT_EQ(DeclineCode::kInsufficientFunds, Screen("4000000000009995"));
  EXPECT_EQ(DeclineCode::kExpiredCard, Screen("4000000000000069"));
  EXPECT_EQ(DeclineCode::kIncorrectCvc, Screen("4000000000000127"));
  EXPECT_EQ(DeclineCode::kCardNotSupported, Screen("4111111111111111"));
}

TEST(ScreenCardTest, ACardIsGoodThroughTheLastSecondOfItsExpiryMonth) {
  // kNow is in November 2023.
  EXPECT_EQ(std::nullopt, ScreenCard(Card("4242424242424242", 11, 2023), kNow));
  EXPECT_EQ(DeclineCode::kExpiredCard, ScreenCard(Card("4242424242424242", 10, 2023), kNow));
  EXPECT_EQ(DeclineCode::kExpiredCard, ScreenCard(Card("4242424242424242", 12, 2022), kNow));
  // 2023-12-01T00:00:00Z and one second before.
  const Clock::TimePoint december(std::chrono::seconds(1701388800));
  EXPECT_EQ(std::nullopt,
            ScreenCard(Card("4242424242424242", 11, 2023), december - std::chrono::seconds(1)));
  EXPECT_EQ(DeclineCode::kExpiredCard, ScreenCard(Card("4242424242424242", 11, 2023), december));
  // December rolls over into January of the next year.
  EXPECT_EQ(std::nullopt, ScreenCard(Card("4242424242424242", 12, 2023), december));
}

TEST(DeclineTest, StatusNamesTheMachineCodeAndTheReason) {
  Status s = DeclineStatus(DeclineCode::kInsufficientFunds);
  EXPECT_EQ(StatusCode::kPaymentDeclined, s.code());
  EXPECT_EQ("insufficient_funds: the card has insufficient funds", s.message());
  EXPECT_EQ("card_declined", DeclineCodeName(DeclineCode::kCardDeclined));
  EXPECT_EQ("expired_card", DeclineCodeName(DeclineCode::kExpiredCard));
  EXPECT_EQ("incorrect_cvc", DeclineCodeName(DeclineCode::kIncorrectCvc));
  EXPECT_EQ("card_not_supported", DeclineCodeName(DeclineCode::kCardNotSupported));
}

TEST(FingerprintCardTest, IsAKeyedHashAndTheLastFourDigits) {
  const Bytes key(32, 7);
  const Bytes other_key(32, 8);
  CardFingerprint a = FingerprintCard(key, "4242424242424242");
  EXPECT_EQ("4242", a.last4);
  EXPECT_EQ(a.pan_hmac, FingerprintCard(key, "4242424242424242").pan_hmac);
  EXPECT_NE(a.pan_hmac, FingerprintCard(other_key, "4242424242424242").pan_hmac);
  EXPECT_NE(a.pan_hmac, FingerprintCard(key, "4000000000000002").pan_hmac);
  // Not a bare hash of the number: without the key nobody can test guesses.
  EXPECT_NE(a.pan_hmac, crypto::Sha256(AsBytes("4242424242424242")));
  const std::string label_and_pan =
      std::string("backline payment pan v1") + '\0' + "4242424242424242";
  EXPECT_EQ(a.pan_hmac, crypto::HmacSha256(key, AsBytes(label_and_pan)));
}

}  // namespace
}  // namespace backline::payment
