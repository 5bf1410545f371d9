// FourRoles: the four serving roles of one purchase (payment, clearinghouse,
// delivery, merchant), each its own `backline serve ROLE` process with its
// own TOML config, data folder, keys and SQLite store, wired over loopback
// the way separate hosts would be; plus the buyer's `backline` CLI.
//
//   FourRoles roles;
//   ASSERT_NO_FATAL_FAILURE(roles.Init());      // keys, product, configs
//   ASSERT_NO_FATAL_FAILURE(roles.StartAll());
//   auto [code, out] = roles.Cli({"buy", roles.Url("merchant"), kProductId, ...});
//   roles.Kill("merchant");                     // SIGKILL, reaped
//   ASSERT_NO_FATAL_FAILURE(roles.Start("merchant"));
//
// The test holds every role's secret keys (it wrote them), so it can sign
// what a role would sign (clearinghouse_identity()).
//
// Fatal failures are gtest ASSERTs inside void members: wrap calls in
// ASSERT_NO_FATAL_FAILURE. Not thread-safe; use from the test's thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocol/identity.h"
#include "tests/e2e/process.h"

namespace backline::testing {

inline constexpr char kProductId[] = "aaaaaaaaaaaaaaaaaaaaaaaaaa";
inline constexpr char kMissingProductId[] = "aaaaaaaaaaaaaaaaaaaaaaaaae";
inline constexpr char kMerchantId[] = "merchant-1";

struct FourRolesOptions {
  size_t product_size = size_t{1} << 20;  // random bytes, then "the end"
  int64_t wholesale_amount = 700;         // EUR minor units; the merchant adds 30 %
  int download_limit = 2;
  // Extra `key = value` lines for the [clearinghouse] and [merchant] tables.
  std::string clearinghouse_settings = "";
  std::string merchant_settings = "";
};

class FourRoles {
 public:
  static constexpr const char* kRoles[] = {"payment", "clearinghouse", "delivery", "merchant"};

  FourRoles() = default;
  FourRoles(const FourRoles&) = delete;
  FourRoles& operator=(const FourRoles&) = delete;

  // Picks ports, writes every role's keys, the product and the configs.
  void Init(const FourRolesOptions& options = {});
  // Rewrites the clearinghouse's config with another wholesale price (it
  // takes effect at its next start).
  void WriteClearinghouseConfig(int64_t wholesale_amount);

  void StartAll();
  // Starts `role` and waits (bounded) for "listening on".
  void Start(const std::string& role);
  // SIGKILL, then reaps the process.
  void Kill(const std::string& role);
  void Restart(const std::string& role) {
    Kill(role);
    Start(role);
  }
  void Pause(const std::string& role) { procs_.at(role)->Signal(SIGSTOP); }
  void Resume(const std::string& role) { procs_.at(role)->Signal(SIGCONT); }
  Process& process(const std::string& role) { return *procs_.at(role); }

  std::string Url(const std::string& role) const {
    return "http://127.0.0.1:" + std::to_string(ports_.at(role));
  }
  uint16_t Port(const std::string& role) const { return ports_.at(role); }
  // merchant.db, payment.db, clearinghouse.db.
  std::string DbPath(const std::string& role) const;
  // Runs `sql` with the sqlite3 shell on `role`'s database, read-only;
  // returns its output (rows one a line, columns separated by '|').
  std::string Query(const std::string& role, const std::string& sql) const;
  // SELECT COUNT(*) FROM table, or -1 on error.
  int64_t Count(const std::string& role, const std::string& table) const;

  // Runs the CLI to completion with the buyer's identity (but for catalog);
  // returns its exit code and output.
  std::pair<int, std::string> Cli(std::vector<std::string> args) const;
  static std::string LastLine(const std::string& out);

  const std::string& root() const { return root_; }
  const std::string& product() const { return product_; }
  std::string BuyerIdentityPath() const { return root_ + "/buyer.json"; }
  const protocol::Identity& clearinghouse_identity() const { return *clearinghouse_; }

 private:
  void Write(const std::string& role, const std::string& toml) const;

  TempDir dir_;
  std::string root_;
  FourRolesOptions options_;
  std::string product_;
  std::string payment_ed25519_;
  std::optional<protocol::Identity> clearinghouse_;
  std::optional<protocol::Identity> merchant_;
  std::optional<protocol::Identity> delivery_;
  std::map<std::string, uint16_t> ports_;
  std::map<std::string, std::unique_ptr<Process>> procs_;
};

}  // namespace backline::testing
