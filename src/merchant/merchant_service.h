// MerchantService: the merchant's logic over its store and its two peers
// (claims 1, 10, 13-15, 17, 19-23). No HTTP server and no SQL here: routes
// call it, OrderStore keeps the orders, peers.h talks to the other roles.
//
// PlaceOrder runs one order through the state machine of order.h:
//   1. the buyer's Idempotency-Key: the same key and body get the stored
//      order back, another body is kConflict;
//   2. the price: the clearinghouse's wholesale price (its inventory, cached
//      for catalog_ttl) marked up by markup_percent, rounded up;
//   3. new -> reserved: a sealed reservation-request (HPKE auth mode, claim 10);
//      the reservation's wholesale price must not exceed the retail price;
//   4. reserved -> authorized: the payment authority, key "order-<id>-authorize"
//      (claim 13); a decline ends the order failed with the authority's 402;
//   5. authorized -> paid: a sealed payment-request carrying the
//      authorization token (claims 14-15), answered by a sealed payment-ack
//      with the transaction id, delivery token and download URL (claims 17, 21);
//      ANY failure here voids the authorization (key "order-<id>-void");
//   6. paid -> captured -> completed: capture (key "order-<id>-capture").
// Each state is written before the next call, and every call's request id or
// key is derived from the order id, so ResumeUnfinished can finish or undo an
// order left by a crash without doing any step twice.
//
// The card number and CVC only pass through to the authority: never stored,
// never logged.
//
// Thread-safety: safe from any number of coroutines and threads. Everything
// passed to the constructor is borrowed and must outlive the service.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/random.h"
#include "crypto/secure.h"
#include "merchant/order.h"
#include "merchant/order_store.h"
#include "merchant/peers.h"

namespace backline::merchant {

struct MerchantOptions {
  std::string merchant_id = "merchant-1";
  std::string currency = "EUR";   // only products priced in it are sold
  int64_t markup_percent = 30;    // 0-10000
  std::chrono::milliseconds catalog_ttl{30'000};
  // Tests only: called each time an order reaches a state; returning true
  // stops PlaceOrder right there (kUnavailable), as if the process died.
  std::function<bool(OrderStatus)> stop_after_for_testing;
};

struct CatalogItem {
  Id product_id;
  std::string title;
  protocol::Money price;  // retail
  int64_t download_limit = 1;
};

// {"merchant_id","products":[{"product_id","title","amount","currency","download_limit"}]}
boost::json::object CatalogToJson(std::string_view merchant_id,
                                  const std::vector<CatalogItem>& items);

class MerchantService {
 public:
  MerchantService(OrderStore& store, ClearinghouseClient& clearinghouse, PaymentClient& payment,
                  ByteSpan request_hmac_key, Clock& clock, RandomSource& random,
                  std::mutex& random_mu, MerchantOptions options);

  // The clearinghouse's inventory at retail prices, in merchant.currency.
  Async<Result<std::vector<CatalogItem>>> GetCatalog();

  // Runs a new order to its end, or returns the order stored under `key`.
  // The returned order may be failed or voided (see its error_code); an error
  // Status means no order was made (bad key, other body: kConflict, unknown
  // product: kNotFound) or the state could not be saved.
  Async<Result<Order>> PlaceOrder(std::string key, const protocol::OrderRequest& request);

  Result<Order> GetOrder(const Id& id) { return store_.Find(id); }
  // The order made under the buyer's Idempotency-Key (operators, tests).
  Result<Order> GetOrderByKey(std::string_view key) { return store_.FindByKey(key); }

  // A fresh download URL for a paid order (claims 22-23): a sealed
  // delivery-request to the clearinghouse. kFailedPrecondition when the
  // order is not paid.
  Async<Result<protocol::DeliveryAck>> RequestDelivery(const Id& order_id);

  // The start hook: every unfinished order is finished or undone
  // (order.h RecoveryFor). Returns the first error; the others are logged.
  Async<Status> ResumeUnfinished();

  const MerchantOptions& options() const { return options_; }

 private:
  Async<Result<Order>> Run(Order order, const protocol::PaymentCard& card);
  Async<Result<Order>> PayAndCapture(Order order);
  Async<Result<Order>> CaptureAndComplete(Order order);
  Async<Result<Order>> VoidOrder(Order order, const Status& why);
  Async<Result<Order>> RecoverReserved(Order order);
  Result<Order> Fail(Order order, const Status& why);
  // Gives the order's reservation back to the clearinghouse after a failure
  // before authorization. Best effort: when it fails the reservation expires.
  // Ids by value: the coroutine outlives its caller's arguments.
  Async<void> ReleaseReservation(Id order_id, Id transaction_id);
  // Fail, after releasing the reservation `transaction_id`.
  Async<Result<Order>> ReleaseAndFail(Order order, Id transaction_id, Status why);
  Status Save(Order& order, OrderStatus to);
  bool StopHere(const Order& order) const;
  Id RandomId();

  OrderStore& store_;
  ClearinghouseClient& clearinghouse_;
  PaymentClient& payment_;
  crypto::SecretBytes request_hmac_key_;
  Clock& clock_;
  RandomSource& random_;
  std::mutex& random_mu_;
  MerchantOptions options_;

  std::mutex catalog_mu_;
  std::optional<std::vector<CatalogItem>> catalog_;  // guarded by catalog_mu_
  Clock::TimePoint catalog_fetched_at_{};             // guarded by catalog_mu_
};

}  // namespace backline::merchant
