// MerchantRole: the merchant as a node runs it (claims 1, 10, 13-15, 17,
// 19-23): its identity, database, peers, service and routes, built from Config.
//
//   BL_ASSIGN_OR_RETURN(auto merchant, merchant::MerchantRole::Create(config, clock, random));
//   http::Router router;
//   merchant->RegisterRoutes(router);      // merchant must outlive the server
//   ... start the server ...
//   BL_RETURN_IF_ERROR(merchant->Start()); // the start hook: resume unfinished orders
//
// Settings (README.md has the table):
//   merchant.id                   name sent as the sealed "sender" and as the
//                                 authority's merchant_id (default "merchant-1")
//   merchant.data_dir             folder, created 0700 (default "data/merchant"):
//                                 merchant.db and identity.json (generated 0600
//                                 on first start)
//   merchant.clearinghouse_url    required, e.g. "http://127.0.0.1:8083"
//   merchant.clearinghouse_x25519 required, base64url of the clearinghouse's key
//   merchant.payment_url          required, e.g. "http://127.0.0.1:8082"
//   merchant.markup_percent       retail = wholesale * (100 + p) / 100, rounded
//                                 up (default 30)
//   merchant.currency             the currency sold in (default "EUR")
//   merchant.catalog_ttl          how long the inventory is cached (default 30s)
//
// Start() (the start hook) runs MerchantService::ResumeUnfinished on a private
// event loop and blocks until every unfinished order is finished or undone:
// authorized-but-not-paid orders are voided, paid-but-not-captured ones are
// captured, orders that never got authorized end failed. Call it once, before
// or right after the server starts listening; it needs the payment authority
// reachable (orders it cannot finish stay as they are and are retried at the
// next start; the error says which).
//
// Thread-safety: after Create, safe from any number of threads. The Clock and
// RandomSource are borrowed and must outlive the role; the RandomSource is
// used under a lock.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "base/clock.h"
#include "base/config.h"
#include "base/random.h"
#include "base/status.h"
#include "http/client.h"
#include "http/router.h"
#include "merchant/merchant_service.h"
#include "protocol/identity.h"
#include "storage/database.h"

namespace backline::merchant {

struct MerchantRoleOptions {
  std::string data_dir;  // must exist; holds merchant.db and identity.json
  std::string clearinghouse_url;
  crypto::X25519PublicKey clearinghouse_x25519{};
  std::string payment_url;
  MerchantOptions service;
  http::ClientOptions client;
};

class MerchantRole {
 public:
  // Reads the settings above, creates data_dir, then Open.
  static Result<std::unique_ptr<MerchantRole>> Create(const Config& config, Clock& clock,
                                                      RandomSource& random);
  static Result<std::unique_ptr<MerchantRole>> Open(const MerchantRoleOptions& options,
                                                    Clock& clock, RandomSource& random);
  ~MerchantRole();
  MerchantRole(const MerchantRole&) = delete;
  MerchantRole& operator=(const MerchantRole&) = delete;

  // Adds the routes of merchant_routes.h. This role must outlive the router
  // and the server it goes to.
  void RegisterRoutes(http::Router& router);

  // The start hook (see the file comment). Blocks; not from a server thread.
  Status Start();

  MerchantService& service() { return *service_; }
  const protocol::PublicKeys& public_keys() const { return identity_->public_keys(); }

 private:
  explicit MerchantRole(RandomSource& random) : random_(random) {}

  RandomSource& random_;
  std::mutex random_mu_;
  // Declared in dependency order: the service goes first, the database last.
  std::unique_ptr<protocol::Identity> identity_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<OrderStore> store_;
  std::unique_ptr<http::Client> http_;
  std::unique_ptr<ClearinghouseClient> clearinghouse_;
  std::unique_ptr<PaymentClient> payment_;
  std::unique_ptr<MerchantService> service_;
};

}  // namespace backline::merchant
