#include "merchant/merchant_service.h"

#include <algorithm>
#include <utility>

#include "base/logging.h"
#include "crypto/secure.h"

// g++ 12 at -O2 reports Asio's awaitable frame allocator (its own operator
// new/delete pair) as mismatched in some of these coroutines: a known false
// positive of -Wmismatched-new-delete with inlined coroutine frames.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace backline::merchant {
namespace {

std::shared_ptr<spdlog::logger> Log() { return GetLogger("merchant"); }

}  // namespace

boost::json::object CatalogToJson(std::string_view merchant_id,
                                  const std::vector<CatalogItem>& items) {
  boost::json::array products;
  for (const CatalogItem& item : items) {
    products.push_back(boost::json::object{{"product_id", item.product_id.ToBase32()},
                                           {"title", item.title},
                                           {"amount", item.price.amount},
                                           {"currency", item.price.currency},
                                           {"download_limit", item.download_limit}});
  }
  return {{"merchant_id", merchant_id}, {"products", std::move(products)}};
}

MerchantService::MerchantService(OrderStore& store, ClearinghouseClient& clearinghouse,
                                 PaymentClient& payment, ByteSpan request_hmac_key, Clock& clock,
                                 RandomSource& random, std::mutex& random_mu,
                                 MerchantOptions options)
    : store_(store),
      clearinghouse_(clearinghouse),
      payment_(payment),
      request_hmac_key_(request_hmac_key),
      clock_(clock),
      random_(random),
      random_mu_(random_mu),
      options_(std::move(options)) {}

Id MerchantService::RandomId() {
  std::lock_guard<std::mutex> lock(random_mu_);
  return Id::Random(random_);
}

bool MerchantService::StopHere(const Order& order) const {
  return options_.stop_after_for_testing && options_.stop_after_for_testing(order.status);
}

Status MerchantService::Save(Order& order, OrderStatus to) {
  const OrderStatus from = order.status;
  BL_RETURN_IF_ERROR(Advance(order, to, clock_.NowUnixSeconds()));
  Status s = store_.Update(order, from);
  if (!s.ok()) {
    Log()->error("order {}: cannot record {}: {}", order.id.ToBase32(),
                 protocol::OrderStatusName(to), s.ToString());
  }
  return s;
}

// ---- Catalog ------------------------------------------------------------------

Async<Result<std::vector<CatalogItem>>> MerchantService::GetCatalog() {
  {
    std::lock_guard<std::mutex> lock(catalog_mu_);
    if (catalog_.has_value() && clock_.Now() - catalog_fetched_at_ < options_.catalog_ttl) {
      co_return *catalog_;
    }
  }
  protocol::InventoryRequest request{.request_id = RandomId()};
  Result<protocol::Inventory> inventory = co_await clearinghouse_.GetInventory(request);
  if (!inventory.ok()) co_return inventory.status();
  std::vector<CatalogItem> items;
  for (const protocol::InventoryItem& product : inventory->products) {
    // The merchant sells in one currency; others are not offered.
    if (product.wholesale.currency != options_.currency) continue;
    Result<int64_t> retail = RetailPrice(product.wholesale.amount, options_.markup_percent);
    if (!retail.ok()) continue;
    items.push_back({product.product_id, product.title, {*retail, options_.currency},
                     product.download_limit});
  }
  std::lock_guard<std::mutex> lock(catalog_mu_);
  catalog_ = items;
  catalog_fetched_at_ = clock_.Now();
  co_return items;
}

// ---- Orders -------------------------------------------------------------------

Async<Result<Order>> MerchantService::PlaceOrder(std::string key,
                                                 const protocol::OrderRequest& request) {
  if (Status s = ValidateOrderKey(key); !s.ok()) co_return s;
  const crypto::Sha256Digest hash = OrderRequestHash(request_hmac_key_, request);
  Result<Order> existing = store_.FindByKey(key);
  if (existing.ok()) {
    if (!crypto::ConstantTimeEqual(existing->request_hash, hash)) {
      co_return Conflict("Idempotency-Key " + key + " was used for another order request");
    }
    co_return std::move(*existing);
  }
  if (existing.status().code() != StatusCode::kNotFound) co_return existing.status();

  Result<std::vector<CatalogItem>> catalog = co_await GetCatalog();
  if (!catalog.ok()) co_return catalog.status();
  auto item = std::find_if(catalog->begin(), catalog->end(), [&](const CatalogItem& i) {
    return i.product_id == request.product_id;
  });
  if (item == catalog->end()) {
    co_return NotFound("product " + request.product_id.ToBase32() + " is not in the catalog");
  }

  Order order;
  order.id = RandomId();
  order.idempotency_key = key;
  order.request_hash = hash;
  order.product_id = request.product_id;
  order.buyer = request.buyer;
  order.price = item->price;
  order.card_last4 = request.payment.last4();
  order.created_at = order.updated_at = clock_.NowUnixSeconds();
  if (Status s = store_.Insert(order); !s.ok()) {
    if (s.code() != StatusCode::kAlreadyExists) co_return s;
    // Another request with this key got in first.
    Result<Order> winner = store_.FindByKey(key);
    if (!winner.ok()) co_return winner.status();
    if (!crypto::ConstantTimeEqual(winner->request_hash, hash)) {
      co_return Conflict("Idempotency-Key " + key + " was used for another order request");
    }
    co_return std::move(*winner);
  }
  Log()->info("order {}: product {} for {} {}", order.id.ToBase32(),
              order.product_id.ToBase32(), order.price.amount, order.price.currency);
  Result<Order> result = co_await Run(std::move(order), request.payment);
  co_return result;
}

Result<Order> MerchantService::Fail(Order order, const Status& why) {
  const OrderStatus from = order.status;
  BL_RETURN_IF_ERROR(EndWithError(order, OrderStatus::kFailed, why, clock_.NowUnixSeconds()));
  BL_RETURN_IF_ERROR(store_.Update(order, from));
  Log()->warn("order {} failed: {}", order.id.ToBase32(), why.ToString());
  return order;
}

Async<void> MerchantService::ReleaseReservation(Id order_id, Id transaction_id) {
  protocol::ReservationRelease release{.request_id = DeriveRequestId(order_id, "release"),
                                       .transaction_id = transaction_id};
  Result<protocol::ReservationReleased> released = co_await clearinghouse_.Release(release);
  if (!released.ok()) {
    Log()->warn("order {}: reservation {} not released, it will expire: {}",
                order_id.ToBase32(), transaction_id.ToBase32(), released.status().ToString());
  } else {
    Log()->info("order {}: reservation {} released", order_id.ToBase32(),
                transaction_id.ToBase32());
  }
}

Async<Result<Order>> MerchantService::ReleaseAndFail(Order order, Id transaction_id,
                                                     Status why) {
  co_await ReleaseReservation(order.id, transaction_id);
  co_return Fail(std::move(order), why);
}

Async<Result<Order>> MerchantService::Run(Order order, const protocol::PaymentCard& card) {
  // new -> reserved (claim 10).
  protocol::ReservationRequest reserve{.request_id = DeriveRequestId(order.id, "reserve"),
                                       .product_id = order.product_id,
                                       .binding = protocol::BindingDigest(order.buyer),
                                       .retail = order.price};
  Result<protocol::Reservation> reservation = co_await clearinghouse_.Reserve(reserve);
  if (!reservation.ok()) co_return Fail(std::move(order), reservation.status());
  const Id txn = reservation->transaction_id;
  if (reservation->product_id != order.product_id || reservation->binding != reserve.binding) {
    Result<Order> failed = co_await ReleaseAndFail(
        std::move(order), txn, Internal("the clearinghouse reserved another product or binding"));
    co_return failed;
  }
  if (reservation->wholesale.currency != order.price.currency ||
      reservation->wholesale.amount > order.price.amount) {
    Status why = FailedPrecondition(
        "the wholesale price is now " + std::to_string(reservation->wholesale.amount) + " " +
        reservation->wholesale.currency + ", above the price of " +
        std::to_string(order.price.amount) + "; try again");
    Result<Order> failed = co_await ReleaseAndFail(std::move(order), txn, why);
    co_return failed;
  }
  order.transaction_id = txn;
  if (Status s = Save(order, OrderStatus::kReserved); !s.ok()) {
    co_await ReleaseReservation(order.id, txn);
    co_return s;
  }
  if (StopHere(order)) co_return Unavailable("stopped for testing after reserved");

  // reserved -> authorized (claim 13). A decline is the authority's 402.
  Result<AuthorizationView> auth =
      co_await payment_.Authorize(card, order.price, PaymentKey(order.id, "authorize"));
  if (!auth.ok()) {
    // A decline (or any other failure to authorize): nothing may stay
    // reserved for this order (issue 3).
    Result<Order> failed = co_await ReleaseAndFail(std::move(order), txn, auth.status());
    co_return failed;
  }
  order.authorization_id = auth->authorization_id;
  order.authorization_token = auth->token;
  order.card_last4 = auth->card_last4;
  if (Status s = Save(order, OrderStatus::kAuthorized); !s.ok()) co_return s;
  Log()->info("order {}: authorization {} (card ending {})", order.id.ToBase32(),
              *order.authorization_id, order.card_last4);
  if (StopHere(order)) co_return Unavailable("stopped for testing after authorized");

  Result<Order> result = co_await PayAndCapture(std::move(order));
  co_return result;
}

Async<Result<Order>> MerchantService::PayAndCapture(Order order) {
  // authorized -> paid (claims 14-15, 17, 21).
  protocol::PaymentRequest pay{.request_id = DeriveRequestId(order.id, "pay"),
                               .authorization_token = order.authorization_token};
  Result<protocol::PaymentAck> ack = co_await clearinghouse_.Pay(*order.transaction_id, pay);
  if (ack.ok() && ack->transaction_id != *order.transaction_id) {
    ack = Internal("the clearinghouse acknowledged another transaction");
  }
  if (!ack.ok()) {
    Result<Order> voided = co_await VoidOrder(std::move(order), ack.status());
    co_return voided;
  }
  order.download_url = ack->download_url;
  if (Status s = Save(order, OrderStatus::kPaid); !s.ok()) co_return s;
  if (StopHere(order)) co_return Unavailable("stopped for testing after paid");

  Result<Order> result = co_await CaptureAndComplete(std::move(order));
  co_return result;
}

Async<Result<Order>> MerchantService::CaptureAndComplete(Order order) {
  if (order.status == OrderStatus::kPaid) {
    Result<AuthorizationView> captured = co_await payment_.Capture(
        *order.authorization_id, order.price.amount, PaymentKey(order.id, "capture"));
    if (!captured.ok()) {
      if (captured.status().code() == StatusCode::kFailedPrecondition) {
        // Expired or voided behind our back: the product is delivered but
        // the money cannot be taken. An operator must look at it.
        Log()->error("order {}: capture refused for good: {}", order.id.ToBase32(),
                     captured.status().ToString());
        co_return Fail(std::move(order), captured.status());
      }
      // The product is the buyer's; the capture is retried at the next start.
      Log()->warn("order {}: capture pending: {}", order.id.ToBase32(),
                  captured.status().ToString());
      co_return Unavailable("order " + order.id.ToBase32() +
                            " is paid; its capture is pending and will be retried");
    }
    if (Status s = Save(order, OrderStatus::kCaptured); !s.ok()) co_return s;
  }
  if (Status s = Save(order, OrderStatus::kCompleted); !s.ok()) co_return s;
  Log()->info("order {}: completed, transaction {}", order.id.ToBase32(),
              order.transaction_id->ToBase32());
  co_return order;
}

Async<Result<Order>> MerchantService::VoidOrder(Order order, const Status& why) {
  Result<AuthorizationView> voided =
      co_await payment_.Void(*order.authorization_id, PaymentKey(order.id, "void"));
  if (!voided.ok() && !(voided.status().code() == StatusCode::kFailedPrecondition &&
                        voided.status().message().find("already voided") != std::string::npos)) {
    // Still authorized: the next start voids it again (same key).
    Log()->error("order {}: void of {} failed, retried at the next start: {}",
                 order.id.ToBase32(), *order.authorization_id, voided.status().ToString());
    co_return why;
  }
  const OrderStatus from = order.status;
  if (Status s = EndWithError(order, OrderStatus::kVoided, why, clock_.NowUnixSeconds());
      !s.ok()) {
    co_return s;
  }
  if (Status s = store_.Update(order, from); !s.ok()) co_return s;
  Log()->warn("order {}: authorization voided: {}", order.id.ToBase32(), why.ToString());
  co_return order;
}

// ---- Delivery requests (claims 22-23) ----------------------------------------------

Async<Result<protocol::DeliveryAck>> MerchantService::RequestDelivery(const Id& order_id) {
  Result<Order> order = store_.Find(order_id);
  if (!order.ok()) co_return order.status();
  if (order->status != OrderStatus::kCompleted && order->status != OrderStatus::kCaptured &&
      order->status != OrderStatus::kPaid) {
    co_return FailedPrecondition("order " + order_id.ToBase32() + " is " +
                                 std::string(protocol::OrderStatusName(order->status)) +
                                 ", not paid");
  }
  // Each click is a new request: a fresh id gets a fresh URL.
  protocol::DeliveryRequest request{.request_id = RandomId(),
                                    .transaction_id = *order->transaction_id};
  Result<protocol::DeliveryAck> ack = co_await clearinghouse_.RequestDelivery(request);
  if (!ack.ok()) co_return ack.status();
  if (ack->transaction_id != *order->transaction_id) {
    co_return Internal("the clearinghouse answered for another transaction");
  }
  co_return ack;
}

// ---- Recovery -----------------------------------------------------------------

// An order left at reserved may have died with its authorize request in
// flight, and the authority may have committed it: the answer, not the
// request, was lost. The derived key finds that authorization, which is then
// recorded and voided like any authorization left behind.
Async<Result<Order>> MerchantService::RecoverReserved(Order order) {
  Result<AuthorizationView> found = co_await payment_.FindByKey(PaymentKey(order.id, "authorize"));
  if (!found.ok() && found.status().code() != StatusCode::kNotFound) {
    // Money may be held: leave the order at reserved for the next start.
    co_return found.status().WithContext("looking up the authorization of order " +
                                         order.id.ToBase32());
  }
  if (!found.ok() || found->status != "authorized") {
    // Never authorized (or declined), or already voided or expired: nothing
    // is held at the authority; give the reservation back too.
    if (!order.transaction_id.has_value()) {
      co_return Fail(std::move(order),
                     Unavailable("the merchant restarted before the payment was authorized"));
    }
    const Id txn = *order.transaction_id;
    Result<Order> failed = co_await ReleaseAndFail(
        std::move(order), txn,
        Unavailable("the merchant restarted before the payment was authorized"));
    co_return failed;
  }
  order.authorization_id = found->authorization_id;
  order.authorization_token = found->token;
  order.card_last4 = found->card_last4;
  if (Status s = Save(order, OrderStatus::kAuthorized); !s.ok()) co_return s;
  Log()->info("order {}: found authorization {} made before the restart", order.id.ToBase32(),
              *order.authorization_id);
  Result<Order> voided = co_await VoidOrder(
      std::move(order), Unavailable("the merchant restarted before the payment was recorded"));
  co_return voided;
}

Async<Status> MerchantService::ResumeUnfinished() {
  Result<std::vector<Order>> orders = store_.ListUnfinished();
  if (!orders.ok()) co_return orders.status();
  Status first;
  for (Order& order : *orders) {
    const std::string id = order.id.ToBase32();
    const std::string_view was = protocol::OrderStatusName(order.status);
    Result<Order> done = order;
    switch (RecoveryFor(order.status)) {
      case RecoveryAction::kNone:
        break;
      case RecoveryAction::kFail:
        done = Fail(std::move(order),
                    Unavailable("the merchant restarted before the payment was authorized"));
        break;
      case RecoveryAction::kFindAuthorization: {
        Result<Order> recovered = co_await RecoverReserved(std::move(order));
        done = std::move(recovered);
        break;
      }
      case RecoveryAction::kVoid: {
        Result<Order> voided = co_await VoidOrder(
            std::move(order),
            Unavailable("the merchant restarted before the clearinghouse acknowledged the payment"));
        done = std::move(voided);
        break;
      }
      case RecoveryAction::kCapture:
      case RecoveryAction::kComplete: {
        Result<Order> completed = co_await CaptureAndComplete(std::move(order));
        done = std::move(completed);
        break;
      }
    }
    if (done.ok()) {
      Log()->info("recovery: order {} was {}, now {}", id, was,
                  protocol::OrderStatusName(done->status));
    } else {
      Log()->error("recovery: order {} ({}) not finished: {}", id, was,
                   done.status().ToString());
      if (first.ok()) first = done.status();
    }
  }
  co_return first;
}

}  // namespace backline::merchant
