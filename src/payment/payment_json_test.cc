#include "payment/payment_json.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>

namespace backline::payment {
namespace {

boost::json::object Object(std::string_view json) { return boost::json::parse(json).as_object(); }

Status DecodeAuthorize(std::string_view json) {
  return DecodeAuthorizeRequest(Object(json)).status();
}

constexpr std::string_view kGood =
    R"({"merchant_id":"m1","amount":1299,"currency":"EUR",)"
    R"("card":{"card_number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"8190"}})";

TEST(DecodeAuthorizeTest, ReadsEveryField) {
  Result<AuthorizeRequest> r = DecodeAuthorizeRequest(Object(kGood));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ("m1", r->merchant_id);
  EXPECT_EQ(1299, r->amount);
  EXPECT_EQ("EUR", r->currency);
  EXPECT_EQ("4242424242424242", r->card.card_number);
  EXPECT_EQ(12, r->card.exp_month);
  EXPECT_EQ(2030, r->card.exp_year);
  EXPECT_EQ("8190", r->card.cvc);
}

TEST(DecodeAuthorizeTest, ALuhnFailureComesBeforeEveryOtherError) {
  Status s =
      DecodeAuthorize(R"({"bogus":1,"amount":12.5,"currency":"eur",)"
                      R"("card":{"card_number":"4242424242424241","exp_month":"x","extra":true}})");
  EXPECT_EQ(StatusCode::kInvalidArgument, s.code());
  EXPECT_NE(std::string::npos, s.message().find("Luhn")) << s.message();
  EXPECT_EQ(std::string::npos, s.message().find("4242424242424241"));
}

TEST(DecodeAuthorizeTest, NamesTheBadMember) {
  struct Case {
    std::string json;
    std::string expect;
  };
  const std::string card =
      R"("card":{"card_number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"8190"})";
  const Case cases[] = {
      {R"({"merchant_id":"m1","amount":1299,"currency":"EUR"})", "card is required"},
      {R"({"merchant_id":"m1","amount":1299,"currency":"EUR","card":"4242424242424242"})",
       "card must be a JSON object"},
      {R"({"amount":1299,"currency":"EUR",)" + card + "}", "merchant_id is required"},
      {R"({"merchant_id":"m1","amount":12.99,"currency":"EUR",)" + card + "}",
       "amount must be a JSON integer"},
      {R"({"merchant_id":"m1","amount":"1299","currency":"EUR",)" + card + "}",
       "amount must be a JSON integer"},
      {R"({"merchant_id":"m1","amount":0,"currency":"EUR",)" + card + "}", "amount must be"},
      {R"({"merchant_id":"m1","amount":1299,"currency":"EUR","tip":1,)" + card + "}",
       "unknown member 'tip'"},
      {R"({"merchant_id":"m1","amount":1299,"currency":"eur",)" + card + "}", "currency"},
      {R"({"merchant_id":"m1","amount":1299,"currency":"EUR","card":{"card_number":"4242424242424242",)"
       R"("exp_month":12,"exp_year":2030,"cvc":8190}})",
       "card.cvc must be a JSON string"},
      {R"({"merchant_id":"m1","amount":1299,"currency":"EUR","card":{"card_number":"4242424242424242",)"
       R"("exp_month":12,"exp_year":2030,"cvc":"8190","name":"A"}})",
       "unknown member 'card.name'"},
      {R"({"merchant_id":"m1","amount":1299,"currency":"EUR","card":{"card_number":4242424242424242,)"
       R"("exp_month":12,"exp_year":2030,"cvc":"8190"}})",
       "card.card_number must be a JSON string"},
  };
  for (const Case& c : cases) {
    Status s = DecodeAuthorize(c.json);
    EXPECT_EQ(StatusCode::kInvalidArgument, s.code()) << c.json;
    EXPECT_NE(std::string::npos, s.message().find(c.expect)) << s.message();
    EXPECT_EQ(std::string::npos, s.message().find("4242424242424242")) << s.message();
    EXPECT_EQ(std::string::npos, s.message().find("8190")) << s.message();
  }
}

TEST(DecodeAmountTest, CaptureAndRefundBodies) {
  Result<AmountRequest> r = DecodeAmountRequest(Object(R"({"merchant_id":"m1","amount":500})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ("m1", r->merchant_id);
  EXPECT_EQ(500, r->amount);
  EXPECT_FALSE(DecodeAmountRequest(Object(R"({"merchant_id":"m1"})")).ok());
  EXPECT_FALSE(DecodeAmountRequest(Object(R"({"merchant_id":"m1","amount":-1})")).ok());
  EXPECT_FALSE(
      DecodeAmountRequest(Object(R"({"merchant_id":"m1","amount":1,"currency":"EUR"})")).ok());
  EXPECT_FALSE(
      DecodeAmountRequest(Object(R"({"merchant_id":"m1","amount":18446744073709551615})")).ok());
}

TEST(DecodeVoidTest, NeedsOnlyTheMerchant) {
  EXPECT_TRUE(DecodeVoidRequest(Object(R"({"merchant_id":"m1"})")).ok());
  EXPECT_FALSE(DecodeVoidRequest(Object(R"({})")).ok());
  EXPECT_FALSE(DecodeVoidRequest(Object(R"({"merchant_id":"m1","amount":1})")).ok());
}

Authorization Sample() {
  Authorization a;
  a.id = "aaaaaaaaaaaaaaaaaaaaaaaaaa";
  a.merchant_id = "m1";
  a.amount = 1299;
  a.currency = "EUR";
  a.card_last4 = "4242";
  a.created_at = 1'700'000'000;
  a.updated_at = a.created_at;
  a.expires_at = a.created_at + 604800;
  a.token = "v4.public.x";
  return a;
}

TEST(EncodeTest, AuthorizationHasTheDocumentedShape) {
  EXPECT_EQ(
      R"({"authorization_id":"aaaaaaaaaaaaaaaaaaaaaaaaaa","status":"authorized","merchant_id":"m1",)"
      R"("amount":1299,"currency":"EUR","captured_amount":0,"refunded_amount":0,)"
      R"("card_last4":"4242","created_at":"2023-11-14T22:13:20Z",)"
      R"("expires_at":"2023-11-21T22:13:20Z","token":"v4.public.x"})",
      Serialize(EncodeAuthorization(Sample(), 1'700'000'000)));
  EXPECT_EQ("expired", EncodeAuthorization(Sample(), 1'700'604'800).at("status").as_string());
}

TEST(EncodeTest, RefundNestsTheAuthorizationAfter) {
  Authorization after = Sample();
  after.state = AuthorizationState::kCaptured;
  after.captured_amount = 1299;
  after.refunded_amount = 300;
  LedgerEntry refund{"bbbbbbbbbbbbbbbbbbbbbbbbbb", after.id, LedgerKind::kRefund, 300,
                     1'700'000'100};
  boost::json::object o = EncodeRefund(refund, after, 1'700'000'100);
  EXPECT_EQ("bbbbbbbbbbbbbbbbbbbbbbbbbb", o.at("refund_id").as_string());
  EXPECT_EQ(300, o.at("amount").as_int64());
  EXPECT_EQ("EUR", o.at("currency").as_string());
  EXPECT_EQ("2023-11-14T22:15:00Z", o.at("created_at").as_string());
  EXPECT_EQ(300, o.at("authorization").at("refunded_amount").as_int64());
}

TEST(EncodeTest, DeclineIsTheErrorShapeWithADeclineCode) {
  EXPECT_EQ(R"({"error":{"code":"PAYMENT_DECLINED","message":"incorrect_cvc: the card's )"
            R"(security code (CVC) is incorrect","decline_code":"incorrect_cvc"}})",
            DeclineBody(DeclineCode::kIncorrectCvc));
}

TEST(EncodeTest, KeysAreBase64Url) {
  crypto::Ed25519PublicKey key{};
  key.fill(0xff);
  EXPECT_EQ(R"({"ed25519":"__________________________________________8"})",
            Serialize(EncodeKeys(key)));
}

}  // namespace
}  // namespace backline::payment
