#include "clearinghouse/rules.h"

#include <gtest/gtest.h>

namespace backline::clearinghouse {
namespace {

TEST(RulesTest, PaymentMustCoverWholesaleInItsCurrency) {
  EXPECT_TRUE(CheckPaymentCovers({700, "EUR"}, {700, "EUR"}).ok());
  EXPECT_TRUE(CheckPaymentCovers({1299, "EUR"}, {700, "EUR"}).ok());
  Status low = CheckPaymentCovers({699, "EUR"}, {700, "EUR"});
  EXPECT_EQ(StatusCode::kInvalidArgument, low.code());
  EXPECT_EQ("authorized amount 699 EUR does not cover the wholesale price 700 EUR",
            low.message());
  Status currency = CheckPaymentCovers({5000, "USD"}, {700, "EUR"});
  EXPECT_EQ(StatusCode::kInvalidArgument, currency.code());
  EXPECT_NE(std::string::npos, currency.message().find("5000 USD"));
  EXPECT_NE(std::string::npos, currency.message().find("700 EUR"));
}

TEST(RulesTest, AuthorizationBelongsToTheSender) {
  EXPECT_TRUE(CheckAuthorizationMerchant("merchant-1", "merchant-1").ok());
  EXPECT_EQ(StatusCode::kPermissionDenied,
            CheckAuthorizationMerchant("merchant-2", "merchant-1").code());
}

TEST(RulesTest, ReservationIsOpenUntilItExpires) {
  EXPECT_TRUE(CheckReservationOpen(100, 99).ok());
  EXPECT_EQ(StatusCode::kFailedPrecondition, CheckReservationOpen(100, 100).code());
}

TEST(RulesTest, SlotsCountCompletedAndActiveLeases) {
  EXPECT_TRUE(CheckSlotAvailable(0, 0, 1).ok());
  EXPECT_TRUE(CheckSlotAvailable(1, 1, 3).ok());
  EXPECT_EQ("download limit of 3 reached", CheckSlotAvailable(3, 0, 3).message());
  Status busy = CheckSlotAvailable(1, 2, 3);
  EXPECT_EQ(StatusCode::kPermissionDenied, busy.code());
  EXPECT_NE(std::string::npos, busy.message().find("download limit of 3 reached"));
}

}  // namespace
}  // namespace backline::clearinghouse
