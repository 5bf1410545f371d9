#include "tests/e2e/four_roles.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <span>

#include "base/bytes.h"
#include "base/random.h"
#include "payment/payment_keys.h"

namespace backline::testing {

void FourRoles::Init(const FourRolesOptions& options) {
  options_ = options;
  root_ = dir_.path();
  for (const char* role : kRoles) {
    ports_[role] = FreePort();
    std::filesystem::create_directories(root_ + "/" + role);
    std::filesystem::permissions(root_ + "/" + role, std::filesystem::perms::owner_all);
  }
  SystemRandom& random = SystemRandom::Instance();
  auto payment_keys = payment::LoadOrCreateKeyFile(root_ + "/payment/payment.key", random);
  ASSERT_TRUE(payment_keys.ok()) << payment_keys.status().ToString();
  payment_ed25519_ = Base64UrlEncode(payment_keys->signing.public_key());
  clearinghouse_.emplace(protocol::Identity::Generate(random));
  merchant_.emplace(protocol::Identity::Generate(random));
  delivery_.emplace(protocol::Identity::Generate(random));
  ASSERT_TRUE(
      protocol::SaveIdentityFile(*clearinghouse_, root_ + "/clearinghouse/identity.json").ok());
  ASSERT_TRUE(protocol::SaveIdentityFile(*merchant_, root_ + "/merchant/identity.json").ok());
  ASSERT_TRUE(protocol::SaveIdentityFile(*delivery_, root_ + "/delivery/identity.json").ok());

  product_.resize(options.product_size);
  random.Fill(std::span(reinterpret_cast<uint8_t*>(product_.data()), product_.size()));
  product_ += "the end";
  WriteFile(root_ + "/product.bin", product_);

  Write("payment", "");
  WriteClearinghouseConfig(options.wholesale_amount);
  Write("delivery",
        "[delivery]\ncontent_dir = \"" + root_ + "/content\"\n"
        "clearinghouse_url = \"" + Url("clearinghouse") + "\"\n"
        "clearinghouse_ed25519 = \"" +
            Base64UrlEncode(clearinghouse_->public_keys().ed25519) + "\"\n");
  Write("merchant",
        "[merchant]\nclearinghouse_url = \"" + Url("clearinghouse") + "\"\n"
        "clearinghouse_x25519 = \"" + Base64UrlEncode(clearinghouse_->public_keys().x25519) +
            "\"\n"
        "payment_url = \"" + Url("payment") + "\"\n" + options.merchant_settings);
}

void FourRoles::WriteClearinghouseConfig(int64_t wholesale_amount) {
  Write("clearinghouse",
        "[clearinghouse]\n"
        "content_dir = \"" + root_ + "/content\"\n"
        "payment_ed25519 = \"" + payment_ed25519_ + "\"\n" + options_.clearinghouse_settings +
        "\n[[clearinghouse.merchants]]\nid = \"" + kMerchantId + "\"\n"
        "x25519 = \"" + Base64UrlEncode(merchant_->public_keys().x25519) + "\"\n"
        "[[clearinghouse.delivery_nodes]]\nid = \"delivery-1\"\n"
        "ed25519 = \"" + Base64UrlEncode(delivery_->public_keys().ed25519) + "\"\n"
        "url = \"" + Url("delivery") + "\"\n"
        "[[clearinghouse.products]]\nid = \"" + kProductId + "\"\n"
        "title = \"Test Pressing\"\nfile = \"" + root_ + "/product.bin\"\n"
        "wholesale_amount = " + std::to_string(wholesale_amount) + "\ncurrency = \"EUR\"\n"
        "download_limit = " + std::to_string(options_.download_limit) + "\n");
}

void FourRoles::StartAll() {
  for (const char* role : kRoles) {
    ASSERT_NO_FATAL_FAILURE(Start(role));
  }
}

void FourRoles::Start(const std::string& role) {
  procs_[role] = std::make_unique<Process>(BACKLINE_BINARY, std::vector<std::string>{
      "serve", role, "--config", root_ + "/" + role + ".toml", "--port",
      std::to_string(ports_.at(role)), "--data-dir", root_, "--log-level", "warn"});
  std::string out = procs_[role]->ReadUntil("listening on", std::chrono::seconds(30));
  ASSERT_NE(std::string::npos, out.find("listening on")) << role << ": " << out;
}

void FourRoles::Kill(const std::string& role) {
  auto it = procs_.find(role);
  if (it == procs_.end()) return;
  it->second->Signal(SIGKILL);
  it->second->Wait(std::chrono::seconds(10));
  procs_.erase(it);
}

std::string FourRoles::DbPath(const std::string& role) const {
  return root_ + "/" + role + "/" + role + ".db";
}

std::string FourRoles::Query(const std::string& role, const std::string& sql) const {
  // The roles keep their databases in WAL mode; a read-only reader sees
  // every committed transaction and takes no write lock.
  Process p("/usr/bin/sqlite3", {"-readonly", "-cmd", ".timeout 5000", DbPath(role), sql});
  std::string out = p.ReadUntil("\x01never", std::chrono::seconds(20));
  p.Wait(std::chrono::seconds(20));
  return out;
}

int64_t FourRoles::Count(const std::string& role, const std::string& table) const {
  std::string out = Query(role, "SELECT COUNT(*) FROM " + table + ";");
  try {
    return std::stoll(out);
  } catch (...) {
    ADD_FAILURE() << "counting " << role << "." << table << ": " << out;
    return -1;
  }
}

std::pair<int, std::string> FourRoles::Cli(std::vector<std::string> args) const {
  if (args[0] != "catalog") {
    args.push_back("--identity");
    args.push_back(BuyerIdentityPath());
  }
  Process p(BACKLINE_BINARY, args);
  std::string out = p.ReadUntil("\x01never", std::chrono::seconds(60));
  return {p.Wait(std::chrono::seconds(60)), out};
}

std::string FourRoles::LastLine(const std::string& out) {
  std::string s = out;
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s.substr(s.rfind('\n') == std::string::npos ? 0 : s.rfind('\n') + 1);
}

void FourRoles::Write(const std::string& role, const std::string& toml) const {
  WriteFile(root_ + "/" + role + ".toml", toml);
}

}  // namespace backline::testing
