#include "clearinghouse/clearinghouse_store.h"

#include <algorithm>
#include <array>

#include "base/bytes.h"
#include "clearinghouse/rules.h"
#include "storage/migrations.h"

namespace backline::clearinghouse {
namespace {

using storage::Row;
using storage::Transaction;

constexpr storage::Migration kMigrations[] = {
    {1, "initial",
     "CREATE TABLE transactions ("
     " id TEXT PRIMARY KEY,"
     " merchant_id TEXT NOT NULL,"
     " product_id TEXT NOT NULL,"
     " binding BLOB NOT NULL,"
     " wholesale_amount BIGINT NOT NULL,"
     " currency TEXT NOT NULL,"
     " download_limit BIGINT NOT NULL,"
     " created_at BIGINT NOT NULL,"
     " expires_at BIGINT NOT NULL,"
     " status TEXT NOT NULL);"
     "CREATE TABLE payments ("
     " transaction_id TEXT PRIMARY KEY REFERENCES transactions (id),"
     " authorization_id TEXT NOT NULL UNIQUE,"
     " amount BIGINT NOT NULL,"
     " currency TEXT NOT NULL,"
     " paid_at BIGINT NOT NULL);"
     "CREATE TABLE sealed_requests ("
     " merchant_id TEXT NOT NULL,"
     " request_id TEXT NOT NULL,"
     " kind TEXT NOT NULL,"
     " fingerprint BLOB NOT NULL,"
     " answer TEXT NOT NULL,"
     " PRIMARY KEY (merchant_id, request_id));"
     "CREATE TABLE deliveries ("
     " id TEXT PRIMARY KEY,"
     " transaction_id TEXT NOT NULL REFERENCES transactions (id),"
     " node_id TEXT NOT NULL,"
     " request_id TEXT NOT NULL,"
     " status TEXT NOT NULL,"
     " lease_expires_at BIGINT NOT NULL,"
     " completed_at BIGINT,"
     " UNIQUE (node_id, request_id));"
     "CREATE INDEX deliveries_by_transaction ON deliveries (transaction_id, status)"},
};

Result<crypto::Sha256Digest> Digest(const Row& row, std::string_view column) {
  BL_ASSIGN_OR_RETURN(Bytes b, row.GetBlob(column));
  if (b.size() != crypto::kSha256Size) return DataLoss("bad digest in " + std::string(column));
  crypto::Sha256Digest d{};
  std::copy(b.begin(), b.end(), d.begin());
  return d;
}

Result<Id> IdColumn(const Row& row, std::string_view column) {
  BL_ASSIGN_OR_RETURN(std::string text, row.GetText(column));
  return Id::FromBase32(text);
}

Result<std::optional<std::string>> LookupAnswer(Transaction& tx, const ReplayKey& key) {
  BL_ASSIGN_OR_RETURN(storage::Rows rows,
                      tx.Query("SELECT kind, fingerprint, answer FROM sealed_requests"
                               " WHERE merchant_id = $1 AND request_id = $2",
                               {key.merchant_id, key.request_id.ToBase32()}));
  if (rows.empty()) return std::optional<std::string>();
  BL_ASSIGN_OR_RETURN(std::string kind, rows[0].GetText("kind"));
  BL_ASSIGN_OR_RETURN(crypto::Sha256Digest fingerprint, Digest(rows[0], "fingerprint"));
  if (kind != key.kind || fingerprint != key.fingerprint) {
    return Conflict("request_id " + key.request_id.ToBase32() +
                    " was already used with other content; use a new request_id");
  }
  BL_ASSIGN_OR_RETURN(std::string answer, rows[0].GetText("answer"));
  return std::optional<std::string>(std::move(answer));
}

Status StoreAnswer(Transaction& tx, const ReplayKey& key, const std::string& answer) {
  return tx
      .Execute(
          "INSERT INTO sealed_requests (merchant_id, request_id, kind, fingerprint, answer)"
          " VALUES ($1, $2, $3, $4, $5)",
          {key.merchant_id, key.request_id.ToBase32(), key.kind, key.fingerprint, answer})
      .status();
}

Result<TransactionRecord> ReadTransaction(Transaction& tx, const Id& id) {
  Result<Row> found = tx.QueryRow("SELECT * FROM transactions WHERE id = $1", {id.ToBase32()});
  if (found.status().code() == StatusCode::kNotFound) {
    return NotFound("no transaction " + id.ToBase32());
  }
  BL_ASSIGN_OR_RETURN(Row row, std::move(found));
  TransactionRecord t;
  t.id = id;
  BL_ASSIGN_OR_RETURN(t.merchant_id, row.GetText("merchant_id"));
  BL_ASSIGN_OR_RETURN(t.product_id, IdColumn(row, "product_id"));
  BL_ASSIGN_OR_RETURN(t.binding, Digest(row, "binding"));
  BL_ASSIGN_OR_RETURN(t.wholesale.amount, row.GetInt64("wholesale_amount"));
  BL_ASSIGN_OR_RETURN(t.wholesale.currency, row.GetText("currency"));
  BL_ASSIGN_OR_RETURN(t.download_limit, row.GetInt64("download_limit"));
  BL_ASSIGN_OR_RETURN(t.created_at, row.GetInt64("created_at"));
  BL_ASSIGN_OR_RETURN(t.expires_at, row.GetInt64("expires_at"));
  BL_ASSIGN_OR_RETURN(t.status, row.GetText("status"));
  return t;
}

// The merchant's own transaction; another merchant's is NotFound as well, so
// ids of other merchants' transactions cannot be probed.
Result<TransactionRecord> ReadOwnTransaction(Transaction& tx, const Id& id,
                                             const std::string& merchant_id) {
  BL_ASSIGN_OR_RETURN(TransactionRecord t, ReadTransaction(tx, id));
  if (t.merchant_id != merchant_id) return NotFound("no transaction " + id.ToBase32());
  return t;
}

Result<DeliveryRecord> ReadDelivery(Transaction& tx, const Id& id) {
  Result<Row> found = tx.QueryRow("SELECT * FROM deliveries WHERE id = $1", {id.ToBase32()});
  if (found.status().code() == StatusCode::kNotFound) {
    return NotFound("no delivery " + id.ToBase32());
  }
  BL_ASSIGN_OR_RETURN(Row row, std::move(found));
  DeliveryRecord d;
  d.id = id;
  BL_ASSIGN_OR_RETURN(d.transaction_id, IdColumn(row, "transaction_id"));
  BL_ASSIGN_OR_RETURN(d.node_id, row.GetText("node_id"));
  BL_ASSIGN_OR_RETURN(d.request_id, IdColumn(row, "request_id"));
  BL_ASSIGN_OR_RETURN(d.status, row.GetText("status"));
  BL_ASSIGN_OR_RETURN(d.lease_expires_at, row.GetInt64("lease_expires_at"));
  return d;
}

struct SlotCounts {
  int64_t completed = 0;
  int64_t active = 0;
};

// Completed deliveries and unexpired leases of a transaction, but `except`.
Result<SlotCounts> CountSlots(Transaction& tx, const Id& transaction_id, int64_t now,
                              const Id& except) {
  BL_ASSIGN_OR_RETURN(
      Row row,
      tx.QueryRow(
          "SELECT CAST(COALESCE(SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END), 0)"
          " AS BIGINT) AS completed,"
          " CAST(COALESCE(SUM(CASE WHEN status = 'leased' AND lease_expires_at > $2"
          " THEN 1 ELSE 0 END), 0) AS BIGINT) AS active"
          " FROM deliveries WHERE transaction_id = $1 AND id <> $3",
          {transaction_id.ToBase32(), now, except.ToBase32()}));
  SlotCounts c;
  BL_ASSIGN_OR_RETURN(c.completed, row.GetInt64("completed"));
  BL_ASSIGN_OR_RETURN(c.active, row.GetInt64("active"));
  return c;
}

}  // namespace

Status ClearinghouseStore::Migrate(storage::Database& db, const Clock& clock) {
  return storage::Migrate(db, "clearinghouse", kMigrations, clock);
}

Result<std::optional<std::string>> ClearinghouseStore::FindAnswer(const ReplayKey& key) {
  return storage::ReadValue<std::optional<std::string>>(
      db_, [&](Transaction& tx) { return LookupAnswer(tx, key); });
}

Result<std::string> ClearinghouseStore::CreateReservation(const ReplayKey& key,
                                                          const TransactionRecord& t,
                                                          const std::string& answer) {
  return storage::TransactValue<std::string>(db_, [&](Transaction& tx) -> Result<std::string> {
    BL_ASSIGN_OR_RETURN(std::optional<std::string> stored, LookupAnswer(tx, key));
    if (stored.has_value()) return *stored;
    BL_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO transactions (id, merchant_id, product_id, binding,"
                   " wholesale_amount, currency, download_limit, created_at, expires_at, status)"
                   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'reserved')",
                   {t.id.ToBase32(), t.merchant_id, t.product_id.ToBase32(), t.binding,
                    t.wholesale.amount, t.wholesale.currency, t.download_limit, t.created_at,
                    t.expires_at})
            .status());
    BL_RETURN_IF_ERROR(StoreAnswer(tx, key, answer));
    return answer;
  });
}

Result<std::string> ClearinghouseStore::RecordPayment(const ReplayKey& key,
                                                      const PaymentRecord& p, int64_t now,
                                                      const std::string& answer) {
  return storage::TransactValue<std::string>(db_, [&](Transaction& tx) -> Result<std::string> {
    BL_ASSIGN_OR_RETURN(std::optional<std::string> stored, LookupAnswer(tx, key));
    if (stored.has_value()) return *stored;
    BL_ASSIGN_OR_RETURN(TransactionRecord t,
                        ReadOwnTransaction(tx, p.transaction_id, key.merchant_id));
    if (t.status != "reserved") {
      return Conflict("transaction " + t.id.ToBase32() + " is already paid");
    }
    BL_RETURN_IF_ERROR(CheckReservationOpen(t.expires_at, now));
    BL_ASSIGN_OR_RETURN(storage::Rows used,
                        tx.Query("SELECT transaction_id FROM payments WHERE authorization_id = $1",
                                 {p.authorization_id}));
    if (!used.empty()) {
      return Conflict("authorization " + p.authorization_id +
                      " already paid for another transaction");
    }
    BL_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO payments (transaction_id, authorization_id, amount, currency,"
                   " paid_at) VALUES ($1, $2, $3, $4, $5)",
                   {t.id.ToBase32(), p.authorization_id, p.amount.amount, p.amount.currency,
                    p.paid_at})
            .status());
    BL_RETURN_IF_ERROR(tx.Execute("UPDATE transactions SET status = 'paid' WHERE id = $1",
                                  {t.id.ToBase32()})
                           .status());
    BL_RETURN_IF_ERROR(StoreAnswer(tx, key, answer));
    return answer;
  });
}

Result<std::string> ClearinghouseStore::ReleaseReservation(const ReplayKey& key,
                                                           const Id& transaction_id,
                                                           const std::string& answer) {
  return storage::TransactValue<std::string>(db_, [&](Transaction& tx) -> Result<std::string> {
    BL_ASSIGN_OR_RETURN(std::optional<std::string> stored, LookupAnswer(tx, key));
    if (stored.has_value()) return *stored;
    Result<TransactionRecord> t = ReadOwnTransaction(tx, transaction_id, key.merchant_id);
    if (t.ok()) {
      if (t->status != "reserved") {
        return Conflict("transaction " + t->id.ToBase32() + " is paid; it cannot be released");
      }
      // Only a payment or a delivery would refer to the row, and an unpaid
      // transaction has neither.
      BL_RETURN_IF_ERROR(
          tx.Execute("DELETE FROM transactions WHERE id = $1", {t->id.ToBase32()}).status());
    } else if (t.status().code() != StatusCode::kNotFound) {
      return t.status();
    }
    BL_RETURN_IF_ERROR(StoreAnswer(tx, key, answer));
    return answer;
  });
}

Result<std::string> ClearinghouseStore::RecordDeliveryRequest(const ReplayKey& key,
                                                              const Id& transaction_id,
                                                              const std::string& answer) {
  return storage::TransactValue<std::string>(db_, [&](Transaction& tx) -> Result<std::string> {
    BL_ASSIGN_OR_RETURN(std::optional<std::string> stored, LookupAnswer(tx, key));
    if (stored.has_value()) return *stored;
    BL_ASSIGN_OR_RETURN(TransactionRecord t,
                        ReadOwnTransaction(tx, transaction_id, key.merchant_id));
    if (t.status != "paid") {
      return FailedPrecondition("transaction " + t.id.ToBase32() + " is not paid");
    }
    BL_RETURN_IF_ERROR(StoreAnswer(tx, key, answer));
    return answer;
  });
}

Result<TransactionRecord> ClearinghouseStore::GetTransaction(const Id& id) {
  return storage::ReadValue<TransactionRecord>(
      db_, [&](Transaction& tx) { return ReadTransaction(tx, id); });
}

Result<DeliveryRecord> ClearinghouseStore::GetDelivery(const Id& id) {
  return storage::ReadValue<DeliveryRecord>(db_,
                                            [&](Transaction& tx) { return ReadDelivery(tx, id); });
}

Result<int64_t> ClearinghouseStore::CountRows(std::string_view table) {
  return storage::ReadValue<int64_t>(db_, [&](Transaction& tx) -> Result<int64_t> {
    BL_ASSIGN_OR_RETURN(Row row,
                        tx.QueryRow("SELECT COUNT(*) AS n FROM " + std::string(table)));
    return row.GetInt64("n");
  });
}

Result<DeliveryRecord> ClearinghouseStore::ClaimSlot(const std::string& node_id,
                                                     const Id& request_id,
                                                     const Id& transaction_id,
                                                     const Id& delivery_id, int64_t now,
                                                     int64_t lease_expires_at) {
  return storage::TransactValue<DeliveryRecord>(
      db_, [&](Transaction& tx) -> Result<DeliveryRecord> {
        BL_ASSIGN_OR_RETURN(storage::Rows again,
                            tx.Query("SELECT id FROM deliveries WHERE node_id = $1"
                                     " AND request_id = $2",
                                     {node_id, request_id.ToBase32()}));
        if (!again.empty()) {
          BL_ASSIGN_OR_RETURN(Id id, IdColumn(again[0], "id"));
          BL_ASSIGN_OR_RETURN(DeliveryRecord d, ReadDelivery(tx, id));
          if (d.transaction_id != transaction_id) {
            return Conflict("request_id " + request_id.ToBase32() +
                            " was already used for another transaction");
          }
          return d;
        }
        BL_ASSIGN_OR_RETURN(TransactionRecord t, ReadTransaction(tx, transaction_id));
        if (t.status != "paid") {
          return FailedPrecondition("transaction " + t.id.ToBase32() + " is not paid");
        }
        BL_ASSIGN_OR_RETURN(SlotCounts c, CountSlots(tx, transaction_id, now, delivery_id));
        BL_RETURN_IF_ERROR(CheckSlotAvailable(c.completed, c.active, t.download_limit));
        DeliveryRecord d{delivery_id, transaction_id, node_id, request_id, "leased",
                         lease_expires_at};
        BL_RETURN_IF_ERROR(
            tx.Execute("INSERT INTO deliveries (id, transaction_id, node_id, request_id, status,"
                       " lease_expires_at) VALUES ($1, $2, $3, $4, 'leased', $5)",
                       {delivery_id.ToBase32(), transaction_id.ToBase32(), node_id,
                        request_id.ToBase32(), lease_expires_at})
                .status());
        return d;
      });
}

Result<PurchaseRecord> ClearinghouseStore::Complete(const std::string& node_id,
                                                    const Id& delivery_id,
                                                    const Id& transaction_id,
                                                    const crypto::Sha256Digest& content_sha256,
                                                    int64_t content_size, int64_t completed_at,
                                                    int64_t now) {
  return storage::TransactValue<PurchaseRecord>(
      db_, [&](Transaction& tx) -> Result<PurchaseRecord> {
        BL_ASSIGN_OR_RETURN(DeliveryRecord d, ReadDelivery(tx, delivery_id));
        if (d.node_id != node_id) return NotFound("no delivery " + delivery_id.ToBase32());
        if (d.transaction_id != transaction_id) {
          return InvalidArgument("delivery " + delivery_id.ToBase32() + " is for transaction " +
                                 d.transaction_id.ToBase32() + ", not " +
                                 transaction_id.ToBase32());
        }
        if (d.status == "aborted") {
          return FailedPrecondition("delivery " + delivery_id.ToBase32() + " was aborted");
        }
        BL_ASSIGN_OR_RETURN(TransactionRecord t, ReadTransaction(tx, transaction_id));
        int64_t recorded_at = completed_at;
        if (d.status == "leased") {
          if (d.lease_expires_at <= now) {
            // Late, but fine if nobody took the slot meanwhile.
            BL_ASSIGN_OR_RETURN(SlotCounts c, CountSlots(tx, transaction_id, now, delivery_id));
            Status free = CheckSlotAvailable(c.completed, c.active, t.download_limit);
            if (!free.ok()) {
              return FailedPrecondition("the lease of delivery " + delivery_id.ToBase32() +
                                        " expired and its slot was taken: " + free.message());
            }
          }
          BL_RETURN_IF_ERROR(tx.Execute("UPDATE deliveries SET status = 'completed',"
                                        " completed_at = $2 WHERE id = $1",
                                        {delivery_id.ToBase32(), completed_at})
                                 .status());
        } else {
          BL_ASSIGN_OR_RETURN(Row row,
                              tx.QueryRow("SELECT completed_at FROM deliveries WHERE id = $1",
                                          {delivery_id.ToBase32()}));
          BL_ASSIGN_OR_RETURN(recorded_at, row.GetInt64("completed_at"));
        }
        BL_ASSIGN_OR_RETURN(Row pay, tx.QueryRow("SELECT authorization_id FROM payments"
                                                 " WHERE transaction_id = $1",
                                                 {transaction_id.ToBase32()}));
        PurchaseRecord r;
        r.delivery_id = delivery_id;
        r.transaction_id = transaction_id;
        r.product_id = t.product_id;
        r.merchant_id = t.merchant_id;
        r.delivery_node_id = node_id;
        BL_ASSIGN_OR_RETURN(r.authorization_id, pay.GetText("authorization_id"));
        r.binding = t.binding;
        r.wholesale_amount = t.wholesale.amount;
        r.currency = t.wholesale.currency;
        r.content_sha256 = content_sha256;
        r.content_size = content_size;
        r.completed_at = recorded_at;
        return r;
      });
}

Status ClearinghouseStore::Abort(const std::string& node_id, const Id& delivery_id) {
  return db_.Transact([&](Transaction& tx) -> Status {
    BL_ASSIGN_OR_RETURN(DeliveryRecord d, ReadDelivery(tx, delivery_id));
    if (d.node_id != node_id) return NotFound("no delivery " + delivery_id.ToBase32());
    if (d.status == "completed") {
      return FailedPrecondition("delivery " + delivery_id.ToBase32() + " already completed");
    }
    if (d.status == "aborted") return Status::Ok();
    return tx.Execute("UPDATE deliveries SET status = 'aborted' WHERE id = $1",
                      {delivery_id.ToBase32()})
        .status();
  });
}

}  // namespace backline::clearinghouse
