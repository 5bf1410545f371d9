// ClearinghouseService: the clearinghouse's logic (claims 1-3, 11-12, 16-18),
// on decoded, authenticated messages: the routes open sealed envelopes and
// check service signatures, then call one method here with the sender's
// name. No HTTP, no SQL: state goes through ClearinghouseStore, purchases
// through a PurchaseRecorder.
//
//   ClearinghouseService service(settings, identity, store, recorder, clock, random);
//   Result<boost::json::object> r = service.Reserve("merchant-1", request);
//
// Answers of sealed requests are returned as the JSON objects to seal; a
// replay of (merchant, request_id) returns the stored answer again.
//
// Thread-safety: safe from any number of threads. Everything passed to the
// constructor is borrowed and must outlive the service; the RandomSource is
// used under a lock.
#pragma once

#include <atomic>
#include <boost/json/object.hpp>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/random.h"
#include "clearinghouse/clearinghouse_store.h"
#include "clearinghouse/purchase_recorder.h"
#include "clearinghouse/settings.h"
#include "protocol/identity.h"
#include "protocol/messages.h"

namespace backline::clearinghouse {

// Serializes a RandomSource that need not be thread-safe.
class LockedRandom final : public RandomSource {
 public:
  explicit LockedRandom(RandomSource& inner) : inner_(inner) {}
  void Fill(std::span<uint8_t> out) override {
    std::lock_guard<std::mutex> lock(mu_);
    inner_.Fill(out);
  }

 private:
  std::mutex mu_;
  RandomSource& inner_;
};

class ClearinghouseService {
 public:
  ClearinghouseService(const Settings& settings, const protocol::Identity& identity,
                       ClearinghouseStore& store, PurchaseRecorder& recorder, const Clock& clock,
                       RandomSource& random);

  // POST /v1/reservations. kNotFound: unknown product.
  Result<boost::json::object> Reserve(std::string_view merchant,
                                      const protocol::ReservationRequest& request);
  // POST /v1/transactions/{id}/payment. See docs/protocol.md section 4.
  Result<boost::json::object> Pay(std::string_view merchant, const Id& transaction_id,
                                  const protocol::PaymentRequest& request);
  // POST /v1/transactions/{id}/release: frees an unpaid reservation
  // (idempotent). kInvalidArgument: body and path name other transactions;
  // kConflict: already paid.
  Result<boost::json::object> Release(std::string_view merchant, const Id& transaction_id,
                                      const protocol::ReservationRelease& request);
  // POST /v1/inventory.
  protocol::Inventory Inventory() const;
  // POST /v1/delivery-requests: a fresh token for a paid transaction.
  Result<boost::json::object> RequestDelivery(std::string_view merchant,
                                              const protocol::DeliveryRequest& request);

  // POST /v1/deliveries from an authenticated node.
  Result<protocol::DeliveryClaim> Claim(std::string_view node,
                                        const protocol::DeliveryClaimRequest& request);
  // POST /v1/deliveries/{id}/complete: durable (recorder) before OK.
  Status Complete(std::string_view node, const Id& delivery_id,
                  const protocol::CompletionRequest& request);
  // POST /v1/deliveries/{id}/abort.
  Status Abort(std::string_view node, const Id& delivery_id);

  const Settings& settings() const { return settings_; }
  const protocol::Identity& identity() const { return identity_; }
  const Clock& clock() const { return clock_; }
  RandomSource& random() { return random_; }
  ClearinghouseStore& store() { return store_; }

 private:
  const Product* FindProduct(const Id& id) const;
  // A delivery token and download URL for a paid transaction, on the next
  // delivery node in turn.
  Result<std::pair<std::string, std::string>> IssueToken(const TransactionRecord& txn);
  static Result<boost::json::object> ParseAnswer(const std::string& answer);

  const Settings& settings_;
  const protocol::Identity& identity_;
  ClearinghouseStore& store_;
  PurchaseRecorder& recorder_;
  const Clock& clock_;
  LockedRandom random_;
  std::map<std::string, const Product*, std::less<>> products_;
  std::atomic<size_t> next_node_{0};
};

}  // namespace backline::clearinghouse
