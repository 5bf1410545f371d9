// Killing the merchant in the middle of an order never leaves an
// authorization that is neither captured for a delivered purchase nor voided,
// once it restarts. Real processes (four_roles.h): the merchant dies by
// SIGKILL at chosen points of an order (its peers held with SIGSTOP so the
// point is exact) and at random moments; the authority's own API is the judge.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "http/client.h"
#include "tests/e2e/four_roles.h"

namespace backline {
namespace {

using namespace std::chrono_literals;
using testing::FourRoles;
using testing::kProductId;
using testing::Process;
using testing::ReadFile;

constexpr auto kWait = 20s;  // the bound of every poll

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

class RecoveryTest : public ::testing::Test {
 public:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(roles_.Init({.product_size = 4096}));
    ASSERT_NO_FATAL_FAILURE(roles_.StartAll());
    auto [keygen, out] = roles_.Cli({"keygen"});
    ASSERT_EQ(0, keygen) << out;
  }

  // The buyer's `backline buy`, left running.
  std::unique_ptr<Process> StartBuy() {
    return std::make_unique<Process>(
        BACKLINE_BINARY,
        std::vector<std::string>{"buy", roles_.Url("merchant"), kProductId, "--card",
                                 "4242424242424242", "--exp", "12/30", "--cvc", "123",
                                 "--identity", roles_.BuyerIdentityPath()});
  }

  // The newest order's status in the merchant's database ("" if none).
  std::string NewestOrderStatus() {
    auto lines = Lines(roles_.Query(
        "merchant", "SELECT status FROM orders ORDER BY created_at DESC, rowid DESC LIMIT 1;"));
    return lines.empty() ? "" : lines[0];
  }

  // Polls until the newest order is in `status`.
  void WaitForOrder(const std::string& status) {
    auto deadline = std::chrono::steady_clock::now() + kWait;
    std::string now;
    while ((now = NewestOrderStatus()) != status) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline)
          << "order never reached " << status << "; last seen '" << now << "'";
      std::this_thread::sleep_for(5ms);
    }
  }

  // True once some connection accepted on `port` has bytes its (paused)
  // server has not read yet: the request is on its way and cannot be
  // taken back by the client's death.
  static bool RequestQueuedAt(uint16_t port) {
    std::ifstream in("/proc/net/tcp");
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string sl, local, remote, state, queues;
      fields >> sl >> local >> remote >> state >> queues;
      if (state != "01" || local.size() < 5) continue;  // ESTABLISHED
      if (std::stoul(local.substr(local.find(':') + 1), nullptr, 16) != port) continue;
      if (std::stoul(queues.substr(queues.find(':') + 1), nullptr, 16) > 0) return true;
    }
    return false;
  }

  void WaitForRequestQueuedAt(const std::string& role) {
    auto deadline = std::chrono::steady_clock::now() + kWait;
    while (!RequestQueuedAt(roles_.Port(role))) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "no request reached " << role;
      std::this_thread::sleep_for(5ms);
    }
  }

  std::string AuthorizationStatus(const std::string& id) {
    auto r = client_.SendBlocking(http::ClientRequest::Get(
        roles_.Url("payment") + "/v1/authorizations/" + id + "?merchant_id=merchant-1"));
    if (!r.ok() || r->status != 200) return "(unreadable)";
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(r->body, ec);
    if (ec || !v.is_object() || !v.as_object().contains("status")) return "(bad body)";
    return std::string(v.at("status").as_string());
  }

  // The invariant, once the merchant has restarted: every authorization the
  // authority ever made is voided, or captured for an order that completed
  // with a download URL that delivers the product.
  void ExpectEveryAuthorizationSettled() {
    std::vector<std::string> ids = Lines(roles_.Query("payment", "SELECT id FROM authorizations;"));
    for (const std::string& id : ids) {
      std::string status = AuthorizationStatus(id);
      std::string order = roles_.Query(
          "merchant", "SELECT id, status, COALESCE(download_url, '') FROM orders "
                      "WHERE authorization_id = '" + id + "';");
      SCOPED_TRACE("authorization " + id + " (" + status + "), merchant's order: " + order);
      if (status == "voided") continue;
      ASSERT_EQ("captured", status) << "an authorization neither captured nor voided";
      auto row = Lines(order);
      ASSERT_EQ(1u, row.size());
      auto url_at = row[0].rfind('|');
      ASSERT_NE(std::string::npos, row[0].find("|completed|"));
      ExpectDownloadWorks(row[0].substr(url_at + 1));
    }
    last_authorization_count_ = ids.size();
  }

  void ExpectDownloadWorks(const std::string& url) {
    ASSERT_EQ(0u, url.find(roles_.Url("delivery") + "/v1/downloads/")) << url;
    std::string out_dir = roles_.root() + "/downloads";
    std::filesystem::create_directories(out_dir);
    auto [code, out] = roles_.Cli({"download", url, "-o", out_dir});
    ASSERT_EQ(0, code) << out;
    EXPECT_EQ(roles_.product(), ReadFile(FourRoles::LastLine(out)));
  }

  FourRoles roles_;
  http::Client client_{{.total_timeout = 10s}};
  size_t last_authorization_count_ = 0;
};

// Walks an order to `authorized` with its payment request waiting at a
// paused clearinghouse: each peer is paused before the merchant calls it, so
// the point is exact whatever the machine's load.
// The caller pauses the authority before sending the order.
void HoldAtAuthorized(RecoveryTest& t, FourRoles& roles) {
  ASSERT_NO_FATAL_FAILURE(t.WaitForOrder("reserved"));
  ASSERT_NO_FATAL_FAILURE(t.WaitForRequestQueuedAt("payment"));
  roles.Pause("clearinghouse");  // before the merchant can send the payment
  roles.Resume("payment");
  ASSERT_NO_FATAL_FAILURE(t.WaitForOrder("authorized"));
  ASSERT_NO_FATAL_FAILURE(t.WaitForRequestQueuedAt("clearinghouse"));
}

// Dies at `authorized` while its payment request waits at a paused
// clearinghouse; the clearinghouse then records the payment anyway.
TEST_F(RecoveryTest, KilledWhileTheClearinghouseHoldsThePayment) {
  roles_.Pause("payment");
  auto buy = StartBuy();
  ASSERT_NO_FATAL_FAILURE(HoldAtAuthorized(*this, roles_));
  roles_.Kill("merchant");
  roles_.Resume("clearinghouse");
  ASSERT_NO_FATAL_FAILURE(roles_.Start("merchant"));

  EXPECT_EQ("voided", NewestOrderStatus());
  ASSERT_NO_FATAL_FAILURE(ExpectEveryAuthorizationSettled());
  EXPECT_EQ(1u, last_authorization_count_);
  EXPECT_NE(0, buy->Wait(10s));
}

// Dies at `paid` (acknowledged by the clearinghouse) while its capture waits
// at a paused authority: the restart captures and completes the order.
TEST_F(RecoveryTest, KilledBeforeTheCaptureCompletesTheOrderOnRestart) {
  roles_.Pause("payment");
  auto buy = StartBuy();
  ASSERT_NO_FATAL_FAILURE(HoldAtAuthorized(*this, roles_));
  roles_.Pause("payment");  // before the merchant can capture
  roles_.Resume("clearinghouse");
  ASSERT_NO_FATAL_FAILURE(WaitForOrder("paid"));
  ASSERT_NO_FATAL_FAILURE(WaitForRequestQueuedAt("payment"));
  roles_.Kill("merchant");
  roles_.Resume("payment");
  ASSERT_NO_FATAL_FAILURE(roles_.Start("merchant"));

  EXPECT_EQ("completed", NewestOrderStatus());
  ASSERT_NO_FATAL_FAILURE(ExpectEveryAuthorizationSettled());
  EXPECT_EQ(1u, last_authorization_count_);
  // The CLI retries with its Idempotency-Key and may get the completed order.
  buy->Wait(10s);
}

// Dies after sending the authorization request and before reading the
// answer: the authority commits the authorization, the merchant's order is
// still `reserved`. The restart looks the authorization up by its derived
// Idempotency-Key at the authority and voids it.
TEST_F(RecoveryTest, KilledWhileTheAuthorityHoldsTheAuthorization) {
  roles_.Pause("payment");
  auto buy = StartBuy();
  ASSERT_NO_FATAL_FAILURE(WaitForOrder("reserved"));
  ASSERT_NO_FATAL_FAILURE(WaitForRequestQueuedAt("payment"));
  roles_.Kill("merchant");
  roles_.Resume("payment");
  // The authority answers the dead merchant; wait until it has committed.
  auto deadline = std::chrono::steady_clock::now() + kWait;
  while (roles_.Count("payment", "authorizations") < 1 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_NO_FATAL_FAILURE(roles_.Start("merchant"));
  ASSERT_NO_FATAL_FAILURE(ExpectEveryAuthorizationSettled());
  EXPECT_NE(0, buy->Wait(10s));
}

// Orders killed at random short delays after they are sent, then one last
// restart: whatever the moment, nothing is left authorized.
TEST_F(RecoveryTest, KilledAtRandomMomentsLeavesNothingAuthorized) {
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> delay_ms(0, 150);
  for (int i = 0; i < 6; ++i) {
    int delay = delay_ms(rng);
    SCOPED_TRACE("order " + std::to_string(i) + " killed after " + std::to_string(delay) +
                 " ms");
    auto buy = StartBuy();
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    roles_.Kill("merchant");
    buy->Wait(10s);
    ASSERT_NO_FATAL_FAILURE(roles_.Start("merchant"));
  }
  ASSERT_NO_FATAL_FAILURE(ExpectEveryAuthorizationSettled());
  std::string states = roles_.Query("merchant", "SELECT status, COUNT(*) FROM orders GROUP BY 1;");
  for (const std::string& row : Lines(states)) {
    std::string status = row.substr(0, row.find('|'));
    EXPECT_TRUE(status == "completed" || status == "voided" || status == "failed") << states;
  }
  RecordProperty("orders", states);
}

}  // namespace
}  // namespace backline
