// The bad-input matrix of issue 3 across the real processes (four_roles.h):
// each bad request gets a clear 4xx with a JSON error message, and changes no
// state, checked by row counts read from the roles' SQLite files (read-only).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/random.h"
#include "http/client.h"
#include "protocol/identity.h"
#include "protocol/messages.h"
#include "protocol/request_signing.h"
#include "tests/e2e/four_roles.h"

namespace backline {
namespace {

using namespace std::chrono_literals;
using testing::FourRoles;
using testing::kMissingProductId;
using testing::kProductId;

constexpr int kLimit = 2;

struct Purchase {
  std::string transaction_id;
  std::string token;
  std::string url;
};

// Everything that records money, reservations or deliveries, as row counts.
std::string StateOf(const FourRoles& roles) {
  return "merchant " + roles.Query("merchant",
                                   "SELECT status, COUNT(*) FROM orders GROUP BY 1;") +
         "payment " + roles.Query("payment",
                                  "SELECT (SELECT COUNT(*) FROM authorizations), "
                                  "(SELECT COUNT(*) FROM ledger_entries), "
                                  "(SELECT COUNT(*) FROM idempotency_records);") +
         "clearinghouse " + roles.Query("clearinghouse",
                                        "SELECT (SELECT COUNT(*) FROM transactions), "
                                        "(SELECT COUNT(*) FROM payments), "
                                        "(SELECT COUNT(*) FROM deliveries), "
                                        "(SELECT COUNT(*) FROM purchases);");
}

// A 4xx with {"error":{"code","message"}} and a message; returns the message.
std::string ExpectClearError(const Result<http::ClientResponse>& r, int status) {
  if (!r.ok()) {
    ADD_FAILURE() << "no response: " << r.status().ToString();
    return "";
  }
  EXPECT_EQ(status, r->status) << r->body;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(r->body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("error")) {
    ADD_FAILURE() << "not a JSON error body: " << r->body;
    return "";
  }
  const auto& error = v.at("error").as_object();
  EXPECT_TRUE(error.contains("code") && error.at("code").is_string()) << r->body;
  EXPECT_TRUE(error.contains("message") && error.at("message").is_string() &&
              !error.at("message").as_string().empty())
      << r->body;
  return error.contains("message") ? std::string(error.at("message").as_string()) : "";
}

class BadInputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    roles_ = new FourRoles;
    roles_->Init({.product_size = 4096, .download_limit = kLimit});
    if (!HasFatalFailure()) roles_->StartAll();
    started_ = !HasFatalFailure();
  }
  static void TearDownTestSuite() {
    delete roles_;
    roles_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(started_) << "the roles did not start"; }

  static std::string OrderBody(const protocol::Identity& buyer, const std::string& product) {
    return R"({"product_id":")" + product + R"(","buyer":{"ed25519":")" +
           Base64UrlEncode(buyer.public_keys().ed25519) + R"(","x25519":")" +
           Base64UrlEncode(buyer.public_keys().x25519) +
           R"("},"payment":{"card_number":"4242424242424242","exp_month":12,)"
           R"("exp_year":2030,"cvc":"123"}})";
  }

  Result<http::ClientResponse> PostOrder(std::string body) {
    return client_.SendBlocking(
        http::ClientRequest::Json("POST", roles_->Url("merchant") + "/v1/orders",
                                  std::move(body))
            .WithHeader("Idempotency-Key", "k" + std::to_string(next_key_++)));
  }

  // A completed purchase by buyer_.
  Purchase Buy() {
    auto r = PostOrder(OrderBody(buyer_, kProductId));
    Purchase p;
    if (!r.ok() || r->status != 201) {
      ADD_FAILURE() << "buy: " << (r.ok() ? r->body : r.status().ToString());
      return p;
    }
    boost::json::value v = boost::json::parse(r->body);
    p.transaction_id = std::string(v.at("transaction_id").as_string());
    p.url = std::string(v.at("download_url").as_string());
    p.token = p.url.substr(p.url.find("?token=") + 7);
    return p;
  }

  std::string UrlOf(const std::string& transaction_id, const std::string& token) {
    return roles_->Url("delivery") + "/v1/downloads/" + transaction_id + "?token=" + token;
  }

  // The buyer's signed GET of `url`, as `signer` at `clock`'s time.
  Result<http::ClientResponse> Download(const std::string& url,
                                        const protocol::Identity& signer, const Clock& clock) {
    auto headers = protocol::SignDownloadRequest(url, signer, clock);
    if (!headers.ok()) return headers.status();
    http::ClientRequest request = http::ClientRequest::Get(url);
    for (auto& [name, value] : *headers) request.headers.Set(name, value);
    return client_.SendBlocking(std::move(request));
  }
  Result<http::ClientResponse> Download(const std::string& url) {
    return Download(url, buyer_, SystemClock::Instance());
  }

  // Waits (bounded) until the clearinghouse has recorded `n` purchases: the
  // delivery node reports a completion after the last byte, asynchronously.
  void WaitForPurchases(int64_t n) {
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (roles_->Count("clearinghouse", "purchases") < n) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "completion never recorded";
      std::this_thread::sleep_for(10ms);
    }
  }

  static FourRoles* roles_;
  static bool started_;
  static int next_key_;
  http::Client client_{{.total_timeout = 10s, .max_attempts = 1}};
  protocol::Identity buyer_ = protocol::Identity::Generate(SystemRandom::Instance());
};

FourRoles* BadInputTest::roles_ = nullptr;
bool BadInputTest::started_ = false;
int BadInputTest::next_key_ = 0;

TEST_F(BadInputTest, ExpiredToken) {
  Purchase p = Buy();
  ASSERT_FALSE(p.token.empty());
  // The clearinghouse's own key signs the same claims, expired two hours ago:
  // with the verifiers' 60 s leeway, a real short token_ttl would cost a minute.
  auto claims = protocol::ReadDeliveryTokenUnverified(p.token);
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  claims->issued_at = SystemClock::Instance().Now() - 3h;
  claims->expires_at = SystemClock::Instance().Now() - 2h;
  std::string expired =
      protocol::SignDeliveryToken(*claims, roles_->clearinghouse_identity().ed25519());
  std::string before = StateOf(*roles_);
  std::string message = ExpectClearError(Download(UrlOf(p.transaction_id, expired)), 401);
  EXPECT_NE(std::string::npos, message.find("expire")) << message;
  EXPECT_EQ(before, StateOf(*roles_));
}

TEST_F(BadInputTest, AnotherTransactionsToken) {
  Purchase a = Buy();
  Purchase b = Buy();
  ASSERT_FALSE(a.token.empty() || b.token.empty());
  std::string before = StateOf(*roles_);
  ExpectClearError(Download(UrlOf(a.transaction_id, b.token)), 403);
  ExpectClearError(Download(UrlOf(b.transaction_id, a.token)), 403);
  EXPECT_EQ(before, StateOf(*roles_));
}

TEST_F(BadInputTest, SignedByAnotherKey) {
  Purchase p = Buy();
  ASSERT_FALSE(p.url.empty());
  protocol::Identity other = protocol::Identity::Generate(SystemRandom::Instance());
  std::string before = StateOf(*roles_);
  ExpectClearError(Download(p.url, other, SystemClock::Instance()), 403);
  EXPECT_EQ(before, StateOf(*roles_));
}

TEST_F(BadInputTest, StaleSignature) {
  Purchase p = Buy();
  ASSERT_FALSE(p.url.empty());
  FakeClock ten_minutes_ago(SystemClock::Instance().NowUnixSeconds() - 600);
  std::string before = StateOf(*roles_);
  ExpectClearError(Download(p.url, buyer_, ten_minutes_ago), 401);
  EXPECT_EQ(before, StateOf(*roles_));
}

TEST_F(BadInputTest, ReplayBeyondTheDownloadLimit) {
  Purchase p = Buy();
  ASSERT_FALSE(p.url.empty());
  int64_t purchases = roles_->Count("clearinghouse", "purchases");
  for (int i = 0; i < kLimit; ++i) {
    auto r = Download(p.url);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(200, r->status) << r->body;
  }
  ASSERT_NO_FATAL_FAILURE(WaitForPurchases(purchases + kLimit));
  std::string before = StateOf(*roles_);
  std::string message = ExpectClearError(Download(p.url), 403);
  EXPECT_NE(std::string::npos, message.find("download limit")) << message;
  EXPECT_EQ(before, StateOf(*roles_));
}

TEST_F(BadInputTest, TamperedUrl) {
  Purchase p = Buy();
  ASSERT_FALSE(p.url.empty());
  auto flip = [](std::string s, size_t at) {
    s[at] = s[at] == 'a' ? 'b' : 'a';
    return s;
  };
  std::string before = StateOf(*roles_);
  // A byte of the signed payload, and of the signature itself.
  ExpectClearError(Download(UrlOf(p.transaction_id, flip(p.token, 20))), 401);
  ExpectClearError(Download(UrlOf(p.transaction_id, flip(p.token, p.token.size() - 10))), 401);
  // The transaction id: the token is for another one.
  ExpectClearError(Download(UrlOf(flip(p.transaction_id, 5), p.token)), 403);
  EXPECT_EQ(before, StateOf(*roles_));
}

TEST_F(BadInputTest, MalformedJson) {
  std::string before = StateOf(*roles_);
  ExpectClearError(PostOrder(R"({"product_id":)"), 400);
  ExpectClearError(PostOrder("[1,2"), 400);
  EXPECT_EQ(before, StateOf(*roles_));
}

TEST_F(BadInputTest, OversizedBody) {
  std::string body = OrderBody(buyer_, kProductId);
  body.insert(body.size() - 1, R"(,"padding":")" + std::string(17 * 1024, 'x') + "\"");
  std::string before = StateOf(*roles_);
  ExpectClearError(PostOrder(body), 413);
  EXPECT_EQ(before, StateOf(*roles_));
}

TEST_F(BadInputTest, UnknownProduct) {
  std::string before = StateOf(*roles_);
  ExpectClearError(PostOrder(OrderBody(buyer_, kMissingProductId)), 404);
  EXPECT_EQ(before, StateOf(*roles_));
}

// The merchant's price comes from its cached catalog (catalog_ttl); the
// clearinghouse raises its wholesale price above it meanwhile. The merchant
// refuses before authorizing: no money moves.
TEST_F(BadInputTest, AmountBelowWholesale) {
  FourRoles roles;
  ASSERT_NO_FATAL_FAILURE(roles.Init({.product_size = 4096, .merchant_settings =
                                                                "catalog_ttl = \"1h\"\n"}));
  ASSERT_NO_FATAL_FAILURE(roles.StartAll());
  auto [code, catalog] = roles.Cli({"catalog", roles.Url("merchant")});
  ASSERT_EQ(0, code) << catalog;
  ASSERT_NE(std::string::npos, catalog.find("9.10 EUR")) << catalog;
  roles.WriteClearinghouseConfig(1000);
  ASSERT_NO_FATAL_FAILURE(roles.Restart("clearinghouse"));

  std::string payment_before = roles.Query("payment", "SELECT COUNT(*) FROM authorizations;");
  std::string paid_before = roles.Query("clearinghouse", "SELECT COUNT(*) FROM payments;");
  auto r = client_.SendBlocking(
      http::ClientRequest::Json("POST", roles.Url("merchant") + "/v1/orders",
                                OrderBody(buyer_, kProductId))
          .WithHeader("Idempotency-Key", "below-wholesale"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->status >= 400 && r->status < 500) << r->status << " " << r->body;
  std::string message = ExpectClearError(r, r->status);
  EXPECT_NE(std::string::npos, message.find("wholesale")) << message;
  EXPECT_EQ(payment_before, roles.Query("payment", "SELECT COUNT(*) FROM authorizations;"));
  EXPECT_EQ(paid_before, roles.Query("clearinghouse", "SELECT COUNT(*) FROM payments;"));
  // What does change: the merchant keeps the failed order (to answer a replay
  // of its Idempotency-Key) and the clearinghouse the unpaid reservation,
  // which expires.
  EXPECT_EQ("failed\n", roles.Query("merchant", "SELECT status FROM orders;"));
}

}  // namespace
}  // namespace backline
