// PaymentStore: the payment authority's tables, written once against
// storage::Database (SQLite today, any backend later).
//
//   authorizations       one row per approved authorization: amounts, state,
//                        card_last4 and card_fingerprint (HMAC of the PAN,
//                        never the PAN), times, the signed token
//   ledger_entries       captures, voids and refunds (at most one capture and
//                        one void per authorization, enforced by unique
//                        partial indexes as well as by the logic)
//   idempotency_records  per (merchant_id, keyed hash of the idempotency
//                        key): the operation, the SHA-256 of the canonical
//                        request, and the exact answer body stored for replay
//
// RunIdempotent is the one way to change anything: in a single transaction it
// looks up the key (replay or conflict), loads the authorization the request
// names, asks the caller's Decide function (pure logic) what should happen,
// and writes the authorization, the ledger entry and the idempotency record
// together. Nothing is ever half-written; an error from Decide writes
// nothing, not even the idempotency record.
//
// Thread-safety: safe from any number of threads (the Database serializes
// writers). The Database is borrowed and must outlive the store.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "crypto/hash.h"
#include "payment/authorization.h"
#include "payment/idempotency.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace backline::payment {

// The schema "payment", migrations 1, 2, 3, ... (append only).
std::span<const storage::Migration> PaymentMigrations();

// Which request: the merchant's key (as HashIdempotencyKey) for one operation.
struct IdempotencyScope {
  std::string_view merchant_id;
  crypto::Sha256Digest key_hash{};
  Operation operation = Operation::kAuthorize;
};

// What a mutating operation decided, for the store to write atomically.
struct Effects {
  enum class Write : uint8_t { kNone, kInsert, kUpdate };
  Write write = Write::kNone;
  Authorization authorization;       // written when `write` is not kNone
  std::optional<LedgerEntry> entry;  // appended when set
  StoredAnswer answer;               // stored under the key and returned
  int64_t now = 0;                   // Unix seconds; stamps the idempotency record
};

class PaymentStore {
 public:
  // `current` is the authorization the request names (nullptr when it names
  // none: authorize). It may run more than once (see storage/database.h), so
  // it must only compute. Its error is returned and nothing is written.
  using Decide = std::function<Result<Effects>(const Authorization* current)>;

  explicit PaymentStore(storage::Database& db) : db_(db) {}

  // Applies PaymentMigrations() to `db`.
  static Status Migrate(storage::Database& db, const Clock& clock);

  // See the file comment. `authorization_id` empty: the request names no
  // authorization; otherwise kNotFound when there is none of that id for
  // scope.merchant_id (another merchant's authorization is not found either).
  // Returns the stored answer (replayed = true), kConflict for a key reused
  // with other parameters, Decide's error, or a storage error.
  Result<StoredAnswer> RunIdempotent(const IdempotencyScope& scope,
                                     const crypto::Sha256Digest& request_hash,
                                     std::string_view authorization_id, const Decide& decide);

  // kNotFound unless `merchant_id` owns authorization `id`.
  Result<Authorization> GetAuthorization(std::string_view merchant_id, std::string_view id);

  // The record stored for (scope.merchant_id, scope.key_hash); kNotFound when
  // that merchant never used the key. (scope.operation is not compared: the
  // caller checks record.operation.)
  Result<IdempotencyRecord> FindIdempotencyRecord(const IdempotencyScope& scope);

  // Every ledger entry of authorization `id`, oldest first.
  Result<std::vector<LedgerEntry>> LedgerOf(std::string_view id);

 private:
  storage::Database& db_;
};

}  // namespace backline::payment
