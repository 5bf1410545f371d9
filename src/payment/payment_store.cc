#include "payment/payment_store.h"

#include <algorithm>
#include <string>

namespace backline::payment {
namespace {

using storage::Row;
using storage::Transaction;

constexpr storage::Migration kMigrations[] = {
    {1, "authorizations", R"sql(
CREATE TABLE authorizations (
  id TEXT PRIMARY KEY,
  merchant_id TEXT NOT NULL,
  amount BIGINT NOT NULL CHECK (amount > 0),
  currency TEXT NOT NULL,
  card_last4 TEXT NOT NULL,
  card_fingerprint BLOB NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('authorized', 'captured', 'voided')),
  captured_amount BIGINT NOT NULL CHECK (captured_amount >= 0 AND captured_amount <= amount),
  refunded_amount BIGINT NOT NULL
    CHECK (refunded_amount >= 0 AND refunded_amount <= captured_amount),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  token TEXT NOT NULL
);
CREATE INDEX authorizations_by_merchant ON authorizations (merchant_id, created_at);
)sql"},
    {2, "ledger entries", R"sql(
CREATE TABLE ledger_entries (
  id TEXT PRIMARY KEY,
  authorization_id TEXT NOT NULL REFERENCES authorizations (id),
  kind TEXT NOT NULL CHECK (kind IN ('capture', 'void', 'refund')),
  amount BIGINT NOT NULL CHECK (amount >= 0),
  created_at BIGINT NOT NULL
);
CREATE INDEX ledger_entries_by_authorization ON ledger_entries (authorization_id, created_at);
CREATE UNIQUE INDEX ledger_entries_one_capture ON ledger_entries (authorization_id)
  WHERE kind = 'capture';
CREATE UNIQUE INDEX ledger_entries_one_void ON ledger_entries (authorization_id)
  WHERE kind = 'void';
)sql"},
    {3, "idempotency records", R"sql(
CREATE TABLE idempotency_records (
  merchant_id TEXT NOT NULL,
  key_hash BLOB NOT NULL,
  operation TEXT NOT NULL,
  request_hash BLOB NOT NULL,
  result_code TEXT NOT NULL,
  response_body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (merchant_id, key_hash)
);
)sql"},
};

constexpr std::string_view kAuthorizationColumns =
    "id, merchant_id, amount, currency, card_last4, card_fingerprint, status, captured_amount, "
    "refunded_amount, created_at, expires_at, updated_at, token";

Result<crypto::Sha256Digest> DigestColumn(const Row& row, std::string_view column) {
  BL_ASSIGN_OR_RETURN(Bytes bytes, row.GetBlob(column));
  crypto::Sha256Digest out{};
  if (bytes.size() != out.size()) {
    return Internal("stored " + std::string(column) + " is not 32 bytes");
  }
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

Result<Authorization> AuthorizationFromRow(const Row& row) {
  Authorization a;
  BL_ASSIGN_OR_RETURN(a.id, row.GetText("id"));
  BL_ASSIGN_OR_RETURN(a.merchant_id, row.GetText("merchant_id"));
  BL_ASSIGN_OR_RETURN(a.amount, row.GetInt64("amount"));
  BL_ASSIGN_OR_RETURN(a.currency, row.GetText("currency"));
  BL_ASSIGN_OR_RETURN(a.card_last4, row.GetText("card_last4"));
  BL_ASSIGN_OR_RETURN(a.card_fingerprint, DigestColumn(row, "card_fingerprint"));
  BL_ASSIGN_OR_RETURN(std::string status, row.GetText("status"));
  BL_ASSIGN_OR_RETURN(a.state, ParseAuthorizationState(status));
  BL_ASSIGN_OR_RETURN(a.captured_amount, row.GetInt64("captured_amount"));
  BL_ASSIGN_OR_RETURN(a.refunded_amount, row.GetInt64("refunded_amount"));
  BL_ASSIGN_OR_RETURN(a.created_at, row.GetInt64("created_at"));
  BL_ASSIGN_OR_RETURN(a.expires_at, row.GetInt64("expires_at"));
  BL_ASSIGN_OR_RETURN(a.updated_at, row.GetInt64("updated_at"));
  BL_ASSIGN_OR_RETURN(a.token, row.GetText("token"));
  return a;
}

Result<Operation> ParseOperation(std::string_view name) {
  for (Operation op :
       {Operation::kAuthorize, Operation::kCapture, Operation::kVoid, Operation::kRefund}) {
    if (OperationName(op) == name) return op;
  }
  return Internal("stored idempotency operation '" + std::string(name) + "' is unknown");
}

Result<StatusCode> ParseResultCode(std::string_view name) {
  std::optional<StatusCode> code = StatusCodeFromName(name);
  if (!code.has_value()) {
    return Internal("stored idempotency result '" + std::string(name) + "' is unknown");
  }
  return *code;
}

// The record for (merchant, key), or nullopt.
Result<std::optional<IdempotencyRecord>> FindRecord(Transaction& tx,
                                                    const IdempotencyScope& scope) {
  Result<Row> row = tx.QueryRow(
      "SELECT operation, request_hash, result_code, response_body FROM idempotency_records "
      "WHERE merchant_id = $1 AND key_hash = $2",
      {scope.merchant_id, scope.key_hash});
  if (!row.ok() && row.status().code() == StatusCode::kNotFound) {
    return std::optional<IdempotencyRecord>();
  }
  if (!row.ok()) return row.status();
  IdempotencyRecord record;
  BL_ASSIGN_OR_RETURN(std::string op, row->GetText("operation"));
  BL_ASSIGN_OR_RETURN(record.operation, ParseOperation(op));
  BL_ASSIGN_OR_RETURN(record.request_hash, DigestColumn(*row, "request_hash"));
  BL_ASSIGN_OR_RETURN(std::string code, row->GetText("result_code"));
  BL_ASSIGN_OR_RETURN(record.answer.code, ParseResultCode(code));
  BL_ASSIGN_OR_RETURN(record.answer.body, row->GetText("response_body"));
  return std::optional<IdempotencyRecord>(std::move(record));
}

Result<Authorization> LoadAuthorization(Transaction& tx, std::string_view merchant_id,
                                        std::string_view id) {
  Result<Row> row = tx.QueryRow("SELECT " + std::string(kAuthorizationColumns) +
                                    " FROM authorizations WHERE id = $1 AND merchant_id = $2",
                                {id, merchant_id});
  if (!row.ok() && row.status().code() == StatusCode::kNotFound) {
    return NotFound("authorization " + std::string(id) + " not found");
  }
  if (!row.ok()) return row.status();
  return AuthorizationFromRow(*row);
}

Status InsertAuthorization(Transaction& tx, const Authorization& a) {
  return tx
      .Execute("INSERT INTO authorizations (" + std::string(kAuthorizationColumns) +
                   ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
               {a.id, a.merchant_id, a.amount, a.currency, a.card_last4, a.card_fingerprint,
                AuthorizationStateName(a.state), a.captured_amount, a.refunded_amount, a.created_at,
                a.expires_at, a.updated_at, a.token})
      .status();
}

Status UpdateAuthorization(Transaction& tx, const Authorization& a) {
  BL_ASSIGN_OR_RETURN(int64_t changed,
                      tx.Execute("UPDATE authorizations SET status = $2, captured_amount = $3, "
                                 "refunded_amount = $4, updated_at = $5 WHERE id = $1",
                                 {a.id, AuthorizationStateName(a.state), a.captured_amount,
                                  a.refunded_amount, a.updated_at}));
  if (changed != 1) return Internal("authorization " + a.id + " vanished during an update");
  return Status::Ok();
}

Status InsertLedgerEntry(Transaction& tx, const LedgerEntry& e) {
  return tx
      .Execute(
          "INSERT INTO ledger_entries (id, authorization_id, kind, amount, created_at) "
          "VALUES ($1, $2, $3, $4, $5)",
          {e.id, e.authorization_id, LedgerKindName(e.kind), e.amount, e.created_at})
      .status();
}

Status InsertRecord(Transaction& tx, const IdempotencyScope& scope,
                    const crypto::Sha256Digest& request_hash, const StoredAnswer& answer,
                    int64_t now) {
  return tx
      .Execute(
          "INSERT INTO idempotency_records (merchant_id, key_hash, operation, "
          "request_hash, result_code, response_body, created_at) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7)",
          {scope.merchant_id, scope.key_hash, OperationName(scope.operation), request_hash,
           StatusCodeName(answer.code), answer.body, now})
      .status();
}

// The body of RunIdempotent's transaction.
Result<StoredAnswer> RunOnce(Transaction& tx, const IdempotencyScope& scope,
                             const crypto::Sha256Digest& request_hash,
                             std::string_view authorization_id,
                             const PaymentStore::Decide& decide) {
  BL_ASSIGN_OR_RETURN(std::optional<IdempotencyRecord> record, FindRecord(tx, scope));
  if (record.has_value()) {
    return ReplayOrConflict(*record, scope.operation, request_hash);
  }
  std::optional<Authorization> current;
  if (!authorization_id.empty()) {
    BL_ASSIGN_OR_RETURN(current, LoadAuthorization(tx, scope.merchant_id, authorization_id));
  }
  BL_ASSIGN_OR_RETURN(Effects effects, decide(current ? &*current : nullptr));
  switch (effects.write) {
    case Effects::Write::kInsert:
      BL_RETURN_IF_ERROR(InsertAuthorization(tx, effects.authorization));
      break;
    case Effects::Write::kUpdate:
      BL_RETURN_IF_ERROR(UpdateAuthorization(tx, effects.authorization));
      break;
    case Effects::Write::kNone:
      break;
  }
  if (effects.entry.has_value()) BL_RETURN_IF_ERROR(InsertLedgerEntry(tx, *effects.entry));
  BL_RETURN_IF_ERROR(InsertRecord(tx, scope, request_hash, effects.answer, effects.now));
  effects.answer.replayed = false;
  return effects.answer;
}

}  // namespace

std::span<const storage::Migration> PaymentMigrations() { return kMigrations; }

Status PaymentStore::Migrate(storage::Database& db, const Clock& clock) {
  return storage::Migrate(db, "payment", kMigrations, clock);
}

Result<StoredAnswer> PaymentStore::RunIdempotent(const IdempotencyScope& scope,
                                                 const crypto::Sha256Digest& request_hash,
                                                 std::string_view authorization_id,
                                                 const Decide& decide) {
  return storage::TransactValue<StoredAnswer>(db_, [&](Transaction& tx) {
    return RunOnce(tx, scope, request_hash, authorization_id, decide);
  });
}

Result<Authorization> PaymentStore::GetAuthorization(std::string_view merchant_id,
                                                     std::string_view id) {
  return storage::ReadValue<Authorization>(
      db_, [&](Transaction& tx) { return LoadAuthorization(tx, merchant_id, id); });
}

Result<IdempotencyRecord> PaymentStore::FindIdempotencyRecord(const IdempotencyScope& scope) {
  return storage::ReadValue<IdempotencyRecord>(
      db_, [&](Transaction& tx) -> Result<IdempotencyRecord> {
        BL_ASSIGN_OR_RETURN(std::optional<IdempotencyRecord> record, FindRecord(tx, scope));
        if (!record.has_value()) return NotFound("no request was made with that Idempotency-Key");
        return std::move(*record);
      });
}

Result<std::vector<LedgerEntry>> PaymentStore::LedgerOf(std::string_view id) {
  return storage::ReadValue<std::vector<LedgerEntry>>(
      db_, [&](Transaction& tx) -> Result<std::vector<LedgerEntry>> {
        BL_ASSIGN_OR_RETURN(storage::Rows rows,
                            tx.Query("SELECT id, authorization_id, kind, amount, created_at "
                                     "FROM ledger_entries WHERE authorization_id = $1 "
                                     "ORDER BY created_at, id",
                                     {id}));
        std::vector<LedgerEntry> out;
        for (const Row& row : rows) {
          LedgerEntry e;
          BL_ASSIGN_OR_RETURN(e.id, row.GetText("id"));
          BL_ASSIGN_OR_RETURN(e.authorization_id, row.GetText("authorization_id"));
          BL_ASSIGN_OR_RETURN(std::string kind, row.GetText("kind"));
          if (kind == "capture") {
            e.kind = LedgerKind::kCapture;
          } else if (kind == "void") {
            e.kind = LedgerKind::kVoid;
          } else if (kind == "refund") {
            e.kind = LedgerKind::kRefund;
          } else {
            return Internal("stored ledger kind '" + kind + "' is unknown");
          }
          BL_ASSIGN_OR_RETURN(e.amount, row.GetInt64("amount"));
          BL_ASSIGN_OR_RETURN(e.created_at, row.GetInt64("created_at"));
          out.push_back(std::move(e));
        }
        return out;
      });
}

}  // namespace backline::payment
