// Typed clients for the two roles the merchant calls, over http::Client:
//
//   ClearinghouseClient  sealed messages (protocol/sealed.h, HPKE auth mode,
//                        merchant key -> clearinghouse key; claims 10, 12, 15, 21-23)
//   PaymentClient        the payment authority's JSON API (docs/protocol.md section 3)
//
//   ClearinghouseClient ch(http, {url, "merchant-1"}, identity, ch_x25519, random, mu);
//   Result<protocol::Reservation> r = co_await ch.Reserve(request);
//
// Errors: a transport failure is the http::Client's Status (kUnavailable,
// kDeadlineExceeded); an error answer is the Status of its JSON body (a decline
// is kPaymentDeclined with the authority's message, "card_declined: ...").
// Sealed answers that do not open are kUnauthenticated.
//
// Card data: PaymentClient::Authorize builds the authority's body from the
// card and wipes it after sending; nothing here logs.
//
// Thread-safety: safe from any number of coroutines. Everything passed to the
// constructors is borrowed and must outlive the client; `random_mu` guards
// `random`, which need not be thread-safe.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <mutex>
#include <string>

#include "base/random.h"
#include "base/status.h"
#include "crypto/x25519.h"
#include "http/client.h"
#include "protocol/identity.h"
#include "protocol/messages.h"

namespace backline::merchant {

template <typename T>
using Async = boost::asio::awaitable<T>;

class ClearinghouseClient {
 public:
  ClearinghouseClient(http::Client& http, std::string base_url, std::string merchant_id,
                      const protocol::Identity& identity, crypto::X25519PublicKey clearinghouse,
                      RandomSource& random, std::mutex& random_mu);

  Async<Result<protocol::Inventory>> GetInventory(const protocol::InventoryRequest& request);
  Async<Result<protocol::Reservation>> Reserve(const protocol::ReservationRequest& request);
  Async<Result<protocol::PaymentAck>> Pay(const Id& transaction_id,
                                          const protocol::PaymentRequest& request);
  Async<Result<protocol::DeliveryAck>> RequestDelivery(const protocol::DeliveryRequest& request);
  Async<Result<protocol::ReservationReleased>> Release(
      const protocol::ReservationRelease& request);

 private:
  // Seals `plaintext` as `request_type` to POST `path`, sends it (with the
  // request id as Idempotency-Key, so the client may retry) and opens the
  // answer as `answer_type`.
  Async<Result<boost::json::object>> Call(std::string_view path, std::string_view request_type,
                                          std::string_view answer_type,
                                          boost::json::object plaintext, std::string request_id);

  http::Client& http_;
  std::string base_url_;
  std::string merchant_id_;
  const protocol::Identity& identity_;
  crypto::X25519PublicKey clearinghouse_;
  RandomSource& random_;
  std::mutex& random_mu_;
};

// The parts of the authority's authorization object the merchant uses.
struct AuthorizationView {
  std::string authorization_id;
  std::string status;  // authorized, captured, voided, expired
  int64_t amount = 0;
  std::string card_last4;
  std::string token;
};

class PaymentClient {
 public:
  PaymentClient(http::Client& http, std::string base_url, std::string merchant_id);

  Async<Result<AuthorizationView>> Authorize(const protocol::PaymentCard& card,
                                             const protocol::Money& amount, std::string key);
  Async<Result<AuthorizationView>> Capture(const std::string& authorization_id, int64_t amount,
                                           std::string key);
  Async<Result<AuthorizationView>> Void(const std::string& authorization_id, std::string key);
  Async<Result<AuthorizationView>> Get(const std::string& authorization_id);
  // The authorization our authorize request with Idempotency-Key `key`
  // created, as it is now; kNotFound when the authority holds none for it.
  Async<Result<AuthorizationView>> FindByKey(const std::string& key);

 private:
  Async<Result<AuthorizationView>> Post(std::string path, std::string body, std::string key);

  http::Client& http_;
  std::string base_url_;
  std::string merchant_id_;
};

}  // namespace backline::merchant
