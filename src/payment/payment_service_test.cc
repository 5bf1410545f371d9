// PaymentService and PaymentStore together on a real SQLite file: idempotent
// replay and conflict, the state machine through the store, expiry on a
// FakeClock, atomic writes, concurrency.
#include "payment/payment_service.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "payment/authorization_token.h"
#include "storage/sqlite/sqlite_database.h"

namespace backline::payment {
namespace {

constexpr int64_t kDay = int64_t{24} * 3600;

AuthorizeRequest Request(std::string number = "4242424242424242", int64_t amount = 1299,
                         std::string merchant = "merchant-1") {
  AuthorizeRequest r;
  r.merchant_id = std::move(merchant);
  r.amount = amount;
  r.currency = "EUR";
  r.card = CardDetails(std::move(number), 12, 2030, "8190");
  return r;
}

boost::json::object Body(const StoredAnswer& answer) {
  return boost::json::parse(answer.body).as_object();
}

std::string IdOf(const StoredAnswer& answer) {
  return std::string(Body(answer).at("authorization_id").as_string());
}

class PaymentServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = ::testing::TempDir() + "backline_payment_XXXXXX";
    ASSERT_NE(nullptr, mkdtemp(templ.data()));
    dir_ = templ;
    keys_ = std::make_unique<PaymentKeys>(GeneratePaymentKeys(random_));
    auto db = storage::OpenSqliteDatabase({.path = dir_ + "/payment.db"});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    ASSERT_TRUE(PaymentStore::Migrate(*db_, clock_).ok());
    store_ = std::make_unique<PaymentStore>(*db_);
    service_ = std::make_unique<PaymentService>(*store_, *keys_, clock_, random_,
                                                PaymentOptions{std::chrono::days(7)});
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  // How many rows `sql` (a SELECT COUNT(*) AS n ...) counts.
  int64_t Count(std::string_view sql) {
    return storage::ReadValue<int64_t>(*db_,
                                       [&](storage::Transaction& tx) -> Result<int64_t> {
                                         BL_ASSIGN_OR_RETURN(storage::Row row, tx.QueryRow(sql));
                                         return row.GetInt64("n");
                                       })
        .value();
  }

  std::string Authorized(int64_t amount = 1299, const std::string& key = "auth-1") {
    Result<StoredAnswer> a = service_->Authorize(Request("4242424242424242", amount), key);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    EXPECT_EQ(StatusCode::kOk, a->code);
    return IdOf(*a);
  }

  AmountRequest Amount(int64_t amount, std::string merchant = "merchant-1") {
    return AmountRequest{std::move(merchant), amount};
  }

  std::string dir_;
  FakeClock clock_;
  DeterministicRandom random_{7};
  std::unique_ptr<PaymentKeys> keys_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<PaymentStore> store_;
  std::unique_ptr<PaymentService> service_;
};

TEST_F(PaymentServiceTest, AuthorizeApprovesAndSignsAToken) {
  Result<StoredAnswer> a = service_->Authorize(Request(), "auth-1");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(StatusCode::kOk, a->code);
  EXPECT_FALSE(a->replayed);
  boost::json::object body = Body(*a);
  EXPECT_EQ("authorized", body.at("status").as_string());
  EXPECT_EQ("4242", body.at("card_last4").as_string());
  EXPECT_EQ("2023-11-21T22:13:20Z", body.at("expires_at").as_string());
  Result<AuthorizationClaims> claims = VerifyAuthorizationToken(
      std::string(body.at("token").as_string()), keys_->signing.public_key(), clock_);
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ(IdOf(*a), claims->authorization_id);
  EXPECT_EQ(1299, claims->amount);
  EXPECT_EQ("merchant-1", claims->merchant_id);

  Result<Authorization> stored = service_->GetAuthorization("merchant-1", IdOf(*a));
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(FingerprintCard(keys_->card_key, "4242424242424242").pan_hmac,
            stored->card_fingerprint);
}

TEST_F(PaymentServiceTest, EachDeclineIsStoredForReplayButCreatesNoAuthorization) {
  const std::pair<const char*, const char*> cases[] = {
      {"4000000000000002", "card_declined"},      {"4000000000009995", "insufficient_funds"},
      {"4000000000000069", "expired_card"},       {"4000000000000127", "incorrect_cvc"},
      {"4111111111111111", "card_not_supported"},
  };
  int n = 0;
  for (const auto& [number, code] : cases) {
    std::string key = "decline-" + std::to_string(n++);
    Result<StoredAnswer> a = service_->Authorize(Request(number), key);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    EXPECT_EQ(StatusCode::kPaymentDeclined, a->code);
    EXPECT_EQ(code, Body(*a).at("error").at("decline_code").as_string());
    Result<StoredAnswer> again = service_->Authorize(Request(number), key);
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->replayed);
    EXPECT_EQ(a->body, again->body);
  }
  EXPECT_EQ(0, Count("SELECT COUNT(*) AS n FROM authorizations"));
  EXPECT_EQ(5, Count("SELECT COUNT(*) AS n FROM idempotency_records"));
}

TEST_F(PaymentServiceTest, ACardPastItsExpiryIsDeclinedExpired) {
  AuthorizeRequest r = Request();
  r.card.exp_year = 2023;
  r.card.exp_month = 10;
  Result<StoredAnswer> a = service_->Authorize(r, "k");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ("expired_card", Body(*a).at("error").at("decline_code").as_string());
}

TEST_F(PaymentServiceTest, InvalidInputIsRefusedAndNothingIsStored) {
  EXPECT_EQ(StatusCode::kInvalidArgument,
            service_->Authorize(Request("4242424242424241"), "k").status().code());
  EXPECT_EQ(StatusCode::kInvalidArgument, service_->Authorize(Request(), "").status().code());
  EXPECT_EQ(StatusCode::kInvalidArgument, service_->Authorize(Request(), "a b").status().code());
  EXPECT_EQ(0, Count("SELECT COUNT(*) AS n FROM idempotency_records"));
}

TEST_F(PaymentServiceTest, SameKeySameRequestReplaysByteForByte) {
  Result<StoredAnswer> first = service_->Authorize(Request(), "auth-1");
  clock_.Advance(std::chrono::minutes(5));  // a later answer would differ
  Result<StoredAnswer> second = service_->Authorize(Request(), "auth-1");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_TRUE(second->replayed);
  EXPECT_EQ(first->body, second->body);
  EXPECT_EQ(1, Count("SELECT COUNT(*) AS n FROM authorizations"));
}

TEST_F(PaymentServiceTest, ACvcRetryReplaysBecauseTheCvcIsNeverKept) {
  Result<StoredAnswer> first = service_->Authorize(Request(), "auth-1");
  AuthorizeRequest other_cvc = Request();
  other_cvc.card.cvc = "9999";
  Result<StoredAnswer> second = service_->Authorize(other_cvc, "auth-1");
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->replayed);
  EXPECT_EQ(first->body, second->body);
}

TEST_F(PaymentServiceTest, SameKeyOtherParametersConflicts) {
  ASSERT_TRUE(service_->Authorize(Request(), "auth-1").ok());
  EXPECT_EQ(StatusCode::kConflict,
            service_->Authorize(Request("4242424242424242", 1300), "auth-1").status().code());
  EXPECT_EQ(StatusCode::kConflict,
            service_->Authorize(Request("5555555555554444"), "auth-1").status().code());
  AuthorizeRequest other_expiry = Request();
  other_expiry.card.exp_year = 2031;
  EXPECT_EQ(StatusCode::kConflict, service_->Authorize(other_expiry, "auth-1").status().code());
  EXPECT_EQ(1, Count("SELECT COUNT(*) AS n FROM authorizations"));
}

TEST_F(PaymentServiceTest, KeysAreScopedPerMerchant) {
  Result<StoredAnswer> a = service_->Authorize(Request("4242424242424242", 1299, "m-a"), "k");
  Result<StoredAnswer> b = service_->Authorize(Request("4242424242424242", 1299, "m-b"), "k");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(b->replayed);
  EXPECT_NE(IdOf(*a), IdOf(*b));
  // And one merchant cannot see, capture or void the other's authorization.
  EXPECT_EQ(StatusCode::kNotFound, service_->GetAuthorization("m-b", IdOf(*a)).status().code());
  EXPECT_EQ(StatusCode::kNotFound,
            service_->Capture(IdOf(*a), Amount(1299, "m-b"), "c").status().code());
  EXPECT_EQ(StatusCode::kNotFound,
            service_->Void(IdOf(*a), VoidRequest{"m-b"}, "v").status().code());
}

TEST_F(PaymentServiceTest, UnknownAndMalformedIdsAreNotFound) {
  EXPECT_EQ(StatusCode::kNotFound,
            service_->Capture("aaaaaaaaaaaaaaaaaaaaaaaaaa", Amount(1), "c").status().code());
  Status s = service_->Capture("4242424242424242", Amount(1), "c").status();
  EXPECT_EQ(StatusCode::kNotFound, s.code());
  EXPECT_EQ(std::string::npos, s.message().find("4242424242424242"));
}

TEST_F(PaymentServiceTest, CaptureThenRefundsThroughTheStore) {
  std::string id = Authorized(1299);
  Result<StoredAnswer> capture = service_->Capture(id, Amount(1000), "cap-1");
  ASSERT_TRUE(capture.ok()) << capture.status().ToString();
  EXPECT_EQ("captured", Body(*capture).at("status").as_string());
  EXPECT_EQ(1000, Body(*capture).at("captured_amount").as_int64());

  // Captured at most once, whatever the key.
  EXPECT_EQ(StatusCode::kFailedPrecondition,
            service_->Capture(id, Amount(1000), "cap-2").status().code());
  // Void after capture: refund instead.
  EXPECT_EQ(StatusCode::kFailedPrecondition,
            service_->Void(id, VoidRequest{"merchant-1"}, "void-1").status().code());

  Result<StoredAnswer> r1 = service_->Refund(id, Amount(600), "ref-1");
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  EXPECT_EQ(600, Body(*r1).at("authorization").at("refunded_amount").as_int64());
  EXPECT_EQ(StatusCode::kFailedPrecondition,
            service_->Refund(id, Amount(401), "ref-2").status().code());
  ASSERT_TRUE(service_->Refund(id, Amount(400), "ref-3").ok());

  // The capture's answer replays as it was, though refunds happened since.
  Result<StoredAnswer> replay = service_->Capture(id, Amount(1000), "cap-1");
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(replay->replayed);
  EXPECT_EQ(capture->body, replay->body);
  // The same refund key replays rather than refunding twice.
  Result<StoredAnswer> r1_again = service_->Refund(id, Amount(600), "ref-1");
  ASSERT_TRUE(r1_again.ok());
  EXPECT_EQ(r1->body, r1_again->body);

  Authorization now = service_->GetAuthorization("merchant-1", id).value();
  EXPECT_EQ(1000, now.captured_amount);
  EXPECT_EQ(1000, now.refunded_amount);
  std::vector<LedgerEntry> ledger = store_->LedgerOf(id).value();
  ASSERT_EQ(3u, ledger.size());
  int64_t refunded = 0;
  for (const LedgerEntry& e : ledger) {
    if (e.kind == LedgerKind::kRefund) refunded += e.amount;
  }
  EXPECT_EQ(1000, refunded);
}

TEST_F(PaymentServiceTest, AKeyUsedForCaptureCannotBeUsedForARefund) {
  std::string id = Authorized();
  ASSERT_TRUE(service_->Capture(id, Amount(1299), "k").ok());
  Status s = service_->Refund(id, Amount(1299), "k").status();
  EXPECT_EQ(StatusCode::kConflict, s.code());
}

TEST_F(PaymentServiceTest, ErrorsAreNotStoredSoAFixedRetryWithTheSameKeyRuns) {
  std::string id = Authorized(1299);
  EXPECT_EQ(StatusCode::kInvalidArgument,
            service_->Capture(id, Amount(5000), "cap").status().code());
  Result<StoredAnswer> fixed = service_->Capture(id, Amount(1299), "cap");
  ASSERT_TRUE(fixed.ok()) << fixed.status().ToString();
  EXPECT_FALSE(fixed->replayed);
}

TEST_F(PaymentServiceTest, FindByKeyReturnsTheAuthorizationAsItIsNow) {
  std::string id = Authorized(1299, "order-7-authorize");
  Result<Authorization> found = service_->FindAuthorizationByKey("merchant-1", "order-7-authorize");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(id, found->id);
  EXPECT_EQ(AuthorizationState::kAuthorized, found->state);

  ASSERT_TRUE(service_->Void(id, VoidRequest{"merchant-1"}, "order-7-void").ok());
  found = service_->FindAuthorizationByKey("merchant-1", "order-7-authorize");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(AuthorizationState::kVoided, found->state);
}

TEST_F(PaymentServiceTest, FindByKeyIsNotFoundUnlessTheKeyAuthorizedForThatMerchant) {
  std::string id = Authorized(1299, "order-7-authorize");
  auto code = [&](std::string_view merchant, std::string_view key) {
    return service_->FindAuthorizationByKey(merchant, key).status().code();
  };
  EXPECT_EQ(StatusCode::kNotFound, code("merchant-1", "order-8-authorize"));  // never used
  EXPECT_EQ(StatusCode::kNotFound, code("merchant-2", "order-7-authorize"));  // scoped
  ASSERT_TRUE(service_->Capture(id, Amount(1299), "order-7-capture").ok());
  EXPECT_EQ(StatusCode::kNotFound, code("merchant-1", "order-7-capture"));  // not an authorize
  ASSERT_TRUE(service_->Authorize(Request("4000000000000002"), "declined").ok());
  EXPECT_EQ(StatusCode::kNotFound, code("merchant-1", "declined"));  // nothing held
  EXPECT_EQ(StatusCode::kInvalidArgument, code("merchant-1", "bad key"));
  EXPECT_EQ(StatusCode::kInvalidArgument, code("", "order-7-authorize"));
}

TEST_F(PaymentServiceTest, VoidThenCaptureFails) {
  std::string id = Authorized();
  Result<StoredAnswer> v = service_->Void(id, VoidRequest{"merchant-1"}, "void");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ("voided", Body(*v).at("status").as_string());
  Status s = service_->Capture(id, Amount(1299), "cap").status();
  EXPECT_EQ(StatusCode::kFailedPrecondition, s.code());
  EXPECT_EQ(StatusCode::kFailedPrecondition,
            service_->Void(id, VoidRequest{"merchant-1"}, "void-2").status().code());
  std::vector<LedgerEntry> ledger = store_->LedgerOf(id).value();
  ASSERT_EQ(1u, ledger.size());
  EXPECT_EQ(LedgerKind::kVoid, ledger[0].kind);
  EXPECT_EQ(1299, ledger[0].amount);
}

TEST_F(PaymentServiceTest, AnAuthorizationExpiresAfterSevenDays) {
  std::string id = Authorized();
  clock_.Advance(std::chrono::seconds(7 * kDay - 1));
  EXPECT_EQ("authorized", DisplayStatus(service_->GetAuthorization("merchant-1", id).value(),
                                        clock_.NowUnixSeconds()));
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ("expired", DisplayStatus(service_->GetAuthorization("merchant-1", id).value(),
                                     clock_.NowUnixSeconds()));
  Status s = service_->Capture(id, Amount(1299), "cap").status();
  EXPECT_EQ(StatusCode::kFailedPrecondition, s.code());
  EXPECT_NE(std::string::npos, s.message().find("expired")) << s.message();
  // An expired authorization can still be voided, to release it.
  EXPECT_TRUE(service_->Void(id, VoidRequest{"merchant-1"}, "void").ok());
}

TEST_F(PaymentServiceTest, TheLifetimeIsConfigurable) {
  PaymentService short_lived(*store_, *keys_, clock_, random_,
                             PaymentOptions{std::chrono::hours(1)});
  Result<StoredAnswer> a = short_lived.Authorize(Request(), "short");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ("2023-11-14T23:13:20Z", Body(*a).at("expires_at").as_string());
  clock_.Advance(std::chrono::hours(1));
  EXPECT_EQ(StatusCode::kFailedPrecondition,
            short_lived.Capture(IdOf(*a), Amount(1299), "cap").status().code());
}

TEST_F(PaymentServiceTest, AFailedWriteLeavesNothingBehind) {
  // The authorization insert succeeds, then the idempotency record cannot be
  // written (text that is not UTF-8): the whole transaction must roll back.
  Authorization a;
  a.id = "aaaaaaaaaaaaaaaaaaaaaaaaaa";
  a.merchant_id = "merchant-1";
  a.amount = 1;
  a.currency = "EUR";
  a.card_last4 = "4242";
  a.expires_at = 10;
  a.token = "t";
  Effects effects;
  effects.write = Effects::Write::kInsert;
  effects.authorization = a;
  effects.answer = StoredAnswer{StatusCode::kOk, "\xff\xfe", false};
  IdempotencyScope scope{"merchant-1", HashIdempotencyKey(keys_->card_key, "k"),
                         Operation::kAuthorize};
  Result<StoredAnswer> r =
      store_->RunIdempotent(scope, crypto::Sha256(AsBytes("x")), "",
                            [&](const Authorization*) -> Result<Effects> { return effects; });
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(0, Count("SELECT COUNT(*) AS n FROM authorizations"));
  EXPECT_EQ(0, Count("SELECT COUNT(*) AS n FROM idempotency_records"));
}

TEST_F(PaymentServiceTest, AnErrorFromTheLogicWritesNothing) {
  std::string id = Authorized();
  IdempotencyScope scope{"merchant-1", HashIdempotencyKey(keys_->card_key, "k"),
                         Operation::kCapture};
  Result<StoredAnswer> r = store_->RunIdempotent(
      scope, crypto::Sha256(AsBytes("x")), id,
      [&](const Authorization*) -> Result<Effects> { return FailedPrecondition("no"); });
  EXPECT_EQ(StatusCode::kFailedPrecondition, r.status().code());
  EXPECT_EQ(1, Count("SELECT COUNT(*) AS n FROM idempotency_records"));  // auth-1 only
  EXPECT_EQ(0, Count("SELECT COUNT(*) AS n FROM ledger_entries"));
}

TEST_F(PaymentServiceTest, ConcurrentRetriesOfOneKeyAuthorizeOnce) {
  constexpr int kThreads = 8;
  std::vector<std::string> bodies(kThreads);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      Result<StoredAnswer> a = service_->Authorize(Request(), "same-key");
      if (a.ok()) bodies[i] = a->body;
    });
  }
  for (auto& t : threads) t.join();
  for (const std::string& b : bodies) EXPECT_EQ(bodies[0], b);
  EXPECT_FALSE(bodies[0].empty());
  EXPECT_EQ(1, Count("SELECT COUNT(*) AS n FROM authorizations"));
}

TEST_F(PaymentServiceTest, ConcurrentCapturesWithDifferentKeysCaptureOnce) {
  std::string id = Authorized();
  constexpr int kThreads = 8;
  std::atomic<int> captured{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      Result<StoredAnswer> c = service_->Capture(id, Amount(1299), "cap-" + std::to_string(i));
      if (c.ok()) {
        ++captured;
      } else if (c.status().code() == StatusCode::kFailedPrecondition) {
        ++refused;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(1, captured.load());
  EXPECT_EQ(kThreads - 1, refused.load());
  EXPECT_EQ(1, Count("SELECT COUNT(*) AS n FROM ledger_entries WHERE kind = 'capture'"));
}

TEST_F(PaymentServiceTest, TheDatabaseRefusesASecondCaptureEvenIfTheLogicDidNot) {
  std::string id = Authorized();
  ASSERT_TRUE(service_->Capture(id, Amount(1299), "cap").ok());
  Status s = db_->Transact([&](storage::Transaction& tx) {
    return tx
        .Execute(
            "INSERT INTO ledger_entries (id, authorization_id, kind, amount, created_at) "
            "VALUES ('x', $1, 'capture', 1, 0)",
            {id})
        .status();
  });
  EXPECT_EQ(StatusCode::kAlreadyExists, s.code());
}

}  // namespace
}  // namespace backline::payment
