#include "clearinghouse/purchase_recorder.h"

#include <algorithm>
#include <array>

#include "storage/migrations.h"

namespace backline::clearinghouse {
namespace {

constexpr storage::Migration kMigrations[] = {
    {1, "purchases",
     "CREATE TABLE purchases ("
     " delivery_id TEXT PRIMARY KEY,"
     " transaction_id TEXT NOT NULL,"
     " product_id TEXT NOT NULL,"
     " merchant_id TEXT NOT NULL,"
     " delivery_node_id TEXT NOT NULL,"
     " authorization_id TEXT NOT NULL,"
     " binding BLOB NOT NULL,"
     " wholesale_amount BIGINT NOT NULL,"
     " currency TEXT NOT NULL,"
     " content_sha256 BLOB NOT NULL,"
     " content_size BIGINT NOT NULL,"
     " completed_at BIGINT NOT NULL,"
     " seq BIGINT NOT NULL UNIQUE)"},
};

Result<crypto::Sha256Digest> DigestOf(const storage::Row& row, std::string_view column) {
  BL_ASSIGN_OR_RETURN(Bytes b, row.GetBlob(column));
  if (b.size() != crypto::kSha256Size) return DataLoss("purchases." + std::string(column));
  crypto::Sha256Digest d{};
  std::copy(b.begin(), b.end(), d.begin());
  return d;
}

}  // namespace

Status SqlitePurchaseRecorder::Migrate(storage::Database& db, const Clock& clock) {
  return storage::Migrate(db, "clearinghouse_purchases", kMigrations, clock);
}

Status SqlitePurchaseRecorder::Append(const PurchaseRecord& r) {
  const std::string delivery = r.delivery_id.ToBase32();
  const std::string txn = r.transaction_id.ToBase32();
  const std::string product = r.product_id.ToBase32();
  return db_.Transact([&](storage::Transaction& tx) -> Status {
    // seq keeps the order of appends, as the ledger will.
    return tx
        .Execute(
            "INSERT INTO purchases (delivery_id, transaction_id, product_id, merchant_id,"
            " delivery_node_id, authorization_id, binding, wholesale_amount, currency,"
            " content_sha256, content_size, completed_at, seq)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
            " (SELECT COALESCE(MAX(seq), 0) + 1 FROM purchases))"
            " ON CONFLICT (delivery_id) DO NOTHING",
            {delivery, txn, product, r.merchant_id, r.delivery_node_id, r.authorization_id,
             r.binding, r.wholesale_amount, r.currency, r.content_sha256, r.content_size,
             r.completed_at})
        .status();
  });
}

Result<std::vector<PurchaseRecord>> SqlitePurchaseRecorder::List() {
  return storage::ReadValue<std::vector<PurchaseRecord>>(
      db_, [&](storage::Transaction& tx) -> Result<std::vector<PurchaseRecord>> {
        BL_ASSIGN_OR_RETURN(storage::Rows rows, tx.Query("SELECT * FROM purchases ORDER BY seq"));
        std::vector<PurchaseRecord> out;
        for (const storage::Row& row : rows) {
          PurchaseRecord r;
          BL_ASSIGN_OR_RETURN(std::string d, row.GetText("delivery_id"));
          BL_ASSIGN_OR_RETURN(r.delivery_id, Id::FromBase32(d));
          BL_ASSIGN_OR_RETURN(std::string t, row.GetText("transaction_id"));
          BL_ASSIGN_OR_RETURN(r.transaction_id, Id::FromBase32(t));
          BL_ASSIGN_OR_RETURN(std::string p, row.GetText("product_id"));
          BL_ASSIGN_OR_RETURN(r.product_id, Id::FromBase32(p));
          BL_ASSIGN_OR_RETURN(r.merchant_id, row.GetText("merchant_id"));
          BL_ASSIGN_OR_RETURN(r.delivery_node_id, row.GetText("delivery_node_id"));
          BL_ASSIGN_OR_RETURN(r.authorization_id, row.GetText("authorization_id"));
          BL_ASSIGN_OR_RETURN(r.binding, DigestOf(row, "binding"));
          BL_ASSIGN_OR_RETURN(r.wholesale_amount, row.GetInt64("wholesale_amount"));
          BL_ASSIGN_OR_RETURN(r.currency, row.GetText("currency"));
          BL_ASSIGN_OR_RETURN(r.content_sha256, DigestOf(row, "content_sha256"));
          BL_ASSIGN_OR_RETURN(r.content_size, row.GetInt64("content_size"));
          BL_ASSIGN_OR_RETURN(r.completed_at, row.GetInt64("completed_at"));
          out.push_back(std::move(r));
        }
        return out;
      });
}

}  // namespace backline::clearinghouse
