// One purchase end to end, as separate parties run it: each role is its own
// `backline serve ROLE` process with its own config file, data folder, keys
// and SQLite store, talking HTTP over loopback; the buyer is the `backline`
// command-line client.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include "base/bytes.h"
#include "base/random.h"
#include "http/client.h"
#include "payment/payment_keys.h"
#include "protocol/identity.h"
#include "tests/e2e/process.h"

namespace backline {
namespace {

using testing::FreePort;
using testing::Process;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

constexpr char kProductId[] = "aaaaaaaaaaaaaaaaaaaaaaaaaa";
constexpr char kMissingProductId[] = "aaaaaaaaaaaaaaaaaaaaaaaaae";

// Four roles in four processes, wired by config files the way separate hosts
// would be.
class PurchaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.path();
    for (const char* role : {"payment", "clearinghouse", "delivery", "merchant"}) {
      ports_[role] = FreePort();
      std::filesystem::create_directories(root_ + "/" + role);
      std::filesystem::permissions(root_ + "/" + role, std::filesystem::perms::owner_all);
    }
    SystemRandom& random = SystemRandom::Instance();
    auto payment_keys = payment::LoadOrCreateKeyFile(root_ + "/payment/payment.key", random);
    ASSERT_TRUE(payment_keys.ok()) << payment_keys.status().ToString();
    protocol::Identity ch = protocol::Identity::Generate(random);
    protocol::Identity merchant = protocol::Identity::Generate(random);
    protocol::Identity delivery = protocol::Identity::Generate(random);
    ASSERT_TRUE(protocol::SaveIdentityFile(ch, root_ + "/clearinghouse/identity.json").ok());
    ASSERT_TRUE(protocol::SaveIdentityFile(merchant, root_ + "/merchant/identity.json").ok());
    ASSERT_TRUE(protocol::SaveIdentityFile(delivery, root_ + "/delivery/identity.json").ok());

    // The product: 1 MiB of random bytes plus a recognisable tail.
    product_.resize(1 << 20);
    random.Fill(std::span(reinterpret_cast<uint8_t*>(product_.data()), product_.size()));
    product_ += "the end";
    WriteFile(root_ + "/product.bin", product_);

    std::string content = root_ + "/content";
    Write("payment", "");
    Write("clearinghouse",
          "[clearinghouse]\n"
          "content_dir = \"" + content + "\"\n"
          "payment_ed25519 = \"" + Base64UrlEncode(payment_keys->signing.public_key()) + "\"\n"
          "[[clearinghouse.merchants]]\nid = \"merchant-1\"\n"
          "x25519 = \"" + Base64UrlEncode(merchant.public_keys().x25519) + "\"\n"
          "[[clearinghouse.delivery_nodes]]\nid = \"delivery-1\"\n"
          "ed25519 = \"" + Base64UrlEncode(delivery.public_keys().ed25519) + "\"\n"
          "url = \"" + Url("delivery") + "\"\n"
          "[[clearinghouse.products]]\nid = \"" + kProductId + "\"\n"
          "title = \"Test Pressing\"\nfile = \"" + root_ + "/product.bin\"\n"
          "wholesale_amount = 700\ncurrency = \"EUR\"\ndownload_limit = 2\n");
    Write("delivery",
          "[delivery]\ncontent_dir = \"" + content + "\"\n"
          "clearinghouse_url = \"" + Url("clearinghouse") + "\"\n"
          "clearinghouse_ed25519 = \"" + Base64UrlEncode(ch.public_keys().ed25519) + "\"\n");
    Write("merchant",
          "[merchant]\nclearinghouse_url = \"" + Url("clearinghouse") + "\"\n"
          "clearinghouse_x25519 = \"" + Base64UrlEncode(ch.public_keys().x25519) + "\"\n"
          "payment_url = \"" + Url("payment") + "\"\n");

    for (const char* role : {"payment", "clearinghouse", "delivery", "merchant"}) Start(role);
  }

  std::string Url(const std::string& role) {
    return "http://127.0.0.1:" + std::to_string(ports_[role]);
  }

  void Write(const std::string& role, const std::string& toml) {
    WriteFile(root_ + "/" + role + ".toml", toml);
  }

  void Start(const std::string& role) {
    procs_[role] = std::make_unique<Process>(BACKLINE_BINARY, std::vector<std::string>{
        "serve", role, "--config", root_ + "/" + role + ".toml", "--port",
        std::to_string(ports_[role]), "--data-dir", root_, "--log-level", "warn"});
    std::string out = procs_[role]->ReadUntil("listening on", std::chrono::seconds(30));
    ASSERT_NE(std::string::npos, out.find("listening on")) << role << ": " << out;
  }

  // Runs the CLI to completion; returns its exit code and output.
  std::pair<int, std::string> Cli(std::vector<std::string> args) {
    if (args[0] != "catalog") {
      args.push_back("--identity");
      args.push_back(root_ + "/buyer.json");
    }
    Process p(BACKLINE_BINARY, args);
    std::string out = p.ReadUntil("\x01never", std::chrono::seconds(60));
    return {p.Wait(std::chrono::seconds(60)), out};
  }

  static std::string LastLine(const std::string& out) {
    std::string s = out;
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s.substr(s.rfind('\n') == std::string::npos ? 0 : s.rfind('\n') + 1);
  }

  TempDir dir_;
  std::string root_;
  std::string product_;
  std::map<std::string, uint16_t> ports_;
  std::map<std::string, std::unique_ptr<Process>> procs_;
};

TEST_F(PurchaseTest, BuyThenDownloadGivesTheExactProduct) {
  auto [keygen, kout] = Cli({"keygen"});
  ASSERT_EQ(0, keygen) << kout;

  auto [catalog, cout] = Cli({"catalog", Url("merchant")});
  ASSERT_EQ(0, catalog) << cout;
  EXPECT_NE(std::string::npos, cout.find("Test Pressing")) << cout;
  EXPECT_NE(std::string::npos, cout.find("9.10 EUR")) << cout;  // 700 marked up 30 %

  auto [buy, bout] = Cli({"buy", Url("merchant"), kProductId, "--card", "4242424242424242",
                          "--exp", "12/30", "--cvc", "123"});
  ASSERT_EQ(0, buy) << bout;
  std::string url = LastLine(bout);
  ASSERT_EQ(0u, url.find(Url("delivery") + "/v1/downloads/")) << bout;

  std::string out_dir = root_ + "/downloads";
  std::filesystem::create_directories(out_dir);
  auto [download, dout] = Cli({"download", url, "-o", out_dir});
  ASSERT_EQ(0, download) << dout;
  std::string saved = LastLine(dout);
  EXPECT_EQ(product_, ReadFile(saved)) << "saved to " << saved;

  // The limit of 2: one more download works, the third is refused.
  auto [second, sout] = Cli({"download", url, "-o", out_dir});
  EXPECT_EQ(0, second) << sout;
  auto [third, tout] = Cli({"download", url, "-o", out_dir});
  EXPECT_NE(0, third) << tout;
  EXPECT_NE(std::string::npos, tout.find("download limit")) << tout;
}

TEST_F(PurchaseTest, DeclinedCardReservesAndRecordsNothing) {
  ASSERT_EQ(0, Cli({"keygen"}).first);
  auto [buy, out] = Cli({"buy", Url("merchant"), kProductId, "--card", "4000000000000002",
                         "--exp", "12/30", "--cvc", "123"});
  EXPECT_EQ(1, buy) << out;
  EXPECT_NE(std::string::npos, out.find("declined")) << out;
  EXPECT_EQ(std::string::npos, out.find("/v1/downloads/")) << out;
}

TEST_F(PurchaseTest, UnknownProductIsAClearError) {
  ASSERT_EQ(0, Cli({"keygen"}).first);
  auto [buy, out] = Cli({"buy", Url("merchant"), kMissingProductId, "--card",
                         "4242424242424242", "--exp", "12/30", "--cvc", "123"});
  EXPECT_EQ(1, buy) << out;
  EXPECT_NE(std::string::npos, out.find("NOT_FOUND")) << out;
}

TEST_F(PurchaseTest, NoCardNumberOrCvcInAnyDatabaseOrLog) {
  ASSERT_EQ(0, Cli({"keygen"}).first);
  auto [buy, out] = Cli({"buy", Url("merchant"), kProductId, "--card", "4242424242424242",
                         "--exp", "12/30", "--cvc", "987"});
  ASSERT_EQ(0, buy) << out;
  for (auto& [role, proc] : procs_) {
    std::string log = proc->ReadUntil("\x01never", std::chrono::milliseconds(100));
    EXPECT_EQ(std::string::npos, log.find("4242424242424242")) << role;
  }
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root_)) {
    if (!entry.is_regular_file()) continue;
    std::string path = entry.path().string();
    if (path.find("downloads") != std::string::npos || path.ends_with(".bin")) continue;
    std::string bytes = ReadFile(path);
    EXPECT_EQ(std::string::npos, bytes.find("4242424242424242")) << path;
    EXPECT_EQ(std::string::npos, bytes.find("424242424242")) << path;
    if (path.ends_with(".db") || path.ends_with("-wal")) {
      EXPECT_EQ(std::string::npos, bytes.find("\"987\"")) << path;
    }
  }
}

}  // namespace
}  // namespace backline
