#include "merchant/order_store.h"

#include <algorithm>
#include <array>
#include <string>

#include "storage/migrations.h"

namespace backline::merchant {
namespace {

using storage::Row;
using storage::Transaction;

constexpr storage::Migration kMigrations[] = {
    {1, "orders", R"sql(
CREATE TABLE orders (
  id TEXT PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  request_hash BLOB NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('new', 'reserved', 'authorized', 'paid', 'captured',
                                         'completed', 'voided', 'failed')),
  product_id TEXT NOT NULL,
  buyer_ed25519 BLOB NOT NULL,
  buyer_x25519 BLOB NOT NULL,
  amount BIGINT NOT NULL CHECK (amount >= 0),
  currency TEXT NOT NULL,
  card_last4 TEXT NOT NULL,
  transaction_id TEXT,
  authorization_id TEXT,
  authorization_token TEXT NOT NULL,
  download_url TEXT,
  error_code TEXT NOT NULL,
  error_message TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX orders_by_status ON orders (status, created_at);
)sql"},
};

constexpr std::string_view kColumns =
    "id, idempotency_key, request_hash, status, product_id, buyer_ed25519, buyer_x25519, "
    "amount, currency, card_last4, transaction_id, authorization_id, authorization_token, "
    "download_url, error_code, error_message, created_at, updated_at";

template <size_t N>
Result<std::array<uint8_t, N>> FixedBlob(const Row& row, std::string_view column) {
  BL_ASSIGN_OR_RETURN(Bytes b, row.GetBlob(column));
  if (b.size() != N) return DataLoss("orders." + std::string(column) + " has the wrong size");
  std::array<uint8_t, N> out{};
  std::copy(b.begin(), b.end(), out.begin());
  return out;
}

Result<Id> IdColumn(const Row& row, std::string_view column) {
  BL_ASSIGN_OR_RETURN(std::string text, row.GetText(column));
  return Id::FromBase32(text);
}

Result<Order> OrderFromRow(const Row& row) {
  Order o;
  BL_ASSIGN_OR_RETURN(o.id, IdColumn(row, "id"));
  BL_ASSIGN_OR_RETURN(o.idempotency_key, row.GetText("idempotency_key"));
  BL_ASSIGN_OR_RETURN(o.request_hash, FixedBlob<32>(row, "request_hash"));
  BL_ASSIGN_OR_RETURN(std::string status, row.GetText("status"));
  std::optional<OrderStatus> parsed = protocol::OrderStatusFromName(status);
  if (!parsed.has_value()) return DataLoss("orders.status '" + status + "' is unknown");
  o.status = *parsed;
  BL_ASSIGN_OR_RETURN(o.product_id, IdColumn(row, "product_id"));
  BL_ASSIGN_OR_RETURN(o.buyer.ed25519, FixedBlob<32>(row, "buyer_ed25519"));
  BL_ASSIGN_OR_RETURN(o.buyer.x25519, FixedBlob<32>(row, "buyer_x25519"));
  BL_ASSIGN_OR_RETURN(o.price.amount, row.GetInt64("amount"));
  BL_ASSIGN_OR_RETURN(o.price.currency, row.GetText("currency"));
  BL_ASSIGN_OR_RETURN(o.card_last4, row.GetText("card_last4"));
  BL_ASSIGN_OR_RETURN(std::optional<std::string> txn, row.GetOptionalText("transaction_id"));
  if (txn.has_value()) {
    BL_ASSIGN_OR_RETURN(o.transaction_id, Id::FromBase32(*txn));
  }
  BL_ASSIGN_OR_RETURN(o.authorization_id, row.GetOptionalText("authorization_id"));
  BL_ASSIGN_OR_RETURN(o.authorization_token, row.GetText("authorization_token"));
  BL_ASSIGN_OR_RETURN(o.download_url, row.GetOptionalText("download_url"));
  BL_ASSIGN_OR_RETURN(std::string code, row.GetText("error_code"));
  o.error_code = StatusCodeFromName(code).value_or(StatusCode::kInternal);
  BL_ASSIGN_OR_RETURN(o.error_message, row.GetText("error_message"));
  BL_ASSIGN_OR_RETURN(o.created_at, row.GetInt64("created_at"));
  BL_ASSIGN_OR_RETURN(o.updated_at, row.GetInt64("updated_at"));
  return o;
}

std::optional<std::string> OptionalId(const std::optional<Id>& id) {
  if (!id.has_value()) return std::nullopt;
  return id->ToBase32();
}

Result<Order> QueryOne(storage::Database& db, const std::string& where, std::string_view arg) {
  return storage::ReadValue<Order>(db, [&](Transaction& tx) -> Result<Order> {
    BL_ASSIGN_OR_RETURN(Row row, tx.QueryRow("SELECT " + std::string(kColumns) +
                                                 " FROM orders WHERE " + where,
                                             {arg}));
    return OrderFromRow(row);
  });
}

}  // namespace

Status OrderStore::Migrate(storage::Database& db, const Clock& clock) {
  return storage::Migrate(db, "merchant", kMigrations, clock);
}

Status OrderStore::Insert(const Order& o) {
  return db_.Transact([&](Transaction& tx) -> Status {
    return tx
        .Execute(
            "INSERT INTO orders (" + std::string(kColumns) +
                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
                "$16, $17, $18)",
            {o.id.ToBase32(), o.idempotency_key, o.request_hash,
             protocol::OrderStatusName(o.status), o.product_id.ToBase32(), o.buyer.ed25519,
             o.buyer.x25519, o.price.amount, o.price.currency, o.card_last4,
             OptionalId(o.transaction_id), o.authorization_id, o.authorization_token,
             o.download_url, StatusCodeName(o.error_code), o.error_message, o.created_at,
             o.updated_at})
        .status();
  });
}

Result<Order> OrderStore::Find(const Id& id) {
  Result<Order> o = QueryOne(db_, "id = $1", id.ToBase32());
  if (!o.ok() && o.status().code() == StatusCode::kNotFound) {
    return NotFound("no order " + id.ToBase32());
  }
  return o;
}

Result<Order> OrderStore::FindByKey(std::string_view idempotency_key) {
  return QueryOne(db_, "idempotency_key = $1", idempotency_key);
}

Status OrderStore::Update(const Order& o, OrderStatus expected) {
  int64_t changed = 0;
  BL_RETURN_IF_ERROR(db_.Transact([&](Transaction& tx) -> Status {
    BL_ASSIGN_OR_RETURN(
        changed,
        tx.Execute("UPDATE orders SET status = $1, card_last4 = $2, transaction_id = $3, "
                   "authorization_id = $4, authorization_token = $5, download_url = $6, "
                   "error_code = $7, error_message = $8, updated_at = $9 "
                   "WHERE id = $10 AND status = $11",
                   {protocol::OrderStatusName(o.status), o.card_last4,
                    OptionalId(o.transaction_id), o.authorization_id, o.authorization_token,
                    o.download_url, StatusCodeName(o.error_code), o.error_message, o.updated_at,
                    o.id.ToBase32(), protocol::OrderStatusName(expected)}));
    return Status::Ok();
  }));
  if (changed != 1) {
    return Conflict("order " + o.id.ToBase32() + " is no longer " +
                    std::string(protocol::OrderStatusName(expected)));
  }
  return Status::Ok();
}

Result<std::vector<Order>> OrderStore::ListUnfinished() {
  return storage::ReadValue<std::vector<Order>>(
      db_, [&](Transaction& tx) -> Result<std::vector<Order>> {
        BL_ASSIGN_OR_RETURN(storage::Rows rows,
                            tx.Query("SELECT " + std::string(kColumns) +
                                     " FROM orders WHERE status NOT IN ('completed', 'voided', "
                                     "'failed') ORDER BY created_at, id"));
        std::vector<Order> out;
        for (const Row& row : rows) {
          BL_ASSIGN_OR_RETURN(Order o, OrderFromRow(row));
          out.push_back(std::move(o));
        }
        return out;
      });
}

}  // namespace backline::merchant
