// PurchaseRecorder: where a completed purchase is recorded durably (claim 3)
// before the clearinghouse acknowledges the completion. The tamper-evident
// ledger of issue 4 will implement this interface; SqlitePurchaseRecorder is
// the plain implementation shipped now (table `purchases`, schema
// "clearinghouse_purchases").
//
//   SqlitePurchaseRecorder recorder(db);          // db must outlive it
//   BL_RETURN_IF_ERROR(SqlitePurchaseRecorder::Migrate(db, clock));
//   BL_RETURN_IF_ERROR(recorder.Append(record));  // durable when OK
//
// Contract for every implementation: Append returns OK only once the record
// is durable; appending a record whose delivery_id is already recorded is OK
// and changes nothing (completions are retried, so Append is too).
//
// Thread-safety: implementations must be safe to call from several threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/id.h"
#include "base/status.h"
#include "crypto/hash.h"
#include "storage/database.h"

namespace backline::clearinghouse {

struct PurchaseRecord {
  Id delivery_id;  // unique per record
  Id transaction_id;
  Id product_id;
  std::string merchant_id;
  std::string delivery_node_id;
  std::string authorization_id;
  crypto::Sha256Digest binding{};
  int64_t wholesale_amount = 0;
  std::string currency;
  crypto::Sha256Digest content_sha256{};
  int64_t content_size = 0;
  int64_t completed_at = 0;  // Unix seconds, as the node reported it

  friend bool operator==(const PurchaseRecord&, const PurchaseRecord&) = default;
};

class PurchaseRecorder {
 public:
  virtual ~PurchaseRecorder() = default;
  virtual Status Append(const PurchaseRecord& record) = 0;
};

class SqlitePurchaseRecorder final : public PurchaseRecorder {
 public:
  explicit SqlitePurchaseRecorder(storage::Database& db) : db_(db) {}  // db must outlive it
  static Status Migrate(storage::Database& db, const Clock& clock);

  Status Append(const PurchaseRecord& record) override;
  // Every record, oldest first (tests and audits).
  Result<std::vector<PurchaseRecord>> List();

 private:
  storage::Database& db_;
};

}  // namespace backline::clearinghouse
