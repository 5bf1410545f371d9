// OrderStore: the merchant's orders in its database (storage/database.h), one
// row per order, schema "merchant" with numbered migrations.
//
//   OrderStore store(db);                 // db must outlive the store
//   BL_RETURN_IF_ERROR(OrderStore::Migrate(db, clock));
//   Status s = store.Insert(order);       // kAlreadyExists: that key has an order
//   BL_ASSIGN_OR_RETURN(Order o, store.FindByKey("k-1"));
//   BL_RETURN_IF_ERROR(store.Update(o, OrderStatus::kReserved));  // compare-and-set
//
// No card number or CVC is ever written: Order does not hold them.
//
// Thread-safety: as Database; safe from any number of threads.
#pragma once

#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "merchant/order.h"
#include "storage/database.h"

namespace backline::merchant {

class OrderStore {
 public:
  explicit OrderStore(storage::Database& db) : db_(db) {}

  static Status Migrate(storage::Database& db, const Clock& clock);

  // kAlreadyExists when an order with this id or idempotency key exists.
  Status Insert(const Order& order);
  // kNotFound when there is none.
  Result<Order> Find(const Id& id);
  Result<Order> FindByKey(std::string_view idempotency_key);
  // Writes every mutable field of `order`, only if the stored status is still
  // `expected` (kConflict otherwise: someone else moved the order on).
  Status Update(const Order& order, OrderStatus expected);
  // Orders not completed, voided or failed, oldest first.
  Result<std::vector<Order>> ListUnfinished();

 private:
  storage::Database& db_;
};

}  // namespace backline::merchant
