#include "protocol/messages.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <set>
#include <utility>
#include <vector>

#include "crypto/paseto_claims.h"

namespace backline::protocol {
namespace {

using std::chrono::seconds;

constexpr int64_t kNow = 1'790'000'000;

Clock::TimePoint At(int64_t unix_seconds) { return Clock::TimePoint(seconds(unix_seconds)); }

Id IdOf(uint8_t fill) {
  std::array<uint8_t, Id::kSize> b{};
  b.fill(fill);
  return Id(b);
}

crypto::Sha256Digest DigestOf(uint8_t fill) {
  crypto::Sha256Digest d{};
  d.fill(fill);
  return d;
}

// Every field of `o` as a dotted path, nested objects included.
void Paths(const boost::json::object& o, const std::string& prefix, std::vector<std::string>& out) {
  for (const auto& [key, value] : o) {
    std::string path = prefix + std::string(key);
    out.push_back(path);
    if (value.is_object()) Paths(value.as_object(), path + ".", out);
  }
}

// The object holding the field at `path`, and the field's own name.
std::pair<boost::json::object*, std::string> Locate(boost::json::object& root,
                                                    const std::string& path) {
  boost::json::object* o = &root;
  std::string rest = path;
  for (size_t dot; (dot = rest.find('.')) != std::string::npos; rest = rest.substr(dot + 1)) {
    o = &o->at(rest.substr(0, dot)).as_object();
  }
  return {o, rest};
}

// Removing any required field, or giving any field a wrong JSON type, is an
// InvalidArgument naming the field's path; an unknown field is ignored.
template <typename T>
void ExpectStrict(const boost::json::object& good, const std::set<std::string>& optional = {}) {
  auto parse = [](const boost::json::object& o) {
    return T::FromJson(boost::json::parse(boost::json::serialize(o)));
  };
  ASSERT_TRUE(parse(good).ok()) << parse(good).status().ToString();
  std::vector<std::string> paths;
  Paths(good, "", paths);
  for (const std::string& path : paths) {
    boost::json::object o = good;
    auto [parent, name] = Locate(o, path);
    parent->erase(name);
    auto removed = parse(o);
    if (optional.contains(path)) {
      EXPECT_TRUE(removed.ok()) << path << ": " << removed.status().ToString();
    } else {
      ASSERT_EQ(StatusCode::kInvalidArgument, removed.status().code()) << path;
      EXPECT_NE(std::string::npos, removed.status().message().find("\"" + path + "\""))
          << removed.status().message();
    }
    o = good;
    std::tie(parent, name) = Locate(o, path);
    (*parent)[name] = true;
    auto mistyped = parse(o);
    ASSERT_EQ(StatusCode::kInvalidArgument, mistyped.status().code()) << path;
    EXPECT_NE(std::string::npos, mistyped.status().message().find("\"" + path + "\""))
        << mistyped.status().message();
  }
  boost::json::object extra = good;
  extra["x_future_field"] = {{"anything", 1}};
  EXPECT_TRUE(parse(extra).ok());
  EXPECT_EQ(StatusCode::kInvalidArgument,
            T::FromJson(boost::json::value(boost::json::array{})).status().code());
}

template <typename T>
T RoundTrip(const T& m) {
  auto back = T::FromJson(boost::json::parse(boost::json::serialize(m.ToJson())));
  EXPECT_TRUE(back.ok()) << back.status().ToString();
  return std::move(back).value();
}

PublicKeys Buyer() {
  PublicKeys k;
  k.ed25519.fill(0xed);
  k.x25519.fill(0x25);
  return k;
}

OrderRequest SampleOrder() { return {IdOf(1), Buyer(), {"4242424242424242", 12, 2030, "123"}}; }

TEST(MoneyTest, RoundTripAndRanges) {
  Money m{1299, "EUR"};
  EXPECT_EQ(m, RoundTrip(m));
  EXPECT_EQ("{\"amount\":1299,\"currency\":\"EUR\"}", SerializeJson(m.ToJson()));
  ExpectStrict<Money>(m.ToJson());
  auto bad = [](std::string_view json) {
    return Money::FromJson(boost::json::parse(json)).status();
  };
  EXPECT_TRUE(bad(R"({"amount":0,"currency":"JPY"})").ok());
  EXPECT_TRUE(bad(R"({"amount":9223372036854775807,"currency":"USD"})").ok());
  for (std::string_view json : {
           R"({"amount":-1,"currency":"EUR"})",
           R"({"amount":12.5,"currency":"EUR"})",
           R"({"amount":1299.0,"currency":"EUR"})",
           R"({"amount":1e3,"currency":"EUR"})",
           R"({"amount":18446744073709551615,"currency":"EUR"})",
           R"({"amount":"1299","currency":"EUR"})",
       }) {
    Status s = bad(json);
    EXPECT_EQ(StatusCode::kInvalidArgument, s.code()) << json;
    EXPECT_NE(std::string::npos, s.message().find("\"amount\"")) << s.message();
  }
  for (std::string_view json : {
           R"({"amount":1,"currency":"eur"})",
           R"({"amount":1,"currency":"EURO"})",
           R"({"amount":1,"currency":"EU"})",
           R"({"amount":1,"currency":"E1R"})",
       }) {
    Status s = bad(json);
    EXPECT_EQ(StatusCode::kInvalidArgument, s.code()) << json;
    EXPECT_NE(std::string::npos, s.message().find("ISO 4217")) << s.message();
  }
}

TEST(PaymentCardTest, LuhnAndFormat) {
  EXPECT_TRUE(LuhnValid("4242424242424242"));
  EXPECT_TRUE(LuhnValid("4000000000000002"));
  EXPECT_TRUE(LuhnValid("4000000000009995"));
  EXPECT_TRUE(LuhnValid("4000000000000069"));
  EXPECT_TRUE(LuhnValid("4000000000000127"));
  EXPECT_FALSE(LuhnValid("4242424242424241"));
  EXPECT_FALSE(LuhnValid("4242 4242 4242 4242"));
  EXPECT_FALSE(LuhnValid(""));
  EXPECT_EQ("4242", SampleOrder().payment.last4());
  for (std::string_view json : {
           R"({"card_number":"42424242424","exp_month":1,"exp_year":2030,"cvc":"123"})",
           R"({"card_number":"4242-4242-4242-4242","exp_month":1,"exp_year":2030,"cvc":"123"})",
           R"({"card_number":"4242424242424242","exp_month":13,"exp_year":2030,"cvc":"123"})",
           R"({"card_number":"4242424242424242","exp_month":0,"exp_year":2030,"cvc":"123"})",
           R"({"card_number":"4242424242424242","exp_month":1,"exp_year":30,"cvc":"123"})",
           R"({"card_number":"4242424242424242","exp_month":1,"exp_year":2030,"cvc":"12"})",
           R"({"card_number":"4242424242424242","exp_month":1,"exp_year":2030,"cvc":"12a"})",
       }) {
    EXPECT_EQ(StatusCode::kInvalidArgument,
              PaymentCard::FromJson(boost::json::parse(json)).status().code())
        << json;
  }
}

TEST(OrderTest, RequestRoundTripAndStrictness) {
  OrderRequest o = SampleOrder();
  OrderRequest back = RoundTrip(o);
  EXPECT_EQ(o.product_id, back.product_id);
  EXPECT_EQ(o.buyer, back.buyer);
  EXPECT_EQ(o.payment.card_number, back.payment.card_number);
  EXPECT_EQ(12, back.payment.exp_month);
  EXPECT_EQ(2030, back.payment.exp_year);
  EXPECT_EQ("123", back.payment.cvc);
  ExpectStrict<OrderRequest>(o.ToJson());
}

TEST(OrderTest, ResponseRoundTripAndStrictness) {
  OrderResponse r{IdOf(2),
                  OrderStatus::kCompleted,
                  IdOf(3),
                  "http://127.0.0.1:8084/v1/downloads/" + IdOf(3).ToBase32() + "?token=v4.public.x",
                  {1299, "EUR"},
                  "4242"};
  OrderResponse back = RoundTrip(r);
  EXPECT_EQ(r.order_id, back.order_id);
  EXPECT_EQ(OrderStatus::kCompleted, back.status);
  EXPECT_EQ(r.transaction_id, back.transaction_id);
  EXPECT_EQ(r.download_url, back.download_url);
  EXPECT_EQ(r.price, back.price);
  EXPECT_EQ("4242", back.card_last4);
  ExpectStrict<OrderResponse>(r.ToJson(), {"transaction_id", "download_url"});

  OrderResponse pending{IdOf(2), OrderStatus::kReserved, std::nullopt, std::nullopt, {1, "EUR"},
                        "0002"};
  EXPECT_FALSE(pending.ToJson().contains("download_url"));
  EXPECT_FALSE(RoundTrip(pending).transaction_id.has_value());
  boost::json::object bad = r.ToJson();
  bad["status"] = "shipped";
  EXPECT_EQ(StatusCode::kInvalidArgument, OrderResponse::FromJson(bad).status().code());
  for (OrderStatus s : {OrderStatus::kNew, OrderStatus::kReserved, OrderStatus::kAuthorized,
                        OrderStatus::kPaid, OrderStatus::kCaptured, OrderStatus::kCompleted,
                        OrderStatus::kVoided, OrderStatus::kFailed}) {
    EXPECT_EQ(s, OrderStatusFromName(OrderStatusName(s)));
  }
}

TEST(ReservationTest, RoundTripAndStrictness) {
  ReservationRequest req{IdOf(4), IdOf(1), BindingDigest(Buyer()), {1299, "EUR"}};
  ReservationRequest req2 = RoundTrip(req);
  EXPECT_EQ(req.request_id, req2.request_id);
  EXPECT_EQ(req.product_id, req2.product_id);
  EXPECT_EQ(req.binding, req2.binding);
  EXPECT_EQ(req.retail, req2.retail);
  EXPECT_EQ(BindingOf(Buyer()), req.ToJson().at("binding").as_string());
  ExpectStrict<ReservationRequest>(req.ToJson());

  Reservation res{IdOf(5), IdOf(1), BindingDigest(Buyer()), At(kNow + 900), {800, "EUR"}};
  EXPECT_EQ("2026-09-21T14:28:20Z", res.ToJson().at("expires_at").as_string());
  Reservation res2 = RoundTrip(res);
  EXPECT_EQ(res.transaction_id, res2.transaction_id);
  EXPECT_EQ(res.expires_at, res2.expires_at);
  EXPECT_EQ(res.wholesale, res2.wholesale);
  ExpectStrict<Reservation>(res.ToJson());

  boost::json::object o = req.ToJson();
  o["binding"] = Base64UrlEncode(Bytes(31, 1));
  EXPECT_EQ(StatusCode::kInvalidArgument, ReservationRequest::FromJson(o).status().code());
  o = req.ToJson();
  o["request_id"] = IdOf(4).ToBase32().substr(1);
  EXPECT_EQ(StatusCode::kInvalidArgument, ReservationRequest::FromJson(o).status().code());
  o["request_id"] = "AAAAAAAAAAAAAAAAAAAAAAAAAA";  // ids are lowercase
  EXPECT_EQ(StatusCode::kInvalidArgument, ReservationRequest::FromJson(o).status().code());
  o = res.ToJson();
  o["expires_at"] = "tomorrow";
  EXPECT_EQ(StatusCode::kInvalidArgument, Reservation::FromJson(o).status().code());
}

TEST(ReservationReleaseTest, RoundTripAndStrictness) {
  ReservationRelease req{IdOf(4), IdOf(5)};
  ReservationRelease req2 = RoundTrip(req);
  EXPECT_EQ(req.request_id, req2.request_id);
  EXPECT_EQ(req.transaction_id, req2.transaction_id);
  ExpectStrict<ReservationRelease>(req.ToJson());
  ReservationReleased ans{IdOf(5)};
  ReservationReleased ans2 = RoundTrip(ans);
  EXPECT_EQ(ans.transaction_id, ans2.transaction_id);
  EXPECT_EQ("released", ans2.status);
  ExpectStrict<ReservationReleased>(ans.ToJson());
  boost::json::object o = ans.ToJson();
  o["status"] = "reserved";
  auto bad = ReservationReleased::FromJson(o);
  EXPECT_EQ(StatusCode::kInvalidArgument, bad.status().code());
  EXPECT_NE(std::string::npos, bad.status().message().find("\"status\""));
}

TEST(PaymentTest, RoundTripAndStrictness) {
  PaymentRequest req{IdOf(6), "v4.public.abc"};
  EXPECT_EQ(req.authorization_token, RoundTrip(req).authorization_token);
  ExpectStrict<PaymentRequest>(req.ToJson());
  std::string url = DownloadUrl("http://d:1", IdOf(5), "v4.public.tok");
  PaymentAck ack{IdOf(5), "v4.public.tok", url};
  PaymentAck ack2 = RoundTrip(ack);
  EXPECT_EQ(ack.transaction_id, ack2.transaction_id);
  EXPECT_EQ(ack.delivery_token, ack2.delivery_token);
  EXPECT_EQ(url, ack2.download_url);
  ExpectStrict<PaymentAck>(ack.ToJson());
  boost::json::object o = ack.ToJson();
  o["download_url"] = "ftp://x";
  EXPECT_EQ(StatusCode::kInvalidArgument, PaymentAck::FromJson(o).status().code());
}

TEST(InventoryTest, RoundTripAndStrictness) {
  InventoryRequest req{IdOf(3)};
  EXPECT_EQ(req.request_id, RoundTrip(req).request_id);
  ExpectStrict<InventoryRequest>(req.ToJson());
  Inventory inv{{{IdOf(1), "First", {700, "EUR"}, 3}, {IdOf(2), "Second", {0, "USD"}, 1}}};
  EXPECT_EQ(inv.products, RoundTrip(inv).products);
  EXPECT_TRUE(RoundTrip(Inventory{}).products.empty());
  ExpectStrict<Inventory>(Inventory{}.ToJson());  // "products" is required
  // A bad item is named by its index.
  for (auto [field, bad] : std::vector<std::pair<std::string, boost::json::value>>{
           {"title", ""}, {"download_limit", 0}, {"product_id", "x"}, {"wholesale", 5}}) {
    boost::json::object o = inv.ToJson();
    o["products"].as_array()[1].as_object()[field] = bad;
    Result<Inventory> got = Inventory::FromJson(o);
    ASSERT_EQ(StatusCode::kInvalidArgument, got.status().code()) << field;
    EXPECT_NE(std::string::npos, got.status().message().find("\"products.1." + field + "\""))
        << got.status().message();
  }
  boost::json::object o = inv.ToJson();
  o["products"].as_array()[0].as_object()["wholesale"].as_object()["currency"] = "eur";
  EXPECT_NE(std::string::npos, Inventory::FromJson(o).status().message().find(
                                   "\"products.0.wholesale.currency\""));
  o["products"] = boost::json::array{1};
  EXPECT_EQ(StatusCode::kInvalidArgument, Inventory::FromJson(o).status().code());
}

TEST(DeliveryRequestTest, RoundTripAndStrictness) {
  DeliveryRequest req{IdOf(4), IdOf(5)};
  EXPECT_EQ(req.transaction_id, RoundTrip(req).transaction_id);
  ExpectStrict<DeliveryRequest>(req.ToJson());
  DeliveryAck ack{IdOf(5), DownloadUrl("http://d:1", IdOf(5), "v4.public.tok")};
  EXPECT_EQ(ack.download_url, RoundTrip(ack).download_url);
  ExpectStrict<DeliveryAck>(ack.ToJson());
  boost::json::object o = ack.ToJson();
  o["download_url"] = "ftp://x";
  EXPECT_EQ(StatusCode::kInvalidArgument, DeliveryAck::FromJson(o).status().code());
  EXPECT_EQ("/v1/deliveries/" + IdOf(6).ToBase32() + "/abort", AbortPath(IdOf(6)));
}

TEST(DeliveryMessagesTest, RoundTripAndStrictness) {
  DeliveryClaimRequest claim{IdOf(7), IdOf(5), "v4.public.tok"};
  EXPECT_EQ(claim.request_id, RoundTrip(claim).request_id);
  ExpectStrict<DeliveryClaimRequest>(claim.ToJson());
  DeliveryClaim slot{IdOf(8), IdOf(5), At(kNow + 3600)};
  EXPECT_EQ(slot.lease_expires_at, RoundTrip(slot).lease_expires_at);
  ExpectStrict<DeliveryClaim>(slot.ToJson());
  CompletionRequest done{IdOf(8), IdOf(5), DigestOf(9), 1 << 20, At(kNow)};
  CompletionRequest done2 = RoundTrip(done);
  EXPECT_EQ(done.content_sha256, done2.content_sha256);
  EXPECT_EQ(done.content_size, done2.content_size);
  EXPECT_EQ(done.completed_at, done2.completed_at);
  ExpectStrict<CompletionRequest>(done.ToJson());
  boost::json::object o = done.ToJson();
  o["content_size"] = -1;
  EXPECT_EQ(StatusCode::kInvalidArgument, CompletionRequest::FromJson(o).status().code());
}

TEST(PathsTest, PathsAndDownloadUrls) {
  Id t = IdOf(5);
  EXPECT_EQ("/v1/transactions/" + t.ToBase32() + "/payment", PaymentPath(t));
  EXPECT_EQ("/v1/transactions/" + t.ToBase32() + "/release", ReleasePath(t));
  EXPECT_EQ("/v1/deliveries/" + t.ToBase32() + "/complete", CompletionPath(t));
  std::string url = DownloadUrl("https://dl.example:8443", t, "v4.public.a_b-c");
  EXPECT_EQ("https://dl.example:8443/v1/downloads/" + t.ToBase32() + "?token=v4.public.a_b-c", url);
  auto parts = ParseDownloadUrl(url);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  EXPECT_EQ("https://dl.example:8443", parts->base);
  EXPECT_EQ(t, parts->transaction_id);
  EXPECT_EQ("v4.public.a_b-c", parts->token);
  auto prefixed = ParseDownloadUrl(DownloadUrl("http://h/dl", t, "tok"));
  ASSERT_TRUE(prefixed.ok());
  EXPECT_EQ("http://h/dl", prefixed->base);

  const std::string id = t.ToBase32();
  for (const std::string& bad : {
           "ftp://h/v1/downloads/" + id + "?token=t",
           "http:///v1/downloads/" + id + "?token=t",
           "http://h/v1/download/" + id + "?token=t",
           "http://h/v1/downloads/" + id,
           "http://h/v1/downloads/" + id + "?token=",
           "http://h/v1/downloads/" + id + "?tok=t",
           "http://h/v1/downloads/" + id + "?token=t&x=1",
           "http://h/v1/downloads/" + id + "?token=t%20",
           "http://h/v1/downloads/" + id.substr(1) + "?token=t",
       }) {
    EXPECT_EQ(StatusCode::kInvalidArgument, ParseDownloadUrl(bad).status().code()) << bad;
  }
}

class TokenTest : public ::testing::Test {
 protected:
  DeliveryTokenClaims Delivery() const {
    return {IdOf(5), IdOf(1),  BindingDigest(Buyer()), DigestOf(3), 12345,
            3,       At(kNow), At(kNow + 3600)};
  }
  PaymentAuthorizationClaims Authorization() const {
    return {IdOf(6), {1299, "EUR"}, "merchant-1", At(kNow), At(kNow + int64_t{7} * 86400)};
  }

  DeterministicRandom random_{5};
  crypto::Ed25519KeyPair clearinghouse_ = crypto::Ed25519KeyPair::Generate(random_);
  crypto::Ed25519KeyPair authority_ = crypto::Ed25519KeyPair::Generate(random_);
  FakeClock clock_{kNow + 10};
};

TEST_F(TokenTest, DeliveryTokenRoundTrip) {
  std::string token = SignDeliveryToken(Delivery(), clearinghouse_);
  EXPECT_TRUE(token.starts_with("v4.public."));
  auto c =
      VerifyDeliveryToken(token, clearinghouse_.public_key(), clock_, {.transaction_id = IdOf(5)});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(IdOf(5), c->transaction_id);
  EXPECT_EQ(IdOf(1), c->product_id);
  EXPECT_EQ(BindingDigest(Buyer()), c->binding);
  EXPECT_EQ(DigestOf(3), c->content_sha256);
  EXPECT_EQ(12345, c->content_size);
  EXPECT_EQ(3, c->limit);
  EXPECT_EQ(At(kNow), c->issued_at);
  EXPECT_EQ(At(kNow + 3600), c->expires_at);
}

TEST_F(TokenTest, DeliveryTokenRejections) {
  std::string token = SignDeliveryToken(Delivery(), clearinghouse_);
  auto code = [&](std::string_view t, ByteSpan key, TokenVerifyOptions options = {}) {
    return VerifyDeliveryToken(t, key, clock_, options).status().code();
  };
  // Another transaction's token.
  EXPECT_EQ(StatusCode::kPermissionDenied,
            code(token, clearinghouse_.public_key(), {.transaction_id = IdOf(6)}));
  // Signed by someone else.
  EXPECT_EQ(StatusCode::kUnauthenticated, code(token, authority_.public_key()));
  EXPECT_EQ(StatusCode::kUnauthenticated,
            code(SignDeliveryToken(Delivery(), authority_), clearinghouse_.public_key()));
  // A payment authorization is not a delivery token, even with the right key.
  EXPECT_EQ(
      StatusCode::kUnauthenticated,
      code(SignPaymentAuthorization(Authorization(), clearinghouse_), clearinghouse_.public_key()));
  // Tampered: one character of the body changed.
  std::string tampered = token;
  tampered[20] = tampered[20] == 'A' ? 'B' : 'A';
  StatusCode t = code(tampered, clearinghouse_.public_key());
  EXPECT_TRUE(t == StatusCode::kUnauthenticated || t == StatusCode::kInvalidArgument);
  EXPECT_EQ(StatusCode::kInvalidArgument, code("v4.public.", clearinghouse_.public_key()));
  // Expired: the leeway (60 s by default) is allowed, no more.
  clock_.SetUnixSeconds(kNow + 3600 + 59);
  EXPECT_EQ(StatusCode::kOk, code(token, clearinghouse_.public_key()));
  clock_.SetUnixSeconds(kNow + 3600 + 61);
  EXPECT_EQ(StatusCode::kUnauthenticated, code(token, clearinghouse_.public_key()));
  EXPECT_EQ(StatusCode::kUnauthenticated,
            code(token, clearinghouse_.public_key(), {.leeway = seconds(0)}));
  // Issued in the future beyond the leeway.
  clock_.SetUnixSeconds(kNow - 120);
  EXPECT_EQ(StatusCode::kUnauthenticated, code(token, clearinghouse_.public_key()));
}

TEST_F(TokenTest, BuyerReadsTheClaimsWithoutTheKey) {
  std::string token = SignDeliveryToken(Delivery(), clearinghouse_);
  auto c = ReadDeliveryTokenUnverified(token);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(DigestOf(3), c->content_sha256);
  EXPECT_EQ(12345, c->content_size);
  EXPECT_EQ(IdOf(5), c->transaction_id);
  EXPECT_EQ(At(kNow + 3600), c->expires_at);
  EXPECT_TRUE(ReadDeliveryTokenUnverified(token + ".Zm9vdGVy").ok());  // with a footer
  for (std::string_view bad :
       {"", "v4.local.abc", "v4.public.", "v4.public.!!", "v4.public.AAAA"}) {
    EXPECT_EQ(StatusCode::kInvalidArgument, ReadDeliveryTokenUnverified(bad).status().code())
        << bad;
  }
  EXPECT_EQ(StatusCode::kInvalidArgument,
            ReadDeliveryTokenUnverified(SignPaymentAuthorization(Authorization(), authority_))
                .status()
                .code());
}

TEST_F(TokenTest, DeliveryTokenWithBadClaimsIsInvalidArgument) {
  crypto::TokenClaims t;
  t.issuer = "clearinghouse";
  t.audience = "delivery";
  t.subject = IdOf(5).ToBase32();
  t.issued_at = At(kNow);
  t.expires_at = At(kNow + 60);
  t.custom = {{"product_id", IdOf(1).ToBase32()},
              {"binding", BindingOf(Buyer())},
              {"content_sha256", Base64UrlEncode(DigestOf(1))},
              {"content_size", 1},
              {"limit", 0}};
  auto r = VerifyDeliveryToken(crypto::PasetoV4SignClaims(clearinghouse_, t),
                               clearinghouse_.public_key(), clock_);
  EXPECT_EQ(StatusCode::kInvalidArgument, r.status().code());
  EXPECT_NE(std::string::npos, r.status().message().find("\"limit\"")) << r.status().message();
  t.custom.erase("limit");
  t.custom["limit"] = 1;
  t.custom.erase("binding");
  r = VerifyDeliveryToken(crypto::PasetoV4SignClaims(clearinghouse_, t),
                          clearinghouse_.public_key(), clock_);
  EXPECT_NE(std::string::npos, r.status().message().find("\"binding\"")) << r.status().message();
  t.custom["binding"] = BindingOf(Buyer());
  t.subject = "not-an-id";
  r = VerifyDeliveryToken(crypto::PasetoV4SignClaims(clearinghouse_, t),
                          clearinghouse_.public_key(), clock_);
  EXPECT_EQ(StatusCode::kInvalidArgument, r.status().code());
  t.subject = IdOf(5).ToBase32();
  t.issued_at.reset();
  r = VerifyDeliveryToken(crypto::PasetoV4SignClaims(clearinghouse_, t),
                          clearinghouse_.public_key(), clock_);
  EXPECT_EQ(StatusCode::kInvalidArgument, r.status().code());
  t.issued_at = At(kNow);
  t.expires_at.reset();
  r = VerifyDeliveryToken(crypto::PasetoV4SignClaims(clearinghouse_, t),
                          clearinghouse_.public_key(), clock_);
  EXPECT_EQ(StatusCode::kUnauthenticated, r.status().code());
}

TEST_F(TokenTest, PaymentAuthorizationRoundTripAndRejections) {
  std::string token = SignPaymentAuthorization(Authorization(), authority_);
  auto c = VerifyPaymentAuthorization(token, authority_.public_key(), clock_);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(IdOf(6), c->authorization_id);
  EXPECT_EQ((Money{1299, "EUR"}), c->amount);
  EXPECT_EQ("merchant-1", c->merchant_id);
  EXPECT_EQ(At(kNow + int64_t{7} * 86400), c->expires_at);

  EXPECT_EQ(StatusCode::kUnauthenticated,
            VerifyPaymentAuthorization(token, clearinghouse_.public_key(), clock_).status().code());
  EXPECT_EQ(StatusCode::kUnauthenticated,
            VerifyPaymentAuthorization(SignDeliveryToken(Delivery(), authority_),
                                       authority_.public_key(), clock_)
                .status()
                .code());
  clock_.SetUnixSeconds(kNow + int64_t{8} * 86400);
  EXPECT_EQ(StatusCode::kUnauthenticated,
            VerifyPaymentAuthorization(token, authority_.public_key(), clock_).status().code());
  clock_.SetUnixSeconds(kNow);
  PaymentAuthorizationClaims bad = Authorization();
  bad.amount.currency = "euro";
  auto r = VerifyPaymentAuthorization(SignPaymentAuthorization(bad, authority_),
                                      authority_.public_key(), clock_);
  EXPECT_EQ(StatusCode::kInvalidArgument, r.status().code());
  EXPECT_NE(std::string::npos, r.status().message().find("\"currency\""));
}

}  // namespace
}  // namespace backline::protocol
