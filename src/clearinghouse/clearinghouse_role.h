// ClearinghouseRole: the clearinghouse as a node runs it (claims 1-3, 11-12,
// 16-18): settings, identity, content import, database, service, routes.
//
//   BL_ASSIGN_OR_RETURN(auto ch, clearinghouse::ClearinghouseRole::Create(config, clock, random));
//   http::Router router;
//   ch->RegisterRoutes(router);   // ch must outlive the server
//
// Create reads the settings of settings.h (README.md lists them), creates
// clearinghouse.data_dir (0700) if missing, loads <data_dir>/identity.json or
// generates it (0600) on first start, imports every product file into
// clearinghouse.content_dir, and opens and migrates
// <data_dir>/clearinghouse.db.
//
// Thread-safety: after Create, safe from any number of threads. The Clock and
// RandomSource are borrowed and must outlive the role.
#pragma once

#include <memory>

#include "base/clock.h"
#include "base/config.h"
#include "base/random.h"
#include "base/status.h"
#include "clearinghouse/clearinghouse_service.h"
#include "http/router.h"
#include "storage/database.h"

namespace backline::clearinghouse {

class ClearinghouseRole {
 public:
  static Result<std::unique_ptr<ClearinghouseRole>> Create(const Config& config, Clock& clock,
                                                           RandomSource& random);
  ~ClearinghouseRole();
  ClearinghouseRole(const ClearinghouseRole&) = delete;
  ClearinghouseRole& operator=(const ClearinghouseRole&) = delete;

  void RegisterRoutes(http::Router& router);

  ClearinghouseService& service() { return *service_; }
  const Settings& settings() const { return settings_; }
  const protocol::PublicKeys& public_keys() const { return identity_->public_keys(); }
  SqlitePurchaseRecorder& recorder() { return *recorder_; }

 private:
  ClearinghouseRole() = default;

  Settings settings_;
  std::unique_ptr<protocol::Identity> identity_;
  // Dependency order: the service goes first, the database last.
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<ClearinghouseStore> store_;
  std::unique_ptr<SqlitePurchaseRecorder> recorder_;
  std::unique_ptr<ClearinghouseService> service_;
};

}  // namespace backline::clearinghouse
