// The payment authority's routes on a real http::Server (127.0.0.1, port 0)
// with its SQLite store in a temp dir, driven through http::Client. After
// every test the database files and everything logged are scanned: no full
// card number and no CVC may appear in any of them.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/logging.h"
#include "http/client.h"
#include "http/server.h"
#include "payment/authorization_token.h"
#include "payment/payment_role.h"
#include "payment/payment_routes.h"

namespace backline::payment {
namespace {

using http::ClientRequest;
using http::ClientResponse;

constexpr std::string_view kCvc = "8190";
// Every number any test sends, including one that fails Luhn.
const std::vector<std::string> kCardNumbers = {
    "4242424242424242", "4000000000000002", "4000000000009995", "4000000000000069",
    "4000000000000127", "4111111111111111", "4242424242424241", "5555555555554444"};

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

// Every logger of the process writes debug and above to one file, from the
// first test on, so the scans see everything the server and the role logged.
class LogCapture : public ::testing::Environment {
 public:
  void SetUp() override {
    dir_ = MakeTempDir("backline_payment_log");
    path() = dir_ + "/test.log";
    ASSERT_TRUE(InitLogging({.level = "debug", .json = false, .file = path()}).ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  static std::string& path() {
    static std::string p;
    return p;
  }
  static std::string Contents() {
    spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& l) { l->flush(); });
    return ReadFile(path());
  }

 private:
  std::string dir_;
};
::testing::Environment* const kLogCapture = ::testing::AddGlobalTestEnvironment(new LogCapture);

// Where `needle` occurs in `haystack`, described for a failure message.
void FindLeaks(const std::string& what, const std::string& haystack, std::string_view needle,
               std::vector<std::string>& leaks) {
  if (haystack.find(needle) != std::string::npos) {
    leaks.push_back(std::string(needle) + " in " + what);
  }
}

// Addresses logged by the server carry random port numbers, which may
// contain any four digits; they are not card data.
std::string WithoutLoopbackAddresses(std::string log) {
  constexpr std::string_view kLoopback = "127.0.0.1:";
  for (size_t pos = log.find(kLoopback); pos != std::string::npos; pos = log.find(kLoopback, pos)) {
    size_t end = pos + kLoopback.size();
    while (end < log.size() && log[end] >= '0' && log[end] <= '9') ++end;
    log.erase(pos, end - pos);
  }
  return log;
}

// Card numbers (whole, or all but the last four digits) and the CVC in the
// database files under `dir` and in the log.
std::vector<std::string> ScanForCardData(const std::string& dir) {
  std::vector<std::string> leaks;
  auto scan = [&](const std::string& what, const std::string& bytes) {
    for (const std::string& number : kCardNumbers) {
      FindLeaks(what, bytes, number, leaks);
      FindLeaks(what, bytes, number.substr(0, number.size() - 4), leaks);
    }
    FindLeaks(what, bytes, kCvc, leaks);
  };
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().filename() != "payment.key") {
      scan(entry.path().string(), ReadFile(entry.path()));
    }
  }
  scan("the log", WithoutLoopbackAddresses(LogCapture::Contents()));
  return leaks;
}

std::string AuthorizeBody(std::string_view number, int64_t amount = 1299,
                          std::string_view merchant = "merchant-1") {
  return R"({"merchant_id":")" + std::string(merchant) + R"(","amount":)" + std::to_string(amount) +
         R"(,"currency":"EUR","card":{"card_number":")" + std::string(number) +
         R"(","exp_month":12,"exp_year":2030,"cvc":")" + std::string(kCvc) + R"("}})";
}

boost::json::object Json(const ClientResponse& r) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(r.body, ec);
  if (ec || !v.is_object()) {
    ADD_FAILURE() << "not a JSON object: " << r.body;
    return {};
  }
  return v.as_object();
}

std::string Str(const boost::json::value& v) { return std::string(v.as_string()); }

class PaymentHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("backline_payment_http");
    ASSERT_FALSE(dir_.empty());
    Config config;
    config.Set("payment.data_dir", dir_ + "/payment");
    Result<std::unique_ptr<PaymentRole>> role = PaymentRole::Create(config, clock_, random_);
    ASSERT_TRUE(role.ok()) << role.status().ToString();
    role_ = std::move(role).value();
    http::Router router;
    role_->RegisterRoutes(router);
    http::ServerOptions options;
    options.name = "payment";
    options.threads = 2;
    server_ = std::make_unique<http::Server>(std::move(router), options);
    Result<uint16_t> port = server_->Listen("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    base_ = "http://127.0.0.1:" + std::to_string(*port);
  }

  void TearDown() override {
    if (server_) server_->Stop(std::chrono::seconds(1));
    server_.reset();
    role_.reset();  // closes the database (checkpointing its WAL)
    if (!dir_.empty()) {
      std::vector<std::string> leaks = ScanForCardData(dir_);
      EXPECT_TRUE(leaks.empty()) << "card data found: " << ::testing::PrintToString(leaks);
      std::filesystem::remove_all(dir_);
    }
  }

  ClientResponse Send(ClientRequest request) {
    Result<ClientResponse> r = client_.SendBlocking(std::move(request));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ClientResponse{};
  }
  ClientResponse Post(const std::string& path, const std::string& body, const std::string& key) {
    ClientRequest request = ClientRequest::Json("POST", base_ + path, body);
    if (!key.empty()) request.WithHeader("Idempotency-Key", key);
    return Send(std::move(request));
  }
  ClientResponse Get(const std::string& path) { return Send(ClientRequest::Get(base_ + path)); }

  // Authorizes `amount` on the approving test card; returns the answer's JSON.
  boost::json::object Authorize(int64_t amount, const std::string& key) {
    ClientResponse r = Post("/v1/authorizations", AuthorizeBody("4242424242424242", amount), key);
    EXPECT_EQ(201, r.status) << r.body;
    return Json(r);
  }
  ClientResponse Operation(const std::string& id, const std::string& op, const std::string& body,
                           const std::string& key) {
    return Post("/v1/authorizations/" + id + "/" + op, body, key);
  }

  std::string dir_;
  FakeClock clock_;
  DeterministicRandom random_{11};
  std::unique_ptr<PaymentRole> role_;
  std::unique_ptr<http::Server> server_;
  http::Client client_;
  std::string base_;
};

TEST_F(PaymentHttpTest, AuthorizeCaptureRefundWithATokenTheClearinghouseCanVerify) {
  ClientResponse created =
      Post("/v1/authorizations", AuthorizeBody("4242424242424242", 1299), "order-1:authorize");
  ASSERT_EQ(201, created.status) << created.body;
  EXPECT_EQ("application/json", created.headers.Get("Content-Type").value_or(""));
  EXPECT_EQ("no-store", created.headers.Get("Cache-Control").value_or(""));
  boost::json::object auth = Json(created);
  const std::string id = Str(auth.at("authorization_id"));
  EXPECT_EQ(26u, id.size());
  EXPECT_EQ("authorized", Str(auth.at("status")));
  EXPECT_EQ("4242", Str(auth.at("card_last4")));
  EXPECT_EQ("2023-11-21T22:13:20Z", Str(auth.at("expires_at")));

  // The token verifies offline with the key the authority publishes.
  ClientResponse keys = Get("/v1/keys");
  ASSERT_EQ(200, keys.status);
  Result<Bytes> public_key = Base64UrlDecode(Str(Json(keys).at("ed25519")));
  ASSERT_TRUE(public_key.ok());
  Result<AuthorizationClaims> claims =
      VerifyAuthorizationToken(Str(auth.at("token")), *public_key, clock_);
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ(id, claims->authorization_id);
  EXPECT_EQ(1299, claims->amount);
  EXPECT_EQ("EUR", claims->currency);
  EXPECT_EQ("merchant-1", claims->merchant_id);

  ClientResponse shown = Get("/v1/authorizations/" + id + "?merchant_id=merchant-1");
  ASSERT_EQ(200, shown.status) << shown.body;
  EXPECT_EQ(created.body, shown.body);

  ClientResponse captured =
      Operation(id, "capture", R"({"merchant_id":"merchant-1","amount":1299})", "order-1:capture");
  ASSERT_EQ(200, captured.status) << captured.body;
  EXPECT_EQ("captured", Str(Json(captured).at("status")));
  EXPECT_EQ(1299, Json(captured).at("captured_amount").as_int64());
  EXPECT_FALSE(captured.headers.Has("Idempotent-Replayed"));

  ClientResponse refund =
      Operation(id, "refunds", R"({"merchant_id":"merchant-1","amount":600})", "refund-1");
  ASSERT_EQ(201, refund.status) << refund.body;
  EXPECT_EQ(600, Json(refund).at("amount").as_int64());
  EXPECT_EQ(26u, Str(Json(refund).at("refund_id")).size());
  EXPECT_EQ(600, Json(refund).at("authorization").at("refunded_amount").as_int64());

  ClientResponse too_much =
      Operation(id, "refunds", R"({"merchant_id":"merchant-1","amount":700})", "refund-2");
  EXPECT_EQ(409, too_much.status);
  EXPECT_EQ(StatusCode::kFailedPrecondition, too_much.ToStatus().code());

  ClientResponse void_after = Operation(id, "void", R"({"merchant_id":"merchant-1"})", "void-1");
  EXPECT_EQ(409, void_after.status);
  EXPECT_NE(std::string::npos, void_after.ToStatus().message().find("refund"));

  ClientResponse again =
      Operation(id, "capture", R"({"merchant_id":"merchant-1","amount":1299})", "order-1:capture");
  EXPECT_EQ(200, again.status);
  EXPECT_EQ(captured.body, again.body);
  EXPECT_EQ("true", again.headers.Get("Idempotent-Replayed").value_or(""));

  ClientResponse twice =
      Operation(id, "capture", R"({"merchant_id":"merchant-1","amount":1299})", "other-key");
  EXPECT_EQ(409, twice.status);
  EXPECT_NE(std::string::npos, twice.ToStatus().message().find("at most once"));
}

TEST_F(PaymentHttpTest, VoidThenCaptureIsRefused) {
  const std::string id = Str(Authorize(500, "a").at("authorization_id"));
  ClientResponse voided = Operation(id, "void", R"({"merchant_id":"merchant-1"})", "v");
  ASSERT_EQ(200, voided.status) << voided.body;
  EXPECT_EQ("voided", Str(Json(voided).at("status")));
  ClientResponse capture =
      Operation(id, "capture", R"({"merchant_id":"merchant-1","amount":500})", "c");
  EXPECT_EQ(409, capture.status);
  EXPECT_EQ(StatusCode::kFailedPrecondition, capture.ToStatus().code());
}

TEST_F(PaymentHttpTest, DeclinesAre402WithAMachineReadableCodeAndReplay) {
  const std::pair<const char*, const char*> cases[] = {
      {"4000000000000002", "card_declined"},      {"4000000000009995", "insufficient_funds"},
      {"4000000000000069", "expired_card"},       {"4000000000000127", "incorrect_cvc"},
      {"4111111111111111", "card_not_supported"},
  };
  for (const auto& [number, code] : cases) {
    const std::string key = std::string("decline-") + code;
    ClientResponse r = Post("/v1/authorizations", AuthorizeBody(number), key);
    EXPECT_EQ(402, r.status) << r.body;
    Status s = r.ToStatus();
    EXPECT_EQ(StatusCode::kPaymentDeclined, s.code());
    EXPECT_EQ(0u, s.message().find(code)) << s.message();
    EXPECT_EQ(code, Str(Json(r).at("error").at("decline_code")));
    ClientResponse again = Post("/v1/authorizations", AuthorizeBody(number), key);
    EXPECT_EQ(402, again.status);
    EXPECT_EQ(r.body, again.body);
    EXPECT_EQ("true", again.headers.Get("Idempotent-Replayed").value_or(""));
  }
}

TEST_F(PaymentHttpTest, BadRequestsAre400AndNameTheProblem) {
  ClientResponse no_key = Post("/v1/authorizations", AuthorizeBody("4242424242424242"), "");
  EXPECT_EQ(400, no_key.status);
  EXPECT_NE(std::string::npos, no_key.ToStatus().message().find("Idempotency-Key"));

  const std::string id = Str(Authorize(100, "a").at("authorization_id"));
  ClientResponse capture_no_key =
      Operation(id, "capture", R"({"merchant_id":"merchant-1","amount":100})", "");
  EXPECT_EQ(400, capture_no_key.status);
  EXPECT_NE(std::string::npos, capture_no_key.ToStatus().message().find("Idempotency-Key"));

  ClientResponse luhn = Post("/v1/authorizations", AuthorizeBody("4242424242424241"), "k");
  EXPECT_EQ(400, luhn.status);
  EXPECT_EQ(StatusCode::kInvalidArgument, luhn.ToStatus().code());
  EXPECT_NE(std::string::npos, luhn.ToStatus().message().find("Luhn"));
  EXPECT_EQ(std::string::npos, luhn.body.find("4242424242424241"));

  ClientResponse malformed = Post("/v1/authorizations", R"({"merchant_id":)", "k");
  EXPECT_EQ(400, malformed.status);
  EXPECT_EQ(StatusCode::kInvalidArgument, malformed.ToStatus().code());

  ClientResponse unknown = Post("/v1/authorizations", R"({"merchant_id":"m","x":1})", "k");
  EXPECT_EQ(400, unknown.status);

  ClientRequest form_request;
  form_request.method = "POST";
  form_request.url = base_ + "/v1/authorizations";
  form_request.body = AuthorizeBody("4242424242424242");
  form_request.WithHeader("Content-Type", "application/x-www-form-urlencoded")
      .WithHeader("Idempotency-Key", "k");
  ClientResponse form = Send(std::move(form_request));
  EXPECT_EQ(400, form.status);

  ClientResponse no_merchant = Get("/v1/authorizations/" + id);
  EXPECT_EQ(400, no_merchant.status);
  EXPECT_NE(std::string::npos, no_merchant.ToStatus().message().find("merchant_id"));
}

TEST_F(PaymentHttpTest, AKeyReusedWithOtherParametersIs409) {
  Authorize(1299, "order-9");
  ClientResponse r = Post("/v1/authorizations", AuthorizeBody("4242424242424242", 1300), "order-9");
  EXPECT_EQ(409, r.status);
  EXPECT_EQ(StatusCode::kConflict, r.ToStatus().code());
  EXPECT_NE(std::string::npos, r.ToStatus().message().find("other parameters"));
}

TEST_F(PaymentHttpTest, OversizedBodiesAre413) {
  std::string big = AuthorizeBody("4242424242424242");
  big.insert(1, R"("pad":")" + std::string(kAuthorizeMaxBodyBytes, 'x') + R"(",)");
  ClientResponse r = Post("/v1/authorizations", big, "k");
  EXPECT_EQ(413, r.status);
  const std::string id = Str(Authorize(100, "a").at("authorization_id"));
  std::string big_capture = R"({"merchant_id":"merchant-1","amount":100,"pad":")" +
                            std::string(kOperationMaxBodyBytes, 'x') + R"("})";
  EXPECT_EQ(413, Operation(id, "capture", big_capture, "c").status);
}

TEST_F(PaymentHttpTest, UnknownOrSomeoneElsesAuthorizationIs404) {
  const std::string id = Str(Authorize(100, "a").at("authorization_id"));
  EXPECT_EQ(404, Get("/v1/authorizations/" + id + "?merchant_id=merchant-2").status);
  EXPECT_EQ(404,
            Get("/v1/authorizations/aaaaaaaaaaaaaaaaaaaaaaaaaa?merchant_id=merchant-1").status);
  EXPECT_EQ(404,
            Operation(id, "capture", R"({"merchant_id":"merchant-2","amount":100})", "c").status);
  EXPECT_EQ(404, Operation("nope", "void", R"({"merchant_id":"merchant-1"})", "v").status);
}

TEST_F(PaymentHttpTest, AnAuthorizationIsFoundByItsIdempotencyKey) {
  const std::string id = Str(Authorize(100, "order-3-authorize").at("authorization_id"));
  const std::string query = "/v1/authorizations?merchant_id=merchant-1&idempotency_key=";
  ClientResponse found = Get(query + "order-3-authorize");
  ASSERT_EQ(200, found.status) << found.body;
  EXPECT_EQ("no-store", found.headers.Get("Cache-Control").value_or(""));
  EXPECT_EQ(id, Str(Json(found).at("authorization_id")));
  EXPECT_EQ("authorized", Str(Json(found).at("status")));

  ASSERT_EQ(200, Operation(id, "void", R"({"merchant_id":"merchant-1"})", "order-3-void").status);
  EXPECT_EQ("voided", Str(Json(Get(query + "order-3-authorize")).at("status")));

  EXPECT_EQ(404, Get(query + "order-4-authorize").status);
  EXPECT_EQ(404, Get(query + "order-3-void").status);
  EXPECT_EQ(
      404,
      Get("/v1/authorizations?merchant_id=merchant-2&idempotency_key=order-3-authorize").status);
  EXPECT_EQ(400, Get("/v1/authorizations?merchant_id=merchant-1").status);
  EXPECT_EQ(400, Get(query + "a%20b").status);
}

TEST_F(PaymentHttpTest, AnExpiredAuthorizationCannotBeCaptured) {
  const std::string id = Str(Authorize(100, "a").at("authorization_id"));
  clock_.Advance(std::chrono::hours(24 * 7));
  ClientResponse shown = Get("/v1/authorizations/" + id + "?merchant_id=merchant-1");
  EXPECT_EQ("expired", Str(Json(shown).at("status")));
  ClientResponse capture =
      Operation(id, "capture", R"({"merchant_id":"merchant-1","amount":100})", "c");
  EXPECT_EQ(409, capture.status);
  EXPECT_NE(std::string::npos, capture.ToStatus().message().find("expired"));
  EXPECT_EQ(200, Operation(id, "void", R"({"merchant_id":"merchant-1"})", "v").status);
}

TEST_F(PaymentHttpTest, NeitherTheCardNumberNorTheCvcIsStoredOrLogged) {
  // Every kind of request that carries a card, then a scan of the live
  // database (with its WAL) and the log; TearDown scans again after close.
  // The keys even contain the card numbers, as a careless merchant's might:
  // only their keyed hashes may be stored.
  for (const std::string& number : kCardNumbers) {
    Post("/v1/authorizations", AuthorizeBody(number), "scan-" + number);
    Post("/v1/authorizations", AuthorizeBody(number), "scan-" + number);  // replay
  }
  Post("/v1/authorizations", AuthorizeBody("4242424242424242", 7), "scan-4242424242424242");
  const std::string id = Str(Authorize(100, "a").at("authorization_id"));
  Operation(id, "capture", R"({"merchant_id":"merchant-1","amount":100})", "c");

  std::vector<std::string> leaks = ScanForCardData(dir_);
  EXPECT_TRUE(leaks.empty()) << ::testing::PrintToString(leaks);

  // The scan reads the real data: what may be kept is there.
  std::string db =
      ReadFile(dir_ + "/payment/payment.db") + ReadFile(dir_ + "/payment/payment.db-wal");
  EXPECT_NE(std::string::npos, db.find(id));
  EXPECT_NE(std::string::npos, db.find("\"card_last4\":\"4242\""));
  std::string log = LogCapture::Contents();
  EXPECT_NE(std::string::npos, log.find("authorized " + id));
  EXPECT_NE(std::string::npos, log.find("declined insufficient_funds"));
  // And it would catch a leak.
  std::ofstream(dir_ + "/payment/planted.txt") << "x" << kCvc << "x";
  EXPECT_EQ(1u, ScanForCardData(dir_).size());
  std::filesystem::remove(dir_ + "/payment/planted.txt");
}

TEST(PaymentRoleTest, CreatesItsFolderAndKeyFileOwnerOnly) {
  std::string dir = MakeTempDir("backline_payment_role");
  Config config;
  config.Set("payment.data_dir", dir + "/data");
  config.Set("payment.authorization_ttl", "2h");
  FakeClock clock;
  DeterministicRandom random(5);
  Result<std::unique_ptr<PaymentRole>> role = PaymentRole::Create(config, clock, random);
  ASSERT_TRUE(role.ok()) << role.status().ToString();
  EXPECT_EQ(std::chrono::hours(2), (*role)->options().service.authorization_ttl);
  EXPECT_EQ(dir + "/data/payment.db", (*role)->options().db_path);
  namespace fs = std::filesystem;
  EXPECT_EQ(fs::perms::owner_all, fs::status(dir + "/data").permissions() & fs::perms::all);
  EXPECT_EQ(fs::perms::owner_read | fs::perms::owner_write,
            fs::status(dir + "/data/payment.key").permissions() & fs::perms::all);
  crypto::Ed25519PublicKey first = (*role)->public_key();
  role->reset();
  // A restart keeps the key.
  Result<std::unique_ptr<PaymentRole>> again = PaymentRole::Create(config, clock, random);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(first, (*again)->public_key());
  again->reset();

  config.Set("payment.authorization_ttl", "0s");
  EXPECT_EQ(StatusCode::kInvalidArgument,
            PaymentRole::Create(config, clock, random).status().code());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace backline::payment
