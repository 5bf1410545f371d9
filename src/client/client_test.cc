// The client's commands in-process, against a real local http::Server that
// plays the merchant and the delivery node: real curl, real HPKE and
// RFC 8188 streams, real RFC 9421 signatures, real files.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "base/bytes.h"
#include "client/cli.h"
#include "client/commands.h"
#include "client/curl_transport.h"
#include "client/download.h"
#include "client/merchant.h"
#include "http/error.h"
#include "http/json.h"
#include "http/server.h"
#include "protocol/download.h"
#include "protocol/identity.h"
#include "protocol/json_fields.h"
#include "protocol/messages.h"
#include "protocol/request_signing.h"

namespace backline::client {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr std::string_view kProductId = "gvajek75ywivwrnguworn4wwgi";
constexpr std::string_view kDeclinedCard = "4000000000009995";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> ListDir(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  return names;
}

// A merchant (catalog, orders) and a delivery node (downloads) on one port.
class FakeShop {
 public:
  FakeShop() : clearinghouse_(protocol::Identity::Generate(random_)) {
    product_.resize(200'000);
    for (size_t i = 0; i < product_.size(); ++i) product_[i] = static_cast<uint8_t>(i * 7 + i / 251);
    http::Router router;
    router.Get("/v1/catalog", [](const http::Request&) {
      return http::JsonResponse(json::parse(
          R"({"products":[{"product_id":"gvajek75ywivwrnguworn4wwgi","title":"Night Drive",)"
          R"("artist":"The Examples","price":{"amount":1299,"currency":"EUR"}}]})"));
    });
    router.Post("/v1/orders", [this](const http::Request& r) { return Order(r); });
    router.Get("/v1/downloads/{id}", [this](const http::Request& r) { return Download(r); });
    server_ = std::make_unique<http::Server>(std::move(router));
    uint16_t port = *server_->Listen("127.0.0.1", 0);
    base_ = "http://127.0.0.1:" + std::to_string(port);
  }
  ~FakeShop() { server_->Stop(std::chrono::seconds(1)); }

  const std::string& base() const { return base_; }
  const Bytes& product() const { return product_; }
  std::vector<std::string> idempotency_keys() {
    std::lock_guard lock(mu_);
    return keys_;
  }
  std::atomic<int64_t> tamper_offset{-1};  // flips this byte of the stream
  std::atomic<bool> wrong_hash{false};     // the token announces another SHA-256

 private:
  http::Response Order(const http::Request& r) {
    {
      std::lock_guard lock(mu_);
      keys_.emplace_back(r.Header("Idempotency-Key").value_or(""));
    }
    auto body = http::ParseJsonBody(r);
    if (!body.ok()) return http::ErrorResponse(body.status());
    auto order = protocol::OrderRequest::FromJson(*body);
    if (!order.ok()) return http::ErrorResponse(order.status());
    if (order->payment.card_number == kDeclinedCard) {
      http::Response res = http::JsonResponse(402, json::parse(
          R"({"error":{"code":"PAYMENT_DECLINED","message":"insufficient_funds: the card has )"
          R"(insufficient funds","decline_code":"insufficient_funds"}})"));
      return res;
    }
    Id txn = Id::Random(random_);
    crypto::Sha256Digest sha = crypto::Sha256(product_);
    if (wrong_hash) sha[0] ^= 1;
    auto now = SystemClock::Instance().Now();
    std::string token = protocol::SignDeliveryToken(
        {.transaction_id = txn, .product_id = order->product_id,
         .binding = protocol::BindingDigest(order->buyer), .content_sha256 = sha,
         .content_size = static_cast<int64_t>(product_.size()), .limit = 3,
         .issued_at = now, .expires_at = now + std::chrono::hours(24)},
        clearinghouse_.ed25519());
    protocol::OrderResponse answer{.order_id = Id::Random(random_),
                                   .status = protocol::OrderStatus::kCompleted,
                                   .transaction_id = txn,
                                   .download_url = protocol::DownloadUrl(base_, txn, token),
                                   .price = {1299, "EUR"},
                                   .card_last4 = order->payment.last4()};
    return http::JsonResponse(201, answer.ToJson());
  }

  http::Response Download(const http::Request& r) {
    protocol::SignedRequest signed_request{.method = r.method, .target_uri = base_ + r.target, .headers = {}};
    for (const auto& [name, value] : r.headers) signed_request.headers.emplace_back(name, value);
    auto buyer = protocol::VerifyDownloadRequest(signed_request, SystemClock::Instance());
    if (!buyer.ok()) return http::ErrorResponse(buyer.status());
    auto token = r.Query("token");
    if (!token) return http::ErrorResponse(InvalidArgument("no token"));
    auto claims = protocol::VerifyDeliveryToken(*token, clearinghouse_.public_keys().ed25519,
                                                SystemClock::Instance());
    if (!claims.ok()) return http::ErrorResponse(claims.status());
    if (!protocol::BindingMatches(*buyer, Base64UrlEncode(claims->binding))) {
      return http::ErrorResponse(PermissionDenied("not the buyer's keys"));
    }
    auto encoder = protocol::CreateDownloadEncoder(buyer->x25519, claims->transaction_id, random_);
    if (!encoder.ok()) return http::ErrorResponse(encoder.status());
    Bytes out;
    if (!encoder->Update(product_, out).ok() || !encoder->Finish(out).ok()) {
      return http::ErrorResponse(Internal("encoding failed"));
    }
    if (int64_t at = tamper_offset; at >= 0) out[static_cast<size_t>(at)] ^= 0x01;
    http::Response res = http::Response::Stream(
        200, std::make_unique<http::StringBodySource>(ToString(out)));
    res.headers.Set("Content-Encoding", "aes128gcm");
    res.headers.Set("Content-Disposition", "attachment; filename=\"../Night Drive.flac\"");
    return res;
  }

  SystemRandom random_;
  protocol::Identity clearinghouse_;
  Bytes product_;
  std::unique_ptr<http::Server> server_;
  std::string base_;
  std::mutex mu_;
  std::vector<std::string> keys_;
};

class ClientTest : public ::testing::Test {
 protected:
  ClientTest() {
    std::string tmpl = (fs::temp_directory_path() / "backline-client-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
    fs::create_directory(downloads());
  }
  ~ClientTest() override { fs::remove_all(dir_); }

  void Reset() {
    out_.str("");
    err_.str("");
  }
  ClientContext Context() {
    Reset();
    return ClientContext{.transport = transport_, .clock = SystemClock::Instance(),
                         .random = SystemRandom::Instance(), .out = out_, .err = err_,
                         .getenv = [](const char*) { return std::optional<std::string>(); },
                         .sleep = [](std::chrono::milliseconds) {}};
  }
  std::string identity() const { return (dir_ / "keys" / "identity.json").string(); }
  fs::path downloads() const { return dir_ / "downloads"; }
  void Keygen() {
    ClientContext c = Context();
    ASSERT_EQ(0, RunKeygen({.identity = identity()}, c)) << err_.str();
  }
  int Buy(std::string_view card = "4242424242424242", bool json_out = false) {
    ClientContext c = Context();
    return RunBuy({.merchant_url = shop_.base(), .product_id = std::string(kProductId),
                   .card = std::string(card), .exp = "12/30", .cvc = "123", .json = json_out,
                   .identity = identity()},
                  c);
  }
  std::string BuyUrl() {
    EXPECT_EQ(0, Buy()) << err_.str();
    std::string url = out_.str();
    if (!url.empty()) url.pop_back();
    return url;
  }
  int Download(const std::string& url) {
    ClientContext c = Context();
    return RunDownload({.url = url, .output_dir = downloads().string(), .identity = identity()}, c);
  }

  FakeShop shop_;
  CurlTransport transport_;
  std::ostringstream out_;
  std::ostringstream err_;
  fs::path dir_;
};

TEST_F(ClientTest, KeygenWritesOwnerOnlyFileAndRefusesToOverwrite) {
  Keygen();
  struct stat st {};
  ASSERT_EQ(0, ::stat(identity().c_str(), &st));
  EXPECT_EQ(0600u, st.st_mode & 0777);
  ASSERT_EQ(0, ::stat((dir_ / "keys").c_str(), &st));
  EXPECT_EQ(0700u, st.st_mode & 0777);
  EXPECT_NE(std::string::npos, out_.str().find("ed25519:"));
  const std::string first = ReadFile(identity());

  ClientContext c = Context();
  EXPECT_EQ(1, RunKeygen({.identity = identity()}, c));
  EXPECT_NE(std::string::npos, err_.str().find("--force")) << err_.str();
  EXPECT_EQ(first, ReadFile(identity()));

  Reset();
  EXPECT_EQ(0, RunKeygen({.identity = identity(), .force = true}, c)) << err_.str();
  EXPECT_NE(first, ReadFile(identity()));
  ASSERT_TRUE(protocol::LoadIdentityFile(identity()).ok());
}

TEST_F(ClientTest, KeygenDefaultsToBacklineIdentityThenHome) {
  ClientContext c = Context();
  c.getenv = [this](const char* name) -> std::optional<std::string> {
    if (std::string_view(name) == "HOME") return dir_.string();
    return std::nullopt;
  };
  EXPECT_EQ((dir_ / ".config/backline/identity.json").string(), *IdentityPath("", c));
  c.getenv = [](const char* name) -> std::optional<std::string> {
    if (std::string_view(name) == "BACKLINE_IDENTITY") return "/x/id.json";
    return std::nullopt;
  };
  EXPECT_EQ("/x/id.json", *IdentityPath("", c));
  EXPECT_EQ("/y", *IdentityPath("/y", c));
}

TEST_F(ClientTest, CatalogPrintsTableAndJson) {
  ClientContext c = Context();
  ASSERT_EQ(0, RunCatalog({.merchant_url = shop_.base() + "/"}, c)) << err_.str();
  EXPECT_EQ(
      "ID                          TITLE                       PRICE\n"
      "gvajek75ywivwrnguworn4wwgi  The Examples - Night Drive  12.99 EUR\n",
      out_.str());
  Reset();
  ASSERT_EQ(0, RunCatalog({.merchant_url = shop_.base(), .json = true}, c));
  EXPECT_EQ(1u, json::parse(out_.str()).at("products").as_array().size());
}

TEST_F(ClientTest, BuyPrintsTheDownloadUrl) {
  Keygen();
  std::string url = BuyUrl();
  auto parts = protocol::ParseDownloadUrl(url);
  ASSERT_TRUE(parts.ok()) << url;
  EXPECT_EQ(shop_.base(), parts->base);
  ASSERT_EQ(1u, shop_.idempotency_keys().size());
  EXPECT_EQ(26u, shop_.idempotency_keys()[0].size());
}

TEST_F(ClientTest, BuyJsonPrintsTheOrderResponse) {
  Keygen();
  ASSERT_EQ(0, Buy("4242424242424242", /*json_out=*/true)) << err_.str();
  json::value v = json::parse(out_.str());
  EXPECT_EQ("completed", v.at("status").as_string());
  EXPECT_EQ("4242", v.at("card_last4").as_string());
  EXPECT_TRUE(protocol::OrderResponse::FromJson(v).ok());
}

TEST_F(ClientTest, DeclinedCardPrintsTheReasonAndExits1) {
  Keygen();
  EXPECT_EQ(1, Buy(kDeclinedCard));
  EXPECT_EQ("", out_.str());
  EXPECT_NE(std::string::npos, err_.str().find("payment declined: insufficient_funds"))
      << err_.str();
  EXPECT_EQ(1, Buy(kDeclinedCard, /*json_out=*/true));
  EXPECT_EQ("PAYMENT_DECLINED", json::parse(out_.str()).at("error").at("code").as_string());
}

TEST_F(ClientTest, BuyWithoutIdentityTellsToRunKeygen) {
  EXPECT_EQ(1, Buy());
  EXPECT_NE(std::string::npos, err_.str().find("backline keygen")) << err_.str();
}

// Fails the first `failures` sends as a network error would, then sends.
class FlakyTransport final : public HttpTransport {
 public:
  FlakyTransport(HttpTransport& real, int failures) : real_(real), failures_(failures) {}
  Result<HttpResponse> Send(const HttpRequest& request) override {
    keys.emplace_back(FindHeader(request.headers, "Idempotency-Key").value_or(""));
    if (failures_-- > 0) return Unavailable("connection reset");
    return real_.Send(request);
  }
  Status Stream(const HttpRequest& request, ResponseSink& sink) override {
    return real_.Stream(request, sink);
  }
  std::vector<std::string> keys;

 private:
  HttpTransport& real_;
  int failures_;
};

TEST_F(ClientTest, BuyRetriesANetworkFailureWithTheSameKey) {
  Keygen();
  FlakyTransport flaky(transport_, 2);
  ClientContext c = Context();
  ClientContext flaky_context{.transport = flaky, .clock = c.clock, .random = c.random,
                              .out = out_, .err = err_, .getenv = c.getenv, .sleep = c.sleep};
  ASSERT_EQ(0, RunBuy({.merchant_url = shop_.base(), .product_id = std::string(kProductId),
                       .card = "4242424242424242", .exp = "12/2030", .cvc = "123",
                       .identity = identity()},
                      flaky_context))
      << err_.str();
  ASSERT_EQ(3u, flaky.keys.size());
  EXPECT_EQ(flaky.keys[0], flaky.keys[1]);
  EXPECT_EQ(flaky.keys[0], flaky.keys[2]);
}

TEST_F(ClientTest, DownloadDecryptsToTheExactBytes) {
  Keygen();
  std::string url = BuyUrl();
  ASSERT_EQ(0, Download(url)) << err_.str();
  fs::path path = downloads() / "Night Drive.flac";
  EXPECT_EQ(path.string() + "\n", out_.str());
  EXPECT_EQ(ToString(shop_.product()), ReadFile(path));
  EXPECT_EQ(std::vector<std::string>{"Night Drive.flac"}, ListDir(downloads()));

  // Again: never replaces the first file.
  ASSERT_EQ(0, Download(url)) << err_.str();
  EXPECT_EQ(ToString(shop_.product()), ReadFile(downloads() / "Night Drive (1).flac"));
}

TEST_F(ClientTest, TamperedByteFailsAndLeavesNoFile) {
  Keygen();
  std::string url = BuyUrl();
  shop_.tamper_offset = 100'000;  // inside the second record
  EXPECT_EQ(1, Download(url));
  EXPECT_NE(std::string::npos, err_.str().find("UNAUTHENTICATED")) << err_.str();
  EXPECT_EQ("", out_.str());
  EXPECT_TRUE(ListDir(downloads()).empty());
}

TEST_F(ClientTest, WrongContentHashFailsAndLeavesNoFile) {
  Keygen();
  shop_.wrong_hash = true;
  std::string url = BuyUrl();
  EXPECT_EQ(1, Download(url));
  EXPECT_NE(std::string::npos, err_.str().find("SHA-256")) << err_.str();
  EXPECT_TRUE(ListDir(downloads()).empty());
}

TEST_F(ClientTest, DownloadWithAnotherIdentityIsRefused) {
  Keygen();
  std::string url = BuyUrl();
  ClientContext c = Context();
  std::string other = (dir_ / "other.json").string();
  ASSERT_EQ(0, RunKeygen({.identity = other}, c));
  Reset();
  EXPECT_EQ(1, RunDownload({.url = url, .output_dir = downloads().string(), .identity = other}, c));
  EXPECT_NE(std::string::npos, err_.str().find("PERMISSION_DENIED")) << err_.str();
  EXPECT_TRUE(ListDir(downloads()).empty());
}

TEST_F(ClientTest, CommandsRunThroughTheCli) {
  ClientContext c = Context();
  auto run = [&](const std::string& line) {
    CLI::App app{"test", "backline"};
    AddClientCommands(app, &c);
    try {
      app.parse(line, /*program_name_included=*/false);
    } catch (const CLI::ParseError& e) {
      return app.exit(e, out_, err_);
    }
    return -1;
  };
  EXPECT_EQ(0, run("keygen --identity " + identity()));
  out_.str("");
  EXPECT_EQ(0, run("buy " + shop_.base() + " " + std::string(kProductId) +
                   " --card 4242424242424242 --exp 12/30 --cvc 123 --identity " + identity()));
  std::string url = out_.str();
  url.pop_back();
  out_.str("");
  EXPECT_EQ(0, run("download " + url + " -o " + downloads().string() + " --identity " +
                   identity()))
      << err_.str();
  EXPECT_EQ(ToString(shop_.product()), ReadFile(downloads() / "Night Drive.flac"));
  EXPECT_NE(0, run("buy " + shop_.base()));  // missing arguments
}

TEST(SafeFileNameTest, KeepsABaseNameOfSafeCharacters) {
  EXPECT_EQ("a.flac", SafeFileName("attachment; filename=\"a.flac\"", "id"));
  EXPECT_EQ("passwd", SafeFileName("attachment; filename=\"../../etc/passwd\"", "id"));
  EXPECT_EQ("x_y.mp3", SafeFileName("attachment; filename=x$y.mp3; size=3", "id"));
  EXPECT_EQ("id", SafeFileName("attachment; filename=\"..\"", "id"));
  EXPECT_EQ("bashrc", SafeFileName("attachment; filename=\".bashrc\"", "id"));
  EXPECT_EQ("id", SafeFileName("", "id"));
}

TEST(FormatPriceTest, UsesTheCurrencyExponent) {
  EXPECT_EQ("12.99 EUR", FormatPrice({1299, "EUR"}));
  EXPECT_EQ("0.05 USD", FormatPrice({5, "USD"}));
  EXPECT_EQ("1299 JPY", FormatPrice({1299, "JPY"}));
  EXPECT_EQ("1.299 KWD", FormatPrice({1299, "KWD"}));
}

TEST(ParseCardExpiryTest, AcceptsMonthSlashYear) {
  protocol::PaymentCard card;
  ASSERT_TRUE(ParseCardExpiry("07/31", card).ok());
  EXPECT_EQ(7, card.exp_month);
  EXPECT_EQ(2031, card.exp_year);
  EXPECT_FALSE(ParseCardExpiry("13/31", card).ok());
  EXPECT_FALSE(ParseCardExpiry("0731", card).ok());
}

}  // namespace
}  // namespace backline::client
