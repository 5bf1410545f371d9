// The clearinghouse on a real http::Server (127.0.0.1, port 0) with its
// SQLite database in a temp dir, driven through http::Client exactly as a
// merchant (sealed messages) and a delivery node (RFC 9421 signatures) would.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "base/bytes.h"
#include "clearinghouse/clearinghouse_role.h"
#include "clearinghouse/content_store.h"
#include "http/client.h"
#include "http/error.h"
#include "http/server.h"
#include "protocol/json_fields.h"
#include "protocol/request_signing.h"
#include "protocol/sealed.h"

namespace backline::clearinghouse {
namespace {

using http::ClientRequest;
using protocol::Identity;
using std::chrono::seconds;

constexpr std::string_view kProductId = "gvajek75ywivwrnguworn4wwgi";
const std::string kContent = "the album, as bytes: " + std::string(5000, 'x');

std::string MakeTempDir() {
  std::string templ = ::testing::TempDir() + "backline_ch_XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) return {};
  return templ;
}

class ClearinghouseHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir();
    ASSERT_FALSE(dir_.empty());
    std::ofstream(dir_ + "/album.bin", std::ios::binary) << kContent;
    Config config;
    config.Set("clearinghouse.data_dir", dir_ + "/data");
    config.Set("clearinghouse.content_dir", dir_ + "/content");
    config.Set("clearinghouse.merchants.0.id", "merchant-1");
    config.Set("clearinghouse.merchants.0.x25519", Base64UrlEncode(m1_.public_keys().x25519));
    config.Set("clearinghouse.merchants.1.id", "merchant-2");
    config.Set("clearinghouse.merchants.1.x25519", Base64UrlEncode(m2_.public_keys().x25519));
    config.Set("clearinghouse.delivery_nodes.0.id", "node-1");
    config.Set("clearinghouse.delivery_nodes.0.ed25519",
               Base64UrlEncode(node_.public_keys().ed25519));
    config.Set("clearinghouse.delivery_nodes.0.url", "http://127.0.0.1:9/");
    config.Set("clearinghouse.payment_ed25519", Base64UrlEncode(authority_.public_keys().ed25519));
    config.Set("clearinghouse.products.0.id", std::string(kProductId));
    config.Set("clearinghouse.products.0.title", "An Album");
    config.Set("clearinghouse.products.0.file", dir_ + "/album.bin");
    config.Set("clearinghouse.products.0.wholesale_amount", "700");
    config.Set("clearinghouse.products.0.currency", "EUR");
    // The port is known only after Listen; the node signs the URL it used,
    // and that is what we rebuild from the Host header.
    auto role = ClearinghouseRole::Create(config, clock_, SystemRandom::Instance());
    ASSERT_TRUE(role.ok()) << role.status().ToString();
    role_ = std::move(*role);
    http::Router router;
    role_->RegisterRoutes(router);
    http::ServerOptions options;
    options.name = "ch";
    options.threads = 4;
    server_ = std::make_unique<http::Server>(std::move(router), options);
    auto port = server_->Listen("127.0.0.1", 0);
    ASSERT_TRUE(port.ok());
    base_ = "http://127.0.0.1:" + std::to_string(*port);
    ch_x25519_ = role_->public_keys().x25519;
  }
  void TearDown() override {
    if (server_) server_->Stop(seconds(5));
    server_.reset();
    role_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Seals `message` as `sender`, posts it, opens the answer. Errors come
  // back as the Status of the JSON error body.
  Result<boost::json::object> SealedPost(const Identity& me, const std::string& sender,
                                         std::string_view type, std::string_view answer_type,
                                         const std::string& path,
                                         const boost::json::object& message) {
    std::string line = protocol::RequestLine("POST", path);
    BL_ASSIGN_OR_RETURN(protocol::Sealed out,
                        protocol::SealMessage(type, line, message, sender, me.x25519(),
                                              ch_x25519_, SystemRandom::Instance()));
    BL_ASSIGN_OR_RETURN(http::ClientResponse r,
                        client_.SendBlocking(ClientRequest::Json(
                            "POST", base_ + path, protocol::SerializeJson(out.envelope))));
    if (r.status != 200) return http::StatusFromResponse(r.status, r.body);
    BL_ASSIGN_OR_RETURN(boost::json::object envelope,
                        protocol::ParseJsonObject(r.body, "answer"));
    auto lookup = [&](std::string_view) -> Result<crypto::X25519PublicKey> { return ch_x25519_; };
    BL_ASSIGN_OR_RETURN(protocol::Opened in,
                        protocol::OpenMessage(envelope, answer_type, line, me.x25519(), lookup,
                                              out.enc));
    return in.message;
  }

  Result<protocol::Reservation> Reserve(const Identity* me = nullptr, const std::string& sender = "",
                                        std::optional<Id> request_id = {},
                                        std::string_view product = kProductId) {
    protocol::ReservationRequest req{request_id.value_or(Id::Random(SystemRandom::Instance())),
                                     *protocol::ParseId(product),
                                     protocol::BindingDigest(buyer_.public_keys()),
                                     {1299, "EUR"}};
    BL_ASSIGN_OR_RETURN(auto answer,
                        SealedPost(me == nullptr ? m1_ : *me, sender.empty() ? "merchant-1" : sender,
                                   protocol::kReservationRequestType, protocol::kReservationType,
                                   std::string(protocol::kReservationsPath), req.ToJson()));
    return protocol::Reservation::FromJson(answer);
  }

  std::string AuthToken(protocol::Money amount, const std::string& merchant = "merchant-1",
                        const crypto::Ed25519KeyPair* key = nullptr) {
    Clock::TimePoint now = clock_.Now();
    return protocol::SignPaymentAuthorization(
        {Id::Random(SystemRandom::Instance()), amount, merchant, now, now + std::chrono::days(7)},
        key != nullptr ? *key : authority_.ed25519());
  }

  Result<protocol::PaymentAck> Pay(const Id& txn, const std::string& token,
                                   std::optional<Id> request_id = {}) {
    protocol::PaymentRequest req{request_id.value_or(Id::Random(SystemRandom::Instance())), token};
    BL_ASSIGN_OR_RETURN(auto answer,
                        SealedPost(m1_, "merchant-1", protocol::kPaymentRequestType,
                                   protocol::kPaymentAckType, protocol::PaymentPath(txn),
                                   req.ToJson()));
    return protocol::PaymentAck::FromJson(answer);
  }

  Result<protocol::ReservationReleased> Release(const Id& txn, std::optional<Id> request_id = {},
                                                const Identity* me = nullptr,
                                                const std::string& sender = "merchant-1",
                                                std::optional<Id> body_txn = {}) {
    protocol::ReservationRelease req{request_id.value_or(Id::Random(SystemRandom::Instance())),
                                     body_txn.value_or(txn)};
    BL_ASSIGN_OR_RETURN(auto answer,
                        SealedPost(me == nullptr ? m1_ : *me, sender,
                                   protocol::kReservationReleaseType,
                                   protocol::kReservationReleasedType, protocol::ReleasePath(txn),
                                   req.ToJson()));
    return protocol::ReservationReleased::FromJson(answer);
  }

  // A POST signed as a delivery node.
  Result<boost::json::object> SignedPost(const std::string& path, const boost::json::object& body,
                                         const Identity* key = nullptr,
                                         const std::string& keyid = "node-1") {
    std::string text = protocol::SerializeJson(body);
    std::string url = base_ + path;
    BL_ASSIGN_OR_RETURN(auto headers,
                        protocol::SignServiceRequest("POST", url, AsBytes(text),
                                                     (key ? *key : node_).ed25519(), keyid,
                                                     clock_));
    ClientRequest request = ClientRequest::Json("POST", url, text);
    for (auto& [name, value] : headers) request.WithHeader(name, value);
    BL_ASSIGN_OR_RETURN(http::ClientResponse r, client_.SendBlocking(std::move(request)));
    if (r.status != 200) return http::StatusFromResponse(r.status, r.body);
    return protocol::ParseJsonObject(r.body, "answer");
  }

  Result<protocol::DeliveryClaim> Claim(const Id& txn, const std::string& token) {
    protocol::DeliveryClaimRequest req{Id::Random(SystemRandom::Instance()), txn, token};
    BL_ASSIGN_OR_RETURN(auto answer, SignedPost(std::string(protocol::kDeliveriesPath),
                                                req.ToJson()));
    return protocol::DeliveryClaim::FromJson(answer);
  }

  Status Complete(const protocol::DeliveryClaim& claim) {
    protocol::CompletionRequest req{claim.delivery_id, claim.transaction_id,
                                    crypto::Sha256(AsBytes(kContent)),
                                    static_cast<int64_t>(kContent.size()), clock_.Now()};
    return SignedPost(protocol::CompletionPath(claim.delivery_id), req.ToJson()).status();
  }

  // A paid transaction and its delivery token.
  std::pair<Id, std::string> Paid() {
    Result<protocol::Reservation> res = Reserve();
    EXPECT_TRUE(res.ok()) << res.status().ToString();
    Result<protocol::PaymentAck> ack = Pay(res->transaction_id, AuthToken({1299, "EUR"}));
    EXPECT_TRUE(ack.ok()) << ack.status().ToString();
    return {res->transaction_id, ack->delivery_token};
  }

  // Row counts of every table: a failed request must leave them all alone.
  std::vector<int64_t> State() {
    std::vector<int64_t> out;
    for (auto table : {"transactions", "payments", "sealed_requests", "deliveries", "purchases"}) {
      out.push_back(role_->service().store().CountRows(table).value());
    }
    return out;
  }

  FakeClock clock_{1'790'000'000};
  Identity m1_ = Identity::Generate(SystemRandom::Instance());
  Identity m2_ = Identity::Generate(SystemRandom::Instance());
  Identity node_ = Identity::Generate(SystemRandom::Instance());
  Identity authority_ = Identity::Generate(SystemRandom::Instance());
  Identity buyer_ = Identity::Generate(SystemRandom::Instance());
  std::string dir_;
  std::unique_ptr<ClearinghouseRole> role_;
  std::unique_ptr<http::Server> server_;
  std::string base_;
  crypto::X25519PublicKey ch_x25519_{};
  http::Client client_;
};

TEST_F(ClearinghouseHttpTest, OnePurchaseEndToEnd) {
  // Keys and inventory.
  auto keys = client_.SendBlocking(ClientRequest::Get(base_ + "/v1/keys"));
  ASSERT_TRUE(keys.ok());
  EXPECT_NE(std::string::npos,
            keys->body.find(Base64UrlEncode(role_->public_keys().ed25519)));
  auto inv = SealedPost(m1_, "merchant-1", protocol::kInventoryRequestType,
                        protocol::kInventoryType, std::string(protocol::kInventoryPath),
                        protocol::InventoryRequest{Id::Random(SystemRandom::Instance())}.ToJson());
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  auto inventory = protocol::Inventory::FromJson(*inv);
  ASSERT_EQ(1u, inventory->products.size());
  EXPECT_EQ("An Album", inventory->products[0].title);
  EXPECT_EQ((protocol::Money{700, "EUR"}), inventory->products[0].wholesale);
  EXPECT_EQ(3, inventory->products[0].download_limit);

  // Reservation (claims 11-12).
  auto res = Reserve();
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ((protocol::Money{700, "EUR"}), res->wholesale);
  EXPECT_EQ(clock_.Now() + std::chrono::minutes(15), res->expires_at);

  // Payment (claim 16) -> delivery token and URL.
  auto ack = Pay(res->transaction_id, AuthToken({1299, "EUR"}));
  ASSERT_TRUE(ack.ok()) << ack.status().ToString();
  auto claims = protocol::VerifyDeliveryToken(ack->delivery_token, role_->public_keys().ed25519,
                                              clock_, {.transaction_id = res->transaction_id});
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ(crypto::Sha256(AsBytes(kContent)), claims->content_sha256);
  EXPECT_EQ(static_cast<int64_t>(kContent.size()), claims->content_size);
  EXPECT_EQ(protocol::BindingDigest(buyer_.public_keys()), claims->binding);
  EXPECT_EQ(3, claims->limit);
  auto url = protocol::ParseDownloadUrl(ack->download_url);
  ASSERT_TRUE(url.ok());
  EXPECT_EQ("http://127.0.0.1:9", url->base);
  // The content store holds the product under its digest.
  std::ifstream stored(ContentPath(dir_ + "/content", claims->content_sha256), std::ios::binary);
  EXPECT_EQ(kContent, std::string(std::istreambuf_iterator<char>(stored), {}));

  // Claim, complete (claims 2-3); completion is idempotent.
  auto claim = Claim(res->transaction_id, ack->delivery_token);
  ASSERT_TRUE(claim.ok()) << claim.status().ToString();
  EXPECT_EQ(clock_.Now() + std::chrono::hours(1), claim->lease_expires_at);
  ASSERT_TRUE(Complete(*claim).ok());
  ASSERT_TRUE(Complete(*claim).ok());
  auto purchases = role_->recorder().List();
  ASSERT_EQ(1u, purchases->size());
  EXPECT_EQ(claim->delivery_id, (*purchases)[0].delivery_id);
  EXPECT_EQ("merchant-1", (*purchases)[0].merchant_id);
  EXPECT_EQ("node-1", (*purchases)[0].delivery_node_id);
  EXPECT_EQ(700, (*purchases)[0].wholesale_amount);

  // A fresh URL through the merchant (claims 22-23).
  auto again = SealedPost(m1_, "merchant-1", protocol::kDeliveryRequestType,
                          protocol::kDeliveryAckType,
                          std::string(protocol::kDeliveryRequestsPath),
                          protocol::DeliveryRequest{Id::Random(SystemRandom::Instance()),
                                                    res->transaction_id}
                              .ToJson());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(protocol::DeliveryAck::FromJson(*again).ok());
  // ... but never for another merchant's transaction.
  auto other = SealedPost(m2_, "merchant-2", protocol::kDeliveryRequestType,
                          protocol::kDeliveryAckType,
                          std::string(protocol::kDeliveryRequestsPath),
                          protocol::DeliveryRequest{Id::Random(SystemRandom::Instance()),
                                                    res->transaction_id}
                              .ToJson());
  EXPECT_EQ(StatusCode::kNotFound, other.status().code());
}

TEST_F(ClearinghouseHttpTest, ReplaysGetTheStoredAnswer) {
  Id request_id = Id::Random(SystemRandom::Instance());
  auto first = Reserve(nullptr, "", request_id);
  auto second = Reserve(nullptr, "", request_id);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->transaction_id, second->transaction_id);
  std::string token = AuthToken({1299, "EUR"});
  Id pay_id = Id::Random(SystemRandom::Instance());
  auto ack1 = Pay(first->transaction_id, token, pay_id);
  auto ack2 = Pay(first->transaction_id, token, pay_id);
  ASSERT_TRUE(ack1.ok() && ack2.ok());
  EXPECT_EQ(ack1->delivery_token, ack2->delivery_token);
  EXPECT_EQ(std::vector<int64_t>({1, 1, 2, 0, 0}), State());
}

TEST_F(ClearinghouseHttpTest, BadRequestsChangeNothing) {
  auto [paid_txn, paid_token] = Paid();
  auto open = Reserve();
  ASSERT_TRUE(open.ok());
  const Id txn = open->transaction_id;
  const std::vector<int64_t> before = State();
  auto expect = [&](StatusCode code, const Status& got, std::string_view what) {
    EXPECT_EQ(code, got.code()) << what << ": " << got.ToString();
    EXPECT_FALSE(got.message().empty()) << what;
    EXPECT_EQ(before, State()) << what;
  };
  expect(StatusCode::kNotFound, Reserve(nullptr, "", {}, "aaaaaaaaaaaaaaaaaaaaaaaaaa").status(),
         "unknown product");
  expect(StatusCode::kInvalidArgument, Pay(txn, AuthToken({699, "EUR"})).status(),
         "amount below wholesale");
  expect(StatusCode::kInvalidArgument, Pay(txn, AuthToken({5000, "USD"})).status(),
         "wrong currency");
  expect(StatusCode::kPermissionDenied, Pay(txn, AuthToken({1299, "EUR"}, "merchant-2")).status(),
         "token from another merchant");
  expect(StatusCode::kUnauthenticated,
         Pay(txn, AuthToken({1299, "EUR"}, "merchant-1", &buyer_.ed25519())).status(),
         "forged authorization");
  // Replayed request_id with other content.
  Id rid = Id::Random(SystemRandom::Instance());
  auto r1 = Reserve(nullptr, "", rid);
  ASSERT_TRUE(r1.ok());
  const std::vector<int64_t> after_r1 = State();
  protocol::ReservationRequest other{rid, *protocol::ParseId(kProductId),
                                     protocol::BindingDigest(m2_.public_keys()), {1299, "EUR"}};
  auto conflict = SealedPost(m1_, "merchant-1", protocol::kReservationRequestType,
                             protocol::kReservationType, std::string(protocol::kReservationsPath),
                             other.ToJson());
  EXPECT_EQ(StatusCode::kConflict, conflict.status().code());
  EXPECT_EQ(after_r1, State());
  const std::vector<int64_t> base = State();
  auto expect2 = [&](StatusCode code, const Status& got, std::string_view what) {
    EXPECT_EQ(code, got.code()) << what << ": " << got.ToString();
    EXPECT_EQ(base, State()) << what;
  };
  // Delivery node side.
  protocol::DeliveryClaimRequest req{Id::Random(SystemRandom::Instance()), paid_txn, paid_token};
  expect2(StatusCode::kUnauthenticated,
          SignedPost(std::string(protocol::kDeliveriesPath), req.ToJson(), &node_, "node-9")
              .status(),
          "unknown delivery node");
  expect2(StatusCode::kUnauthenticated,
          SignedPost(std::string(protocol::kDeliveriesPath), req.ToJson(), &buyer_).status(),
          "bad service signature");
  protocol::DeliveryClaimRequest wrong{Id::Random(SystemRandom::Instance()), txn, paid_token};
  expect2(StatusCode::kPermissionDenied,
          SignedPost(std::string(protocol::kDeliveriesPath), wrong.ToJson()).status(),
          "another transaction's delivery token");
  // Expired reservation (last: it moves the clock).
  clock_.Advance(std::chrono::minutes(16));
  expect2(StatusCode::kFailedPrecondition, Pay(txn, AuthToken({1299, "EUR"})).status(),
          "expired reservation");
  // One authorization pays one transaction.
  clock_.Advance(-std::chrono::minutes(16));
  auto fresh = Reserve();
  std::string token = AuthToken({1299, "EUR"});
  ASSERT_TRUE(Pay(fresh->transaction_id, token).ok());
  auto third = Reserve();
  const std::vector<int64_t> now_state = State();
  EXPECT_EQ(StatusCode::kConflict, Pay(third->transaction_id, token).status().code());
  EXPECT_EQ(now_state, State());
}

TEST_F(ClearinghouseHttpTest, ReleaseDeletesAnUnpaidReservation) {
  // transactions, payments, sealed_requests, deliveries, purchases
  auto res = Reserve();
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(std::vector<int64_t>({1, 0, 1, 0, 0}), State());
  // Another merchant cannot release it, nor learn that it exists.
  auto foreign = Release(res->transaction_id, {}, &m2_, "merchant-2");
  ASSERT_TRUE(foreign.ok()) << foreign.status().ToString();
  EXPECT_EQ(std::vector<int64_t>({1, 0, 2, 0, 0}), State());
  // Its merchant can: the row goes.
  Id rid = Id::Random(SystemRandom::Instance());
  auto released = Release(res->transaction_id, rid);
  ASSERT_TRUE(released.ok()) << released.status().ToString();
  EXPECT_EQ(res->transaction_id, released->transaction_id);
  EXPECT_EQ("released", released->status);
  EXPECT_EQ(std::vector<int64_t>({0, 0, 3, 0, 0}), State());
  // Idempotent: a replay, and a fresh request, both say released.
  EXPECT_TRUE(Release(res->transaction_id, rid).ok());
  EXPECT_EQ(std::vector<int64_t>({0, 0, 3, 0, 0}), State());
  EXPECT_TRUE(Release(res->transaction_id).ok());
  // A released reservation cannot be paid.
  const std::vector<int64_t> before = State();
  EXPECT_EQ(StatusCode::kNotFound,
            Pay(res->transaction_id, AuthToken({1299, "EUR"})).status().code());
  EXPECT_EQ(before, State());

  // A paid transaction is not released.
  auto [paid_txn, paid_token] = Paid();
  const std::vector<int64_t> paid_state = State();
  EXPECT_EQ(StatusCode::kConflict, Release(paid_txn).status().code());
  EXPECT_EQ(paid_state, State());
  // Body and path must name the same transaction.
  auto open = Reserve();
  ASSERT_TRUE(open.ok());
  const std::vector<int64_t> open_state = State();
  EXPECT_EQ(StatusCode::kInvalidArgument,
            Release(open->transaction_id, {}, nullptr, "merchant-1", paid_txn).status().code());
  EXPECT_EQ(open_state, State());
}

TEST_F(ClearinghouseHttpTest, LimitHoldsUnderConcurrency) {
  auto [txn, token] = Paid();
  std::atomic<int> completed{0};
  std::atomic<int> denied{0};
  std::atomic<int> other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, txn = txn, token = token] {
      auto claim = Claim(txn, token);
      if (!claim.ok()) {
        (claim.status().code() == StatusCode::kPermissionDenied ? denied : other)++;
        if (claim.status().code() == StatusCode::kPermissionDenied) {
          EXPECT_NE(std::string::npos,
                    claim.status().message().find("download limit of 3 reached"));
        }
        return;
      }
      (Complete(*claim).ok() ? completed : other)++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(3, completed.load());
  EXPECT_EQ(13, denied.load());
  EXPECT_EQ(0, other.load());
  EXPECT_EQ(3u, role_->recorder().List()->size());
  EXPECT_EQ(StatusCode::kPermissionDenied, Claim(txn, token).status().code());
}

TEST_F(ClearinghouseHttpTest, ExpiredAndAbortedLeasesReturnTheirSlot) {
  auto [txn, token] = Paid();
  auto a = Claim(txn, token);
  auto b = Claim(txn, token);
  auto c = Claim(txn, token);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(StatusCode::kPermissionDenied, Claim(txn, token).status().code());
  // Abort frees one.
  ASSERT_TRUE(SignedPost(protocol::AbortPath(a->delivery_id),
                         {{"delivery_id", a->delivery_id.ToBase32()}})
                  .ok());
  auto d = Claim(txn, token);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(StatusCode::kFailedPrecondition, Complete(*a).code());
  // Leases expire after an hour: all three slots come back.
  clock_.Advance(std::chrono::hours(1) + seconds(1));
  auto e = Claim(txn, token);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ASSERT_TRUE(Complete(*e).ok());
  // b's lease expired but a slot is still free: its late completion counts.
  ASSERT_TRUE(Complete(*b).ok());
  auto f = Claim(txn, token);
  ASSERT_TRUE(f.ok());
  // Now completed (e, b) + active (f) = 3: c's late completion is refused.
  EXPECT_EQ(StatusCode::kFailedPrecondition, Complete(*c).code());
  EXPECT_EQ(2u, role_->recorder().List()->size());
}

}  // namespace
}  // namespace backline::clearinghouse
