// PaymentRole: the payment authority as a node runs it (claims 13-16): its
// database, its keys, its service and its routes, built from Config.
//
//   BL_ASSIGN_OR_RETURN(auto payment, payment::PaymentRole::Create(config, clock, random));
//   http::Router router;
//   payment->RegisterRoutes(router);   // payment must outlive the server
//
// Settings (all optional):
//   payment.data_dir           folder for the role's files, created 0700 if
//                              missing (default "data/payment")
//   payment.db_path            the SQLite database (default <data_dir>/payment.db)
//   payment.key_file           the key file (payment_keys.h; default
//                              <data_dir>/payment.key), generated 0600 on
//                              first start
//   payment.authorization_ttl  how long an authorization can be captured
//                              ("7d" by default; "250ms", "30s", "5m", "2h")
//
// Thread-safety: after Create, safe from any number of threads. The Clock
// and RandomSource are borrowed and must outlive the role; the RandomSource
// is used under a lock (it need not be thread-safe).
#pragma once

#include <memory>
#include <string>

#include "base/clock.h"
#include "base/config.h"
#include "base/random.h"
#include "base/status.h"
#include "crypto/ed25519.h"
#include "http/router.h"
#include "payment/payment_service.h"
#include "storage/database.h"

namespace backline::payment {

struct PaymentRoleOptions {
  std::string db_path;   // required
  std::string key_file;  // required
  PaymentOptions service;
};

class PaymentRole {
 public:
  // Reads the settings above, then Open.
  static Result<std::unique_ptr<PaymentRole>> Create(const Config& config, Clock& clock,
                                                     RandomSource& random);
  // Opens (creating) the database and migrates it, loads or creates the key
  // file. The database's folder must exist.
  static Result<std::unique_ptr<PaymentRole>> Open(const PaymentRoleOptions& options, Clock& clock,
                                                   RandomSource& random);
  ~PaymentRole();
  PaymentRole(const PaymentRole&) = delete;
  PaymentRole& operator=(const PaymentRole&) = delete;

  // Adds the routes of payment_routes.h. This role must outlive the router
  // and the server it goes to.
  void RegisterRoutes(http::Router& router);

  PaymentService& service() { return *service_; }
  const crypto::Ed25519PublicKey& public_key() const { return keys_->signing.public_key(); }
  const PaymentRoleOptions& options() const { return options_; }

 private:
  PaymentRole() = default;

  PaymentRoleOptions options_;
  // Declared in dependency order: destroyed service first, database last.
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<PaymentStore> store_;
  std::unique_ptr<PaymentKeys> keys_;
  std::unique_ptr<PaymentService> service_;
};

}  // namespace backline::payment
