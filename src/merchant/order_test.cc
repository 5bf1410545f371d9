// The order rules alone: prices, transitions, recovery actions, derived ids
// and keys, the request hash, answers.
#include "merchant/order.h"

#include <gtest/gtest.h>

namespace backline::merchant {
namespace {

using protocol::OrderStatus;

TEST(RetailPriceTest, MarksUpAndRoundsUp) {
  EXPECT_EQ(*RetailPrice(1000, 30), 1300);
  EXPECT_EQ(*RetailPrice(999, 30), 1299);  // 1298.7 rounds up
  EXPECT_EQ(*RetailPrice(1, 30), 2);       // 1.3 rounds up
  EXPECT_EQ(*RetailPrice(0, 30), 0);
  EXPECT_EQ(*RetailPrice(1299, 0), 1299);
  EXPECT_FALSE(RetailPrice(-1, 30).ok());
  EXPECT_FALSE(RetailPrice(1000, -1).ok());
  EXPECT_FALSE(RetailPrice(INT64_MAX / 2, 30).ok());
}

TEST(TransitionTest, FollowsTheStateMachine) {
  const OrderStatus path[] = {OrderStatus::kNew, OrderStatus::kReserved, OrderStatus::kAuthorized,
                              OrderStatus::kPaid, OrderStatus::kCaptured, OrderStatus::kCompleted};
  for (size_t i = 0; i + 1 < std::size(path); ++i) {
    EXPECT_TRUE(CheckTransition(path[i], path[i + 1]).ok()) << i;
  }
  EXPECT_TRUE(CheckTransition(OrderStatus::kNew, OrderStatus::kFailed).ok());
  EXPECT_TRUE(CheckTransition(OrderStatus::kReserved, OrderStatus::kFailed).ok());
  EXPECT_TRUE(CheckTransition(OrderStatus::kAuthorized, OrderStatus::kVoided).ok());
  // After authorization a failure is a void, never a plain failure.
  EXPECT_FALSE(CheckTransition(OrderStatus::kAuthorized, OrderStatus::kFailed).ok());
  // A paid order is never voided: the clearinghouse recorded the sale.
  EXPECT_FALSE(CheckTransition(OrderStatus::kPaid, OrderStatus::kVoided).ok());
  EXPECT_FALSE(CheckTransition(OrderStatus::kNew, OrderStatus::kAuthorized).ok());
  EXPECT_FALSE(CheckTransition(OrderStatus::kCompleted, OrderStatus::kVoided).ok());
  EXPECT_FALSE(CheckTransition(OrderStatus::kVoided, OrderStatus::kPaid).ok());
  EXPECT_FALSE(CheckTransition(OrderStatus::kFailed, OrderStatus::kReserved).ok());
}

TEST(RecoveryTest, NoMoneyHeldWithoutAProduct) {
  EXPECT_EQ(RecoveryFor(OrderStatus::kNew), RecoveryAction::kFail);
  EXPECT_EQ(RecoveryFor(OrderStatus::kReserved), RecoveryAction::kFindAuthorization);
  EXPECT_EQ(RecoveryFor(OrderStatus::kAuthorized), RecoveryAction::kVoid);
  EXPECT_EQ(RecoveryFor(OrderStatus::kPaid), RecoveryAction::kCapture);
  EXPECT_EQ(RecoveryFor(OrderStatus::kCaptured), RecoveryAction::kComplete);
  EXPECT_EQ(RecoveryFor(OrderStatus::kCompleted), RecoveryAction::kNone);
  EXPECT_EQ(RecoveryFor(OrderStatus::kVoided), RecoveryAction::kNone);
  EXPECT_EQ(RecoveryFor(OrderStatus::kFailed), RecoveryAction::kNone);
}

TEST(DerivedIdsTest, StablePerOrderAndStep) {
  DeterministicRandom random(7);
  Id order = Id::Random(random);
  Id other = Id::Random(random);
  EXPECT_EQ(DeriveRequestId(order, "reserve"), DeriveRequestId(order, "reserve"));
  EXPECT_NE(DeriveRequestId(order, "reserve"), DeriveRequestId(order, "pay"));
  EXPECT_NE(DeriveRequestId(order, "reserve"), DeriveRequestId(other, "reserve"));
  EXPECT_EQ(PaymentKey(order, "void"), "order-" + order.ToBase32() + "-void");
}

protocol::OrderRequest Request() {
  DeterministicRandom random(1);
  protocol::OrderRequest r;
  r.product_id = Id::Random(random);
  r.buyer = protocol::Identity::Generate(random).public_keys();
  r.payment = {"4242424242424242", 12, 2030, "123"};
  return r;
}

TEST(OrderRequestHashTest, SameParametersSameHash) {
  const Bytes key(32, 9);
  protocol::OrderRequest a = Request();
  protocol::OrderRequest b = Request();
  EXPECT_EQ(OrderRequestHash(key, a), OrderRequestHash(key, b));
  b.payment.cvc = "999";  // never kept in any form, so not hashed
  EXPECT_EQ(OrderRequestHash(key, a), OrderRequestHash(key, b));
  b.payment.card_number = "5555555555554444";
  EXPECT_NE(OrderRequestHash(key, a), OrderRequestHash(key, b));
  b = Request();
  b.payment.exp_year = 2031;
  EXPECT_NE(OrderRequestHash(key, a), OrderRequestHash(key, b));
  b = Request();
  b.buyer.x25519[0] ^= 1;
  EXPECT_NE(OrderRequestHash(key, a), OrderRequestHash(key, b));
  EXPECT_NE(OrderRequestHash(key, a), OrderRequestHash(Bytes(32, 8), a));
}

TEST(OrderKeyTest, Syntax) {
  EXPECT_TRUE(ValidateOrderKey("buy-1.a_B").ok());
  EXPECT_TRUE(ValidateOrderKey(std::string(64, 'k')).ok());
  EXPECT_FALSE(ValidateOrderKey("").ok());
  EXPECT_FALSE(ValidateOrderKey(std::string(65, 'k')).ok());
  EXPECT_FALSE(ValidateOrderKey("a b").ok());
  EXPECT_FALSE(ValidateOrderKey("a:b").ok());
}

TEST(OrderAnswerTest, StatusPerState) {
  Order o;
  o.price = {1300, "EUR"};
  o.card_last4 = "4242";
  o.status = OrderStatus::kAuthorized;
  EXPECT_EQ(OrderAnswerStatus(o), 202);
  ASSERT_TRUE(Advance(o, OrderStatus::kVoided, 5).ok());
  o.error_code = StatusCode::kUnavailable;
  EXPECT_EQ(OrderAnswerStatus(o), 503);
  o.status = OrderStatus::kFailed;
  o.error_code = StatusCode::kPaymentDeclined;
  EXPECT_EQ(OrderAnswerStatus(o), 402);
  o.status = OrderStatus::kCompleted;
  o.download_url = "http://d/v1/downloads/x?token=t";
  EXPECT_EQ(OrderAnswerStatus(o), 201);
  EXPECT_EQ(ToResponse(o).download_url, o.download_url);
  o.status = OrderStatus::kPaid;
  EXPECT_FALSE(ToResponse(o).download_url.has_value());  // only once completed
}

TEST(EndWithErrorTest, KeepsWhy) {
  Order o;
  o.status = OrderStatus::kReserved;
  ASSERT_TRUE(EndWithError(o, OrderStatus::kFailed, PaymentDeclined("card_declined: no"), 9).ok());
  EXPECT_EQ(o.status, OrderStatus::kFailed);
  EXPECT_EQ(o.error_code, StatusCode::kPaymentDeclined);
  EXPECT_EQ(o.error_message, "card_declined: no");
  EXPECT_EQ(o.updated_at, 9);
  EXPECT_FALSE(EndWithError(o, OrderStatus::kVoided, Internal("x"), 10).ok());
}

}  // namespace
}  // namespace backline::merchant
