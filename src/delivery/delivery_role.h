// DeliveryRole: a delivery node (claims 1-2, 9, 26-27) as a process runs it:
// its identity, its completion outbox, its background sender, its service and
// its routes, built from Config. Nodes are stateless apart from the outbox;
// run as many as you like, each with its own delivery.id and data_dir.
//
//   BL_ASSIGN_OR_RETURN(auto delivery, delivery::DeliveryRole::Create(config, clock, random));
//   http::Router router;
//   delivery->RegisterRoutes(router);   // delivery must outlive the server
//   ... serve ...
//   server.Stop(grace);                 // first: streams end, on_complete runs
//   delivery->Stop();                   // then: the sender thread (also in ~DeliveryRole)
//
// Create starts the background sender, which first replays completions a
// previous run left unacknowledged in the outbox.
//
// Settings:
//   delivery.id                   the node's name at the clearinghouse, the
//                                 keyid of its signatures ("delivery-1")
//   delivery.data_dir             folder for identity.json (generated 0600 on
//                                 first start) and outbox.db (default
//                                 "data/delivery", created 0700)
//   delivery.public_url           required: the base URL buyers use
//                                 ("https://dl1.example.com"), to rebuild the
//                                 signed @target-uri
//   delivery.content_dir          required: the clearinghouse's content store
//                                 (read only; <dir>/<H[0:2]>/<H>)
//   delivery.clearinghouse_url    required: "http://127.0.0.1:8083"
//   delivery.clearinghouse_ed25519 required: base64url of the key that signs
//                                 delivery tokens
//   delivery.max_signature_age    buyer signatures older than this are stale
//                                 ("300s")
//   delivery.retry_initial_backoff, delivery.retry_max_backoff
//                                 completion retries ("200ms", "30s")
//
// Thread-safety: after Create, safe from any number of threads. The Clock
// and RandomSource are borrowed and must outlive the role.
#pragma once

#include <memory>
#include <string>

#include "base/clock.h"
#include "base/config.h"
#include "base/random.h"
#include "base/status.h"
#include "delivery/clearinghouse_client.h"
#include "delivery/completion_outbox.h"
#include "delivery/completion_sender.h"
#include "delivery/delivery_service.h"
#include "http/client.h"
#include "http/router.h"
#include "protocol/identity.h"
#include "storage/database.h"

namespace backline::delivery {

struct DeliveryRoleOptions {
  std::string node_id = "delivery-1";
  std::string identity_file;  // required
  std::string db_path;        // required
  std::string clearinghouse_url;
  DeliveryServiceOptions service;
  CompletionSenderOptions sender;
};

class DeliveryRole {
 public:
  // Reads the settings above, creates data_dir, then Open.
  static Result<std::unique_ptr<DeliveryRole>> Create(const Config& config, Clock& clock,
                                                      RandomSource& random);
  // Loads or generates the identity file, opens and migrates the outbox,
  // starts the sender.
  static Result<std::unique_ptr<DeliveryRole>> Open(const DeliveryRoleOptions& options,
                                                    Clock& clock, RandomSource& random);
  ~DeliveryRole();
  DeliveryRole(const DeliveryRole&) = delete;
  DeliveryRole& operator=(const DeliveryRole&) = delete;

  // Adds GET /v1/downloads/{transaction_id}. This role must outlive the
  // router and the server.
  void RegisterRoutes(http::Router& router);
  // Stops the background sender (idempotent). Queued completions stay in
  // the outbox for the next start.
  void Stop();

  // The keys to put in the clearinghouse's configuration for delivery.id.
  const protocol::PublicKeys& public_keys() const { return identity_->public_keys(); }
  const DeliveryRoleOptions& options() const { return options_; }
  CompletionOutbox& outbox() { return *outbox_; }
  CompletionSender& sender() { return *sender_; }

 private:
  DeliveryRole() = default;

  DeliveryRoleOptions options_;
  // Declared in dependency order; destroyed in reverse.
  std::unique_ptr<protocol::Identity> identity_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<CompletionOutbox> outbox_;
  std::unique_ptr<http::Client> client_;
  std::unique_ptr<ClearinghouseClient> clearinghouse_;
  std::unique_ptr<CompletionSender> sender_;
  std::unique_ptr<DeliveryService> service_;
};

}  // namespace backline::delivery
