// The delivery node on a real http::Server (127.0.0.1, port 0), its outbox on
// a real SQLite file, against a small fake clearinghouse: a real server with
// the slot, complete and abort endpoints of docs/protocol.md section 6, the
// real protocol verification (RFC 9421 service signatures, delivery tokens)
// and in-memory counters. The end-to-end test against the real clearinghouse
// comes with the node wiring (tests/e2e).
//
// The buyer is a raw socket: it signs the URL it was given
// (http://delivery.test/...), which the node rebuilds from delivery.public_url,
// as behind a proxy.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "base/bytes.h"
#include "delivery/delivery_role.h"
#include "http/error.h"
#include "http/json.h"
#include "http/server.h"
#include "http/test_util.h"
#include "protocol/download.h"
#include "protocol/json_fields.h"
#include "protocol/request_signing.h"

namespace backline::delivery {
namespace {

using http::Request;
using http::Response;
using protocol::Identity;

constexpr std::string_view kPublicUrl = "http://delivery.test";

std::string MakeTempDir(const std::string& name) {
  std::string templ = ::testing::TempDir() + name + "_XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) return {};
  return templ;
}

template <typename F>
bool WaitFor(F condition, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

// Just enough clearinghouse for a delivery node: verifies every request like
// the real one must, counts slots per transaction against the token's limit.
class FakeClearinghouse {
 public:
  FakeClearinghouse(const Clock& clock, const Identity& me) : clock_(clock), me_(me) {
    http::Router router;
    router.Post(protocol::kDeliveriesPath, [this](const Request& r) { return Claim(r); });
    router.Post("/v1/deliveries/{id}/complete", [this](const Request& r) { return Complete(r); });
    router.Post("/v1/deliveries/{id}/abort", [this](const Request& r) { return Abort(r); });
    server_ = std::make_unique<http::Server>(std::move(router), http::ServerOptions{});
    port_ = *server_->Listen("127.0.0.1", 0);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void SetNodeKey(const crypto::Ed25519PublicKey& key) {
    std::lock_guard lock(mu_);
    node_key_ = key;
  }

  std::atomic<int> claims{0};
  std::atomic<int> completions{0};
  std::atomic<int> completion_posts{0};
  std::atomic<int> aborts{0};
  std::atomic<int> fail_completions{0};  // answer 503 this many times
  std::mutex mu_;
  std::vector<protocol::CompletionRequest> completed;  // under mu_

 private:
  Result<std::string> Verify(const Request& r) {
    std::vector<protocol::HeaderField> fields;
    for (const auto& [n, v] : r.headers) fields.emplace_back(n, v);
    return protocol::VerifyServiceRequest(
        {.method = r.method, .target_uri = url() + r.target, .headers = fields, .body = r.body},
        [this](std::string_view keyid) -> Result<crypto::Ed25519PublicKey> {
          std::lock_guard lock(mu_);
          if (keyid != "delivery-1") return NotFound("unknown node");
          return node_key_;
        },
        clock_);
  }

  Response Claim(const Request& r) {
    if (Result<std::string> node = Verify(r); !node.ok()) return http::ErrorResponse(node.status());
    auto body = protocol::ParseJsonObject(r.body, "delivery-claim-request");
    if (!body.ok()) return http::ErrorResponse(body.status());
    auto claim = protocol::DeliveryClaimRequest::FromJson(*body);
    if (!claim.ok()) return http::ErrorResponse(claim.status());
    auto token = protocol::VerifyDeliveryToken(claim->delivery_token, me_.ed25519().public_key(),
                                               clock_, {.transaction_id = claim->transaction_id});
    if (!token.ok()) return http::ErrorResponse(token.status());
    std::lock_guard lock(mu_);
    int& used = slots_[claim->transaction_id.ToBase32()];
    if (used >= token->limit) {
      return http::ErrorResponse(
          PermissionDenied("download limit of " + std::to_string(token->limit) + " reached"));
    }
    ++used;
    ++claims;
    Id delivery = Id::Random(random_);
    protocol::DeliveryClaim answer{.delivery_id = delivery,
                                   .transaction_id = claim->transaction_id,
                                   .lease_expires_at = clock_.Now() + std::chrono::hours(1)};
    return http::JsonResponse(201, answer.ToJson());
  }

  Response Complete(const Request& r) {
    ++completion_posts;
    if (fail_completions > 0) {
      --fail_completions;
      return http::ErrorResponse(Unavailable("briefly down"));
    }
    if (Result<std::string> node = Verify(r); !node.ok()) return http::ErrorResponse(node.status());
    auto body = protocol::ParseJsonObject(r.body, "completion");
    if (!body.ok()) return http::ErrorResponse(body.status());
    auto completion = protocol::CompletionRequest::FromJson(*body);
    if (!completion.ok()) return http::ErrorResponse(completion.status());
    std::lock_guard lock(mu_);
    if (!done_.insert(completion->delivery_id.ToBase32()).second) {
      return http::JsonResponse(200, {{"status", "already complete"}});
    }
    completed.push_back(*completion);
    ++completions;
    return http::JsonResponse(200, {{"status", "complete"}});
  }

  Response Abort(const Request& r) {
    if (Result<std::string> node = Verify(r); !node.ok()) return http::ErrorResponse(node.status());
    ++aborts;
    return http::JsonResponse(200, {{"status", "aborted"}});
  }

  const Clock& clock_;
  const Identity& me_;
  SystemRandom& random_ = SystemRandom::Instance();
  crypto::Ed25519PublicKey node_key_{};
  std::map<std::string, int> slots_;
  std::set<std::string> done_;
  std::unique_ptr<http::Server> server_;
  uint16_t port_ = 0;
};

class DeliveryHttpTest : public ::testing::Test {
 protected:
  DeliveryHttpTest()
      : clock_(static_cast<int64_t>(std::time(nullptr))),
        random_(42),
        ch_identity_(Identity::Generate(random_)),
        buyer_(Identity::Generate(random_)),
        other_(Identity::Generate(random_)),
        clearinghouse_(clock_, ch_identity_),
        dir_(MakeTempDir("backline_delivery")) {}
  ~DeliveryHttpTest() override {
    StopNode();
    std::filesystem::remove_all(dir_);
  }

  void StartNode() {
    Config config;
    config.Set("delivery.data_dir", dir_ + "/node");
    config.Set("delivery.public_url", std::string(kPublicUrl));
    config.Set("delivery.content_dir", dir_ + "/content");
    config.Set("delivery.clearinghouse_url", clearinghouse_.url());
    config.Set("delivery.clearinghouse_ed25519",
               Base64UrlEncode(ch_identity_.ed25519().public_key()));
    config.Set("delivery.retry_initial_backoff", "50ms");
    config.Set("delivery.retry_max_backoff", "200ms");
    auto role = DeliveryRole::Create(config, clock_, SystemRandom::Instance());
    ASSERT_TRUE(role.ok()) << role.status().ToString();
    role_ = *std::move(role);
    clearinghouse_.SetNodeKey(role_->public_keys().ed25519);
    http::Router router;
    role_->RegisterRoutes(router);
    http::ServerOptions options;
    options.threads = 2;
    server_ = std::make_unique<http::Server>(std::move(router), std::move(options));
    port_ = *server_->Listen("127.0.0.1", 0);
  }
  void StopNode() {
    if (server_) server_->Stop(std::chrono::seconds(2));
    server_.reset();
    role_.reset();
  }

  // Puts `size` random bytes in the content store; returns them.
  Bytes AddContent(size_t size) {
    Bytes data(size);
    random_.Fill(data);
    crypto::Sha256Digest digest = crypto::Sha256(data);
    std::string path = ContentPath(dir_ + "/content", digest);
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(size));
    return data;
  }

  std::string Token(const Id& txn, const Bytes& content, int64_t limit = 3,
                    std::chrono::seconds ttl = std::chrono::hours(1)) {
    return protocol::SignDeliveryToken(
        {.transaction_id = txn,
         .product_id = Id::Random(random_),
         .binding = protocol::BindingDigest(buyer_.public_keys()),
         .content_sha256 = crypto::Sha256(content),
         .content_size = static_cast<int64_t>(content.size()),
         .limit = limit,
         .issued_at = clock_.Now(),
         .expires_at = clock_.Now() + ttl},
        ch_identity_.ed25519());
  }

  // The raw request of a buyer who was given `url` and signs it as `signer`
  // (or not at all); `tamper` is appended after signing.
  std::string RawGet(const std::string& url, const Identity* signer, std::string_view tamper = "") {
    std::string target = url.substr(kPublicUrl.size()) + std::string(tamper);
    std::string headers;
    if (signer != nullptr) {
      auto signed_headers = protocol::SignDownloadRequest(url, *signer, clock_);
      EXPECT_TRUE(signed_headers.ok());
      for (const auto& [n, v] : *signed_headers) headers += n + ": " + v + "\r\n";
    }
    return "GET " + target + " HTTP/1.1\r\nHost: delivery.test\r\n" + headers + "\r\n";
  }

  std::optional<http::testing::ParsedResponse> Get(const std::string& raw) {
    http::testing::TestSocket socket(port_);
    EXPECT_TRUE(socket.Send(raw));
    return socket.ReadResponse(std::chrono::seconds(10));
  }

  Result<Bytes> Decrypt(const Id& txn, const std::string& body) {
    BL_ASSIGN_OR_RETURN(auto decoder, protocol::CreateDownloadDecoder(buyer_.x25519(), txn));
    Bytes plain;
    BL_RETURN_IF_ERROR(decoder.Update(AsBytes(body), plain));
    BL_RETURN_IF_ERROR(decoder.Finish(plain));
    return plain;
  }

  // Expects a 4xx JSON error with `code`, and no slot, completion or abort.
  void ExpectRefused(const std::string& raw, int status, std::string_view code) {
    auto response = Get(raw);
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, status) << response->body;
    EXPECT_EQ(StatusCodeName(http::StatusFromResponse(response->status, response->body).code()),
              code)
        << response->body;
    EXPECT_NE(response->body.find("\"message\""), std::string::npos);
    EXPECT_EQ(clearinghouse_.claims.load(), 0);
    EXPECT_EQ(clearinghouse_.completion_posts.load(), 0);
  }

  FakeClock clock_;
  DeterministicRandom random_;
  Identity ch_identity_, buyer_, other_;
  FakeClearinghouse clearinghouse_;
  std::string dir_;
  std::unique_ptr<DeliveryRole> role_;
  std::unique_ptr<http::Server> server_;
  uint16_t port_ = 0;
};

TEST_F(DeliveryHttpTest, BuyerDownloadsAndDecryptsTheContentThenCompletionIsRecorded) {
  StartNode();
  Bytes content = AddContent(300'000);
  Id txn = Id::Random(random_);
  auto response = Get(RawGet(protocol::DownloadUrl(kPublicUrl, txn, Token(txn, content)), &buyer_));
  ASSERT_TRUE(response.has_value());
  ASSERT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(response->headers.Get("Content-Type"), "application/octet-stream");
  EXPECT_EQ(response->headers.Get("Content-Encoding"), "aes128gcm");
  EXPECT_EQ(response->headers.Get("Content-Length"),
            std::to_string(protocol::DownloadEncryptedSize(content.size())));
  Result<Bytes> plain = Decrypt(txn, response->body);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(*plain, content);

  ASSERT_TRUE(WaitFor([&] { return clearinghouse_.completions.load() == 1; }));
  std::lock_guard lock(clearinghouse_.mu_);
  EXPECT_EQ(clearinghouse_.completed[0].transaction_id, txn);
  EXPECT_EQ(clearinghouse_.completed[0].content_sha256, crypto::Sha256(content));
  EXPECT_EQ(clearinghouse_.completed[0].content_size, 300'000);
  EXPECT_EQ(clearinghouse_.aborts.load(), 0);
}

TEST_F(DeliveryHttpTest, BadInputsAreClear4xxErrorsAndClaimNothing) {
  StartNode();
  Bytes content = AddContent(1000);
  Id txn = Id::Random(random_);
  std::string url = protocol::DownloadUrl(kPublicUrl, txn, Token(txn, content));

  // Another transaction's token, on this transaction's URL.
  Id other_txn = Id::Random(random_);
  ExpectRefused(RawGet(protocol::DownloadUrl(kPublicUrl, txn, Token(other_txn, content)), &buyer_),
                403, "PERMISSION_DENIED");
  ExpectRefused(RawGet(url, &other_), 403, "PERMISSION_DENIED");  // signed by another key
  ExpectRefused(RawGet(url, &buyer_, "x"), 401, "UNAUTHENTICATED");  // tampered URL
  ExpectRefused(RawGet(url, nullptr), 401, "UNAUTHENTICATED");       // missing signature
  ExpectRefused(RawGet(protocol::DownloadPath(txn).insert(0, kPublicUrl), &buyer_), 400,
                "INVALID_ARGUMENT");  // no token at all

  std::string stale = RawGet(url, &buyer_);
  clock_.Advance(std::chrono::seconds(301));
  ExpectRefused(stale, 401, "UNAUTHENTICATED");  // stale signature

  clock_.Advance(std::chrono::hours(2));  // the token (1 h) has expired
  ExpectRefused(RawGet(url, &buyer_), 401, "UNAUTHENTICATED");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(clearinghouse_.aborts.load(), 0);
}

TEST_F(DeliveryHttpTest, DownloadLimitReachedPassesThe403Through) {
  StartNode();
  Bytes content = AddContent(100);
  Id txn = Id::Random(random_);
  std::string url = protocol::DownloadUrl(kPublicUrl, txn, Token(txn, content, /*limit=*/1));
  auto first = Get(RawGet(url, &buyer_));
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->status, 200);
  auto second = Get(RawGet(url, &buyer_));
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->status, 403);
  Status s = http::StatusFromResponse(second->status, second->body);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(), "download limit of 1 reached");
  ASSERT_TRUE(WaitFor([&] { return clearinghouse_.completions.load() == 1; }));
}

TEST_F(DeliveryHttpTest, InterruptedStreamSendsAbortAndNoCompletion) {
  StartNode();
  Bytes content = AddContent(32 << 20);
  Id txn = Id::Random(random_);
  std::string url = protocol::DownloadUrl(kPublicUrl, txn, Token(txn, content));
  {
    http::testing::TestSocket socket(port_, /*receive_buffer=*/4096);
    ASSERT_TRUE(socket.Send(RawGet(url, &buyer_)));
    std::string got = socket.Receive(4096, std::chrono::seconds(5));
    ASSERT_NE(got.find("200"), std::string::npos);
  }  // the buyer goes away mid-stream
  ASSERT_TRUE(WaitFor([&] { return clearinghouse_.aborts.load() == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(clearinghouse_.completion_posts.load(), 0);
  EXPECT_EQ(clearinghouse_.claims.load(), 1);
}

TEST_F(DeliveryHttpTest, CompletionIsRetriedWhileTheClearinghouseAnswers503) {
  StartNode();
  clearinghouse_.fail_completions = 3;
  Bytes content = AddContent(5000);
  Id txn = Id::Random(random_);
  auto response = Get(RawGet(protocol::DownloadUrl(kPublicUrl, txn, Token(txn, content)), &buyer_));
  ASSERT_TRUE(response.has_value());
  ASSERT_EQ(response->status, 200);
  ASSERT_TRUE(WaitFor([&] { return clearinghouse_.completions.load() == 1; }));
  EXPECT_EQ(clearinghouse_.completion_posts.load(), 4);
  ASSERT_TRUE(WaitFor([&] { return role_->sender().stats().acknowledged == 1; }));
  ASSERT_TRUE(WaitFor([&] { return role_->outbox().Pending()->empty(); }));
}

TEST_F(DeliveryHttpTest, OutboxSurvivesARestartOfTheNode) {
  StartNode();
  clearinghouse_.fail_completions = 1'000'000;  // down for as long as this node lives
  Bytes content = AddContent(5000);
  Id txn = Id::Random(random_);
  auto response = Get(RawGet(protocol::DownloadUrl(kPublicUrl, txn, Token(txn, content)), &buyer_));
  ASSERT_TRUE(response.has_value());
  ASSERT_EQ(response->status, 200);
  ASSERT_TRUE(WaitFor([&] { return role_->outbox().Pending()->size() == 1; }));
  StopNode();
  EXPECT_EQ(clearinghouse_.completions.load(), 0);

  clearinghouse_.fail_completions = 0;  // back up
  StartNode();                          // replays the outbox
  ASSERT_TRUE(WaitFor([&] { return clearinghouse_.completions.load() == 1; }));
  ASSERT_TRUE(WaitFor([&] { return role_->outbox().Pending()->empty(); }));
  std::lock_guard lock(clearinghouse_.mu_);
  EXPECT_EQ(clearinghouse_.completed[0].transaction_id, txn);
}

}  // namespace
}  // namespace backline::delivery
