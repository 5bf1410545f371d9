// The merchant on a real http::Server (127.0.0.1, port 0) with its SQLite
// store in a temp dir, calling the REAL payment authority (PaymentRole on its
// own server) and a small clearinghouse stand-in (FakeClearinghouse below)
// that opens and seals with the real protocol module and verifies the
// authority's real tokens. The stand-in lets tests make the clearinghouse
// fail on purpose (down, a higher wholesale price at payment time).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "base/bytes.h"
#include "http/client.h"
#include "http/error.h"
#include "http/json.h"
#include "http/server.h"
#include "merchant/merchant_role.h"
#include "payment/payment_role.h"
#include "protocol/json_fields.h"
#include "protocol/sealed.h"

namespace backline::merchant {
namespace {

using http::ClientRequest;
using http::ClientResponse;
using http::Request;
using http::Response;

constexpr std::string_view kApproved = "4242424242424242";
constexpr std::string_view kDeclined = "4000000000000002";
constexpr std::string_view kCvc = "8190";

std::string MakeTempDir(const std::string& name) {
  std::string templ = ::testing::TempDir() + name + "_XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) return {};
  return templ;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

boost::json::object Json(const std::string& body) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) {
    ADD_FAILURE() << "not a JSON object: " << body;
    return {};
  }
  return v.as_object();
}

// A clearinghouse that sells one product, keeps its state in memory and
// answers with the real sealed messages.
class FakeClearinghouse {
 public:
  FakeClearinghouse(crypto::Ed25519PublicKey authority, Clock& clock)
      : identity_(protocol::Identity::Generate(SystemRandom::Instance())),
        authority_(authority),
        clock_(clock),
        product_(Id::Random(SystemRandom::Instance())) {
    http::Router router;
    router.Post("/v1/inventory", [this](const Request& r) { return Inventory(r); });
    router.Post("/v1/reservations", [this](const Request& r) { return Reserve(r); });
    router.Post("/v1/transactions/{id}/payment", [this](const Request& r) { return Pay(r); });
    router.Post("/v1/delivery-requests", [this](const Request& r) { return Deliver(r); });
    router.Post("/v1/transactions/{id}/release", [this](const Request& r) { return Release(r); });
    server_ = std::make_unique<http::Server>(std::move(router));
    port_ = *server_->Listen("127.0.0.1", 0);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const protocol::Identity& identity() const { return identity_; }
  const Id& product() const { return product_; }
  void SetMerchantKey(const crypto::X25519PublicKey& key) {
    std::lock_guard<std::mutex> lock(mu_);
    merchant_key_ = key;
  }

  // Knobs.
  std::atomic<bool> payment_down{false};            // 503 on payment requests
  std::atomic<int64_t> payment_wholesale{1000};     // what a payment must cover
  // Observations.
  size_t reservations() {
    std::lock_guard<std::mutex> lock(mu_);
    return reservations_.size();
  }
  size_t payments() {
    std::lock_guard<std::mutex> lock(mu_);
    return paid_.size();
  }
  // Reservations neither paid nor released.
  size_t open_transactions() {
    std::lock_guard<std::mutex> lock(mu_);
    size_t n = 0;
    for (const auto& [id, res] : transactions_) n += paid_.contains(id) ? 0 : 1;
    return n;
  }
  size_t releases() {
    std::lock_guard<std::mutex> lock(mu_);
    return released_.size();
  }

 private:
  // Opens `r` as `type`, runs `fn` on the plaintext, seals its answer.
  template <typename Fn>
  Response Handle(const Request& r, std::string_view type, std::string_view answer_type,
                  Fn fn) {
    Result<boost::json::value> body = http::ParseJsonBody(r);
    if (!body.ok()) return http::ErrorResponse(body.status());
    crypto::X25519PublicKey merchant{};
    {
      std::lock_guard<std::mutex> lock(mu_);
      merchant = merchant_key_;
    }
    const std::string line = protocol::RequestLine("POST", r.path);
    Result<protocol::Opened> in = protocol::OpenMessage(
        *body, type, line, identity_.x25519(),
        [merchant](std::string_view sender) -> Result<crypto::X25519PublicKey> {
          if (sender != "merchant-1") return NotFound("unknown");
          return merchant;
        });
    if (!in.ok()) return http::ErrorResponse(in.status());
    Result<boost::json::object> answer = fn(in->message);
    if (!answer.ok()) return http::ErrorResponse(answer.status());
    Result<protocol::Sealed> out =
        protocol::SealMessage(answer_type, line, *answer, "clearinghouse", identity_.x25519(),
                              merchant, SystemRandom::Instance(), in->enc);
    if (!out.ok()) return http::ErrorResponse(out.status());
    return http::JsonResponse(200, out->envelope);
  }

  Response Inventory(const Request& r) {
    return Handle(r, protocol::kInventoryRequestType, protocol::kInventoryType,
                  [&](const boost::json::object&) -> Result<boost::json::object> {
                    protocol::Inventory inv;
                    inv.products.push_back({product_, "Song", {1000, "EUR"}, 3});
                    inv.products.push_back(
                        {Id::Random(SystemRandom::Instance()), "Dollars", {500, "USD"}, 1});
                    return inv.ToJson();
                  });
  }

  Response Reserve(const Request& r) {
    return Handle(
        r, protocol::kReservationRequestType, protocol::kReservationType,
        [&](const boost::json::object& m) -> Result<boost::json::object> {
          BL_ASSIGN_OR_RETURN(protocol::ReservationRequest req,
                              protocol::ReservationRequest::FromJson(m));
          if (req.product_id != product_) return NotFound("unknown product");
          std::lock_guard<std::mutex> lock(mu_);
          auto [it, inserted] = reservations_.try_emplace(req.request_id.ToBase32());
          if (inserted) {
            it->second = {Id::Random(SystemRandom::Instance()), req.product_id, req.binding,
                          clock_.Now() + std::chrono::minutes(15), {1000, "EUR"}};
            transactions_[it->second.transaction_id] = it->second;
          }
          return it->second.ToJson();
        });
  }

  Response Pay(const Request& r) {
    if (payment_down) return http::ErrorResponse(Unavailable("clearinghouse is down"));
    Result<Id> txn = protocol::ParseId(r.PathParam("id"));
    if (!txn.ok()) return http::ErrorResponse(NotFound("no transaction"));
    return Handle(
        r, protocol::kPaymentRequestType, protocol::kPaymentAckType,
        [&](const boost::json::object& m) -> Result<boost::json::object> {
          BL_ASSIGN_OR_RETURN(protocol::PaymentRequest req, protocol::PaymentRequest::FromJson(m));
          BL_ASSIGN_OR_RETURN(protocol::PaymentAuthorizationClaims claims,
                              protocol::VerifyPaymentAuthorization(req.authorization_token,
                                                                   authority_, clock_));
          if (claims.amount.amount < payment_wholesale) {
            return InvalidArgument("the authorized amount is below the wholesale price");
          }
          std::lock_guard<std::mutex> lock(mu_);
          if (!transactions_.contains(*txn)) return NotFound("no transaction");
          paid_.insert(*txn);
          return protocol::PaymentAck{*txn, "token-1",
                                      protocol::DownloadUrl("http://delivery", *txn, "token-1")}
              .ToJson();
        });
  }

  Response Release(const Request& r) {
    Result<Id> txn = protocol::ParseId(r.PathParam("id"));
    if (!txn.ok()) return http::ErrorResponse(NotFound("no transaction"));
    return Handle(r, protocol::kReservationReleaseType, protocol::kReservationReleasedType,
                  [&](const boost::json::object& m) -> Result<boost::json::object> {
                    BL_ASSIGN_OR_RETURN(protocol::ReservationRelease req,
                                        protocol::ReservationRelease::FromJson(m));
                    if (req.transaction_id != *txn) return InvalidArgument("path and body differ");
                    std::lock_guard<std::mutex> lock(mu_);
                    if (paid_.contains(*txn)) return Conflict("paid");
                    transactions_.erase(*txn);
                    released_.insert(*txn);
                    return protocol::ReservationReleased{*txn}.ToJson();
                  });
  }

  Response Deliver(const Request& r) {
    return Handle(r, protocol::kDeliveryRequestType, protocol::kDeliveryAckType,
                  [&](const boost::json::object& m) -> Result<boost::json::object> {
                    BL_ASSIGN_OR_RETURN(protocol::DeliveryRequest req,
                                        protocol::DeliveryRequest::FromJson(m));
                    std::lock_guard<std::mutex> lock(mu_);
                    if (!paid_.contains(req.transaction_id)) return NotFound("not paid");
                    return protocol::DeliveryAck{req.transaction_id,
                                                 protocol::DownloadUrl("http://delivery",
                                                                       req.transaction_id,
                                                                       "token-2")}
                        .ToJson();
                  });
  }

  protocol::Identity identity_;
  crypto::Ed25519PublicKey authority_;
  Clock& clock_;
  Id product_;
  std::mutex mu_;
  crypto::X25519PublicKey merchant_key_{};
  std::map<std::string, protocol::Reservation> reservations_;
  std::map<Id, protocol::Reservation> transactions_;
  std::set<Id> paid_;
  std::set<Id> released_;
  std::unique_ptr<http::Server> server_;
  uint16_t port_ = 0;
};

class MerchantHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("backline_merchant");
    Config config;
    config.Set("payment.data_dir", dir_ + "/payment");
    payment_ = std::move(*payment::PaymentRole::Create(config, clock_, random_));
    http::Router router;
    payment_->RegisterRoutes(router);
    payment_server_ = std::make_unique<http::Server>(std::move(router));
    payment_url_ = "http://127.0.0.1:" + std::to_string(*payment_server_->Listen("127.0.0.1", 0));
    clearinghouse_ = std::make_unique<FakeClearinghouse>(payment_->public_key(), clock_);
    StartMerchant({});
  }
  void TearDown() override {
    StopMerchant();
    clearinghouse_.reset();
    payment_server_.reset();
    payment_.reset();
    std::filesystem::remove_all(dir_);
  }

  void StartMerchant(std::function<bool(OrderStatus)> stop_after) {
    MerchantRoleOptions options;
    options.data_dir = dir_ + "/merchant";
    std::filesystem::create_directories(options.data_dir);
    options.clearinghouse_url = clearinghouse_->url();
    options.clearinghouse_x25519 = clearinghouse_->identity().public_keys().x25519;
    options.payment_url = payment_url_;
    options.service.stop_after_for_testing = std::move(stop_after);
    options.client.total_timeout = std::chrono::seconds(5);
    Result<std::unique_ptr<MerchantRole>> role = MerchantRole::Open(options, clock_, random_);
    ASSERT_TRUE(role.ok()) << role.status().ToString();
    merchant_ = std::move(*role);
    clearinghouse_->SetMerchantKey(merchant_->public_keys().x25519);
    http::Router router;
    merchant_->RegisterRoutes(router);
    merchant_server_ = std::make_unique<http::Server>(std::move(router));
    url_ = "http://127.0.0.1:" + std::to_string(*merchant_server_->Listen("127.0.0.1", 0));
  }
  // As if the process died: the server and the role go, the files stay.
  void StopMerchant() {
    merchant_server_.reset();
    merchant_.reset();
  }

  std::string OrderBody(std::string_view card, std::optional<Id> product = std::nullopt) {
    protocol::OrderRequest r;
    r.product_id = product.value_or(clearinghouse_->product());
    r.buyer = buyer_.public_keys();
    r.payment = {std::string(card), 12, 2030, std::string(kCvc)};
    return protocol::SerializeJson(r.ToJson());
  }
  ClientResponse Post(const std::string& path, std::string body, std::string key = "") {
    ClientRequest request = ClientRequest::Json("POST", url_ + path, std::move(body));
    if (!key.empty()) request.WithHeader("Idempotency-Key", key);
    Result<ClientResponse> r = client_.SendBlocking(std::move(request));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ClientResponse{};
  }
  ClientResponse Get(const std::string& path) {
    Result<ClientResponse> r = client_.SendBlocking(ClientRequest::Get(url_ + path));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ClientResponse{};
  }
  // The authority's view of the order's authorization.
  std::string AuthorizationStatus(const std::string& key) {
    Result<Order> order = merchant_->service().GetOrderByKey(key);
    if (!order.ok() || !order->authorization_id.has_value()) return "none";
    Result<ClientResponse> r = client_.SendBlocking(ClientRequest::Get(
        payment_url_ + "/v1/authorizations/" + *order->authorization_id +
        "?merchant_id=merchant-1"));
    if (!r.ok()) return "unreachable";
    return std::string(Json(r->body)["status"].as_string());
  }
  // Card numbers and the CVC anywhere in the merchant's files.
  std::vector<std::string> CardLeaks() {
    std::vector<std::string> leaks;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_ + "/merchant")) {
      if (!entry.is_regular_file()) continue;
      std::string bytes = ReadFile(entry.path());
      for (std::string_view needle : {kApproved, kDeclined, kCvc}) {
        if (bytes.find(needle) != std::string::npos) {
          leaks.push_back(std::string(needle) + " in " + entry.path().string());
        }
      }
    }
    return leaks;
  }

  SystemClock& clock_ = SystemClock::Instance();
  SystemRandom& random_ = SystemRandom::Instance();
  std::string dir_;
  std::unique_ptr<payment::PaymentRole> payment_;
  std::unique_ptr<http::Server> payment_server_;
  std::string payment_url_;
  std::unique_ptr<FakeClearinghouse> clearinghouse_;
  std::unique_ptr<MerchantRole> merchant_;
  std::unique_ptr<http::Server> merchant_server_;
  std::string url_;
  protocol::Identity buyer_ = protocol::Identity::Generate(SystemRandom::Instance());
  http::Client client_{{.total_timeout = std::chrono::seconds(10), .max_attempts = 1}};
};

TEST_F(MerchantHttpTest, CatalogShowsRetailPrices) {
  ClientResponse r = Get("/v1/catalog");
  ASSERT_EQ(r.status, 200) << r.body;
  boost::json::object o = Json(r.body);
  boost::json::array& products = o["products"].as_array();
  ASSERT_EQ(products.size(), 1u);  // the USD product is not sold by a EUR merchant
  EXPECT_EQ(products[0].at("product_id").as_string(), clearinghouse_->product().ToBase32());
  EXPECT_EQ(products[0].at("amount").as_int64(), 1300);  // 1000 + 30%
  EXPECT_EQ(products[0].at("currency").as_string(), "EUR");
}

TEST_F(MerchantHttpTest, BuysCapturesAndAnswersTheDownloadUrl) {
  ClientResponse r = Post("/v1/orders", OrderBody(kApproved), "buy-1");
  ASSERT_EQ(r.status, 201) << r.body;
  Result<protocol::OrderResponse> order = protocol::OrderResponse::FromJson(Json(r.body));
  ASSERT_TRUE(order.ok()) << order.status().ToString();
  EXPECT_EQ(order->status, OrderStatus::kCompleted);
  EXPECT_EQ(order->price, (protocol::Money{1300, "EUR"}));
  EXPECT_EQ(order->card_last4, "4242");
  ASSERT_TRUE(order->transaction_id.has_value());
  ASSERT_TRUE(order->download_url.has_value());
  Result<protocol::DownloadUrlParts> url = protocol::ParseDownloadUrl(*order->download_url);
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->transaction_id, *order->transaction_id);
  EXPECT_EQ(AuthorizationStatus("buy-1"), "captured");
  EXPECT_EQ(clearinghouse_->payments(), 1u);

  ClientResponse shown = Get("/v1/orders/" + order->order_id.ToBase32());
  ASSERT_EQ(shown.status, 200);
  EXPECT_EQ(Json(shown.body)["status"].as_string(), "completed");

  // Claims 22-23: the buyer's click goes through the merchant.
  ClientResponse again =
      Post("/v1/orders/" + order->order_id.ToBase32() + "/delivery-request", "{}");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_NE(Json(again.body)["download_url"].as_string().find("token-2"), std::string::npos);

  EXPECT_EQ(CardLeaks(), std::vector<std::string>{});
}

TEST_F(MerchantHttpTest, DeclinedCardIs402AndNothingPaid) {
  ClientResponse r = Post("/v1/orders", OrderBody(kDeclined), "buy-declined");
  ASSERT_EQ(r.status, 402) << r.body;
  Status s = http::StatusFromResponse(r.status, r.body);
  EXPECT_EQ(s.code(), StatusCode::kPaymentDeclined);
  EXPECT_NE(s.message().find("card_declined"), std::string::npos);
  EXPECT_EQ(clearinghouse_->payments(), 0u);
  // Issue 3: the reservation made before the decline is given back.
  EXPECT_EQ(clearinghouse_->reservations(), 1u);
  EXPECT_EQ(clearinghouse_->releases(), 1u);
  EXPECT_EQ(clearinghouse_->open_transactions(), 0u);
  EXPECT_EQ(AuthorizationStatus("buy-declined"), "none");
  Result<Order> order = merchant_->service().GetOrderByKey("buy-declined");
  ASSERT_TRUE(order.ok());
  EXPECT_EQ(order->status, OrderStatus::kFailed);
  // The replay gives the same answer.
  ClientResponse replay = Post("/v1/orders", OrderBody(kDeclined), "buy-declined");
  EXPECT_EQ(replay.status, 402);
  EXPECT_EQ(replay.body, r.body);
  EXPECT_EQ(CardLeaks(), std::vector<std::string>{});
}

TEST_F(MerchantHttpTest, AmountBelowWholesaleIsACleanErrorAndAVoid) {
  clearinghouse_->payment_wholesale = 5000;  // the price rose between reservation and payment
  ClientResponse r = Post("/v1/orders", OrderBody(kApproved), "buy-low");
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_NE(http::StatusFromResponse(r.status, r.body).message().find("below the wholesale"),
            std::string::npos);
  EXPECT_EQ(AuthorizationStatus("buy-low"), "voided");
  EXPECT_EQ(merchant_->service().GetOrderByKey("buy-low")->status, OrderStatus::kVoided);
}

TEST_F(MerchantHttpTest, ClearinghouseDownAfterAuthorizationVoids) {
  clearinghouse_->payment_down = true;
  ClientResponse r = Post("/v1/orders", OrderBody(kApproved), "buy-down");
  ASSERT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(AuthorizationStatus("buy-down"), "voided");
  EXPECT_EQ(clearinghouse_->payments(), 0u);
}

TEST_F(MerchantHttpTest, ReplayAndConflict) {
  ClientResponse first = Post("/v1/orders", OrderBody(kApproved), "buy-twice");
  ASSERT_EQ(first.status, 201) << first.body;
  ClientResponse second = Post("/v1/orders", OrderBody(kApproved), "buy-twice");
  EXPECT_EQ(second.status, 201);
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(clearinghouse_->reservations(), 1u);
  EXPECT_EQ(clearinghouse_->payments(), 1u);
  ClientResponse other = Post("/v1/orders", OrderBody("5555555555554444"), "buy-twice");
  EXPECT_EQ(other.status, 409) << other.body;
  EXPECT_EQ(http::StatusFromResponse(other.status, other.body).code(), StatusCode::kConflict);
}

TEST_F(MerchantHttpTest, BadInputIsA4xxJsonError) {
  auto expect_error = [&](const ClientResponse& r, int status, StatusCode code) {
    EXPECT_EQ(r.status, status) << r.body;
    Status s = http::StatusFromResponse(r.status, r.body);
    EXPECT_EQ(s.code(), code) << r.body;
    EXPECT_FALSE(s.message().empty());
  };
  expect_error(Post("/v1/orders", OrderBody(kApproved)), 400, StatusCode::kInvalidArgument);
  expect_error(Post("/v1/orders", OrderBody(kApproved), "bad key!"), 400,
               StatusCode::kInvalidArgument);
  expect_error(Post("/v1/orders", "{\"product_id\":", "k-json"), 400,
               StatusCode::kInvalidArgument);
  expect_error(Post("/v1/orders", R"({"product_id":"nope"})", "k-field"), 400,
               StatusCode::kInvalidArgument);
  expect_error(Post("/v1/orders", std::string(20 * 1024, ' '), "k-big"), 413,
               StatusCode::kPayloadTooLarge);
  expect_error(Post("/v1/orders", OrderBody(kApproved, Id::Random(random_)), "k-unknown"), 404,
               StatusCode::kNotFound);
  expect_error(Get("/v1/orders/" + Id::Random(random_).ToBase32()), 404, StatusCode::kNotFound);
  expect_error(Get("/v1/orders/not-an-id"), 404, StatusCode::kNotFound);
  EXPECT_EQ(clearinghouse_->reservations(), 0u);
}

TEST_F(MerchantHttpTest, RestartVoidsAnAuthorizationLeftBehind) {
  StopMerchant();
  StartMerchant([](OrderStatus s) { return s == OrderStatus::kAuthorized; });
  ClientResponse r = Post("/v1/orders", OrderBody(kApproved), "buy-crash");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(AuthorizationStatus("buy-crash"), "authorized");  // money held, no product

  StopMerchant();  // the crash
  StartMerchant({});
  ASSERT_TRUE(merchant_->Start().ok());
  EXPECT_EQ(AuthorizationStatus("buy-crash"), "voided");
  EXPECT_EQ(merchant_->service().GetOrderByKey("buy-crash")->status, OrderStatus::kVoided);
  EXPECT_EQ(clearinghouse_->payments(), 0u);
  ASSERT_TRUE(merchant_->Start().ok());  // a second start finds nothing to do
}

TEST_F(MerchantHttpTest, RestartCapturesAPaidOrder) {
  StopMerchant();
  StartMerchant([](OrderStatus s) { return s == OrderStatus::kPaid; });
  ClientResponse r = Post("/v1/orders", OrderBody(kApproved), "buy-paid");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(AuthorizationStatus("buy-paid"), "authorized");

  StopMerchant();
  StartMerchant({});
  ASSERT_TRUE(merchant_->Start().ok());
  EXPECT_EQ(AuthorizationStatus("buy-paid"), "captured");
  // The buyer's retry now gets the completed order.
  ClientResponse replay = Post("/v1/orders", OrderBody(kApproved), "buy-paid");
  EXPECT_EQ(replay.status, 201) << replay.body;
}

TEST_F(MerchantHttpTest, RestartFailsAnOrderNeverAuthorized) {
  StopMerchant();
  StartMerchant([](OrderStatus s) { return s == OrderStatus::kReserved; });
  EXPECT_EQ(Post("/v1/orders", OrderBody(kApproved), "buy-res").status, 503);
  StopMerchant();
  StartMerchant({});
  ASSERT_TRUE(merchant_->Start().ok());
  EXPECT_EQ(merchant_->service().GetOrderByKey("buy-res")->status, OrderStatus::kFailed);
  EXPECT_EQ(AuthorizationStatus("buy-res"), "none");
}

// Dies after sending the authorization but before recording the answer: the
// authority committed it, the merchant's order says only reserved.
TEST_F(MerchantHttpTest, RestartVoidsAnAuthorizationWhoseAnswerWasLost) {
  StopMerchant();
  StartMerchant([](OrderStatus s) { return s == OrderStatus::kReserved; });
  EXPECT_EQ(Post("/v1/orders", OrderBody(kApproved), "buy-lost").status, 503);
  Result<Order> order = merchant_->service().GetOrderByKey("buy-lost");
  ASSERT_TRUE(order.ok()) << order.status().ToString();
  ASSERT_EQ(order->status, OrderStatus::kReserved);
  // The request the dead merchant sent, as the authority received it.
  protocol::PaymentCard card{std::string(kApproved), 12, 2030, std::string(kCvc)};
  boost::json::object body = {{"merchant_id", "merchant-1"},
                              {"amount", order->price.amount},
                              {"currency", order->price.currency},
                              {"card", card.ToJson()}};
  ClientRequest authorize = ClientRequest::Json("POST", payment_url_ + "/v1/authorizations",
                                                protocol::SerializeJson(body));
  authorize.WithHeader("Idempotency-Key", PaymentKey(order->id, "authorize"));
  Result<ClientResponse> held = client_.SendBlocking(std::move(authorize));
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  ASSERT_EQ(held->status, 201) << held->body;
  const std::string id(Json(held->body)["authorization_id"].as_string());

  StopMerchant();  // the crash
  StartMerchant({});
  ASSERT_TRUE(merchant_->Start().ok());
  order = merchant_->service().GetOrderByKey("buy-lost");
  EXPECT_EQ(order->status, OrderStatus::kVoided);
  EXPECT_EQ(order->authorization_id.value_or(""), id);
  EXPECT_EQ(AuthorizationStatus("buy-lost"), "voided");
  EXPECT_EQ(clearinghouse_->payments(), 0u);
  ASSERT_TRUE(merchant_->Start().ok());  // a second start finds nothing to do
}

// An authority that cannot be asked may hold the money: the order waits.
TEST_F(MerchantHttpTest, RestartLeavesAReservedOrderWhileTheAuthorityIsUnreachable) {
  StopMerchant();
  StartMerchant([](OrderStatus s) { return s == OrderStatus::kReserved; });
  EXPECT_EQ(Post("/v1/orders", OrderBody(kApproved), "buy-wait").status, 503);
  StopMerchant();
  const std::string real_url = payment_url_;
  payment_url_ = "http://127.0.0.1:1";  // nothing listens there
  StartMerchant({});
  EXPECT_FALSE(merchant_->Start().ok());
  EXPECT_EQ(merchant_->service().GetOrderByKey("buy-wait")->status, OrderStatus::kReserved);

  StopMerchant();
  payment_url_ = real_url;
  StartMerchant({});
  ASSERT_TRUE(merchant_->Start().ok());
  EXPECT_EQ(merchant_->service().GetOrderByKey("buy-wait")->status, OrderStatus::kFailed);
}

}  // namespace
}  // namespace backline::merchant
