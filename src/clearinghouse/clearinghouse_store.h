// ClearinghouseStore: the clearinghouse's state in one storage::Database
// (schema "clearinghouse", tables transactions, payments, sealed_requests,
// deliveries). Every change that takes more than one statement runs in one
// storage transaction, and the rules it depends on (rules.h) are checked
// inside that same transaction, so concurrent requests cannot both pass a
// check that only one of them may pass (the download limit above all).
//
// Replays: every sealed request is keyed by (merchant, request_id) and its
// answer is stored in the same transaction as its effect. A write method
// given a key that is already stored returns the stored answer without doing
// anything; the same key with another kind or content is kConflict.
//
// Thread-safety: safe from any number of threads; the Database is borrowed
// and must outlive the store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/id.h"
#include "base/status.h"
#include "clearinghouse/purchase_recorder.h"
#include "crypto/hash.h"
#include "protocol/messages.h"
#include "storage/database.h"

namespace backline::clearinghouse {

struct ReplayKey {
  std::string merchant_id;
  Id request_id;
  std::string kind;                      // the sealed message type
  crypto::Sha256Digest fingerprint{};    // of the request's content
};

struct TransactionRecord {
  Id id;
  std::string merchant_id;
  Id product_id;
  crypto::Sha256Digest binding{};
  protocol::Money wholesale;
  int64_t download_limit = 1;
  int64_t created_at = 0;  // Unix seconds
  int64_t expires_at = 0;  // of the reservation
  std::string status;      // "reserved" | "paid"
};

struct PaymentRecord {
  Id transaction_id;
  std::string authorization_id;  // unique: one authorization pays one transaction
  protocol::Money amount;        // as authorized
  int64_t paid_at = 0;
};

struct DeliveryRecord {
  Id id;
  Id transaction_id;
  std::string node_id;
  Id request_id;
  std::string status;  // "leased" | "completed" | "aborted"
  int64_t lease_expires_at = 0;
};

class ClearinghouseStore {
 public:
  explicit ClearinghouseStore(storage::Database& db) : db_(db) {}
  static Status Migrate(storage::Database& db, const Clock& clock);

  // The stored answer of `key`, nullopt if none, kConflict if the key was
  // used with other content.
  Result<std::optional<std::string>> FindAnswer(const ReplayKey& key);

  // Inserts the transaction and stores `answer` under `key`. Returns the
  // answer stored under the key (the earlier one on a replay).
  Result<std::string> CreateReservation(const ReplayKey& key, const TransactionRecord& txn,
                                        const std::string& answer);

  // Records the payment and marks the transaction paid. kNotFound: no such
  // transaction of key.merchant_id; kFailedPrecondition: expired
  // reservation; kConflict: already paid, or the authorization paid another.
  Result<std::string> RecordPayment(const ReplayKey& key, const PaymentRecord& payment,
                                    int64_t now, const std::string& answer);

  // Deletes the unpaid reservation `transaction_id` of key.merchant_id, so a
  // given-up purchase leaves no transaction row, and stores `answer` under
  // `key`. Nothing to delete (already released, expired and released, never
  // existed, or another merchant's: indistinguishable by design) is fine.
  // kConflict: the transaction is paid.
  Result<std::string> ReleaseReservation(const ReplayKey& key, const Id& transaction_id,
                                         const std::string& answer);

  // Stores the answer of a delivery request for a paid transaction of
  // key.merchant_id (kNotFound otherwise, kFailedPrecondition if unpaid).
  Result<std::string> RecordDeliveryRequest(const ReplayKey& key, const Id& transaction_id,
                                            const std::string& answer);

  Result<TransactionRecord> GetTransaction(const Id& id);

  // Leases a slot: returns the delivery already leased for (node, request_id)
  // if any, else a new one with `delivery_id` when completed deliveries plus
  // unexpired leases stay below the transaction's limit (kPermissionDenied
  // otherwise). The transaction must be paid.
  Result<DeliveryRecord> ClaimSlot(const std::string& node_id, const Id& request_id,
                                   const Id& transaction_id, const Id& delivery_id, int64_t now,
                                   int64_t lease_expires_at);

  // Marks the delivery complete (idempotent) and returns the purchase to
  // record. A lease that expired completes only if its slot is still free.
  // kNotFound: no such delivery of this node; kInvalidArgument: another
  // transaction; kFailedPrecondition: aborted, or expired and slot taken.
  Result<PurchaseRecord> Complete(const std::string& node_id, const Id& delivery_id,
                                  const Id& transaction_id,
                                  const crypto::Sha256Digest& content_sha256,
                                  int64_t content_size, int64_t completed_at, int64_t now);

  // Frees the slot of a leased delivery (idempotent). kFailedPrecondition
  // when it already completed; kNotFound as Complete.
  Status Abort(const std::string& node_id, const Id& delivery_id);

  // Test and audit helpers.
  Result<DeliveryRecord> GetDelivery(const Id& id);
  Result<int64_t> CountRows(std::string_view table);

 private:
  storage::Database& db_;
};

}  // namespace backline::clearinghouse
