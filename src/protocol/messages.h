// The messages of docs/protocol.md as structs with JSON codecs, and the two
// PASETO tokens (delivery authorization, payment authorization) with helpers
// that sign and verify them. Both ends of every message use these, so they
// agree on field names, types and ranges by construction.
//
//   ReservationRequest req{.request_id = Id::Random(random), .product_id = product,
//                          .binding = BindingDigest(buyer), .retail = {1299, "EUR"}};
//   boost::json::object body = req.ToJson();
//   ...
//   BL_ASSIGN_OR_RETURN(ReservationRequest got, ReservationRequest::FromJson(opened.message));
//
// FromJson is strict (protocol/json_fields.h): a missing or mistyped field, or
// one out of its range, is kInvalidArgument naming the message and the field
// ("reservation-request: field \"retail.currency\" must be 3 uppercase
// letters (ISO 4217)"); unknown fields are ignored. Ids are base::Id in their
// 26-character base32 form; binary values are base64url without padding;
// *_at fields are RFC 3339 UTC strings, whole seconds.
//
// Tokens (PASETO v4.public, crypto/paseto_claims.h; iat/exp are RFC 3339
// strings as PASETO requires):
//   delivery token       iss "clearinghouse", aud "delivery", sub transaction id
//   payment authorization iss "payment", aud "clearinghouse", sub authorization id
//
//   std::string token = SignDeliveryToken(claims, clearinghouse_identity.ed25519());
//   BL_ASSIGN_OR_RETURN(DeliveryTokenClaims c, VerifyDeliveryToken(token,
//       clearinghouse_ed25519, clock, {.transaction_id = txn_from_url}));
//
// Thread-safety: values and pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/id.h"
#include "base/status.h"
#include "crypto/ed25519.h"
#include "crypto/hash.h"
#include "protocol/identity.h"
#include "protocol/json_fields.h"

namespace backline::protocol {

// ---- Paths (docs/protocol.md) ----------------------------------------------

inline constexpr std::string_view kOrdersPath = "/v1/orders";
inline constexpr std::string_view kReservationsPath = "/v1/reservations";
inline constexpr std::string_view kDeliveriesPath = "/v1/deliveries";
inline constexpr std::string_view kKeysPath = "/v1/keys";
inline constexpr std::string_view kInventoryPath = "/v1/inventory";
inline constexpr std::string_view kDeliveryRequestsPath = "/v1/delivery-requests";
// "/v1/transactions/<id>/payment"
std::string PaymentPath(const Id& transaction_id);
// "/v1/transactions/<id>/release"
std::string ReleasePath(const Id& transaction_id);
// "/v1/downloads/<id>"
std::string DownloadPath(const Id& transaction_id);
// "/v1/deliveries/<id>/complete"
std::string CompletionPath(const Id& delivery_id);
// "/v1/deliveries/<id>/abort"
std::string AbortPath(const Id& delivery_id);

// "<base>/v1/downloads/<transaction id>?token=<token>". `base` is the
// delivery node's URL without a trailing slash ("http://127.0.0.1:8084").
std::string DownloadUrl(std::string_view base, const Id& transaction_id, std::string_view token);
struct DownloadUrlParts {
  std::string base;  // "http://127.0.0.1:8084"
  Id transaction_id;
  std::string token;
};
// The inverse of DownloadUrl; strict (kInvalidArgument naming the problem).
Result<DownloadUrlParts> ParseDownloadUrl(std::string_view url);

// ---- Money -------------------------------------------------------------------

// An amount in minor units (1299 EUR is 12.99 EUR) of an ISO 4217 currency.
struct Money {
  int64_t amount = 0;    // >= 0
  std::string currency;  // three uppercase letters: "EUR"

  // {"amount":1299,"currency":"EUR"}
  boost::json::object ToJson() const;
  static Result<Money> FromJson(const boost::json::value& value, std::string_view what = "money");
  // Reads the two fields from `r` (for messages that carry them flat).
  static Result<Money> Read(const JsonReader& r, std::string_view amount_field = "amount",
                            std::string_view currency_field = "currency");
  friend bool operator==(const Money&, const Money&) = default;
};

// True iff `currency` is three ASCII uppercase letters.
bool IsCurrencyCode(std::string_view currency);

// ---- 1. Buyer -> merchant: POST /v1/orders -------------------------------------

// Card data as the buyer sends it. Never store or log it; the payment
// authority keeps a keyed hash and the last four digits.
struct PaymentCard {
  std::string card_number;  // 12-19 digits (Luhn is the authority's check)
  int exp_month = 0;        // 1-12
  int exp_year = 0;         // four digits, 2000-2099
  std::string cvc;          // 3-4 digits

  boost::json::object ToJson() const;
  static Result<PaymentCard> FromJson(const boost::json::value& value,
                                      std::string_view what = "payment");
  static Result<PaymentCard> Read(const JsonReader& r);
  std::string last4() const;
};

// The Luhn (mod 10) check of a string of digits; false for anything else.
bool LuhnValid(std::string_view digits);

struct OrderRequest {
  Id product_id;
  PublicKeys buyer;
  PaymentCard payment;

  boost::json::object ToJson() const;
  static Result<OrderRequest> FromJson(const boost::json::value& value);
};

// The merchant's order state machine (docs/protocol.md section 1).
enum class OrderStatus {
  kNew,
  kReserved,
  kAuthorized,
  kPaid,
  kCaptured,
  kCompleted,
  kVoided,
  kFailed
};
std::string_view OrderStatusName(OrderStatus status);  // "completed"
std::optional<OrderStatus> OrderStatusFromName(std::string_view name);

struct OrderResponse {
  Id order_id;
  OrderStatus status = OrderStatus::kNew;
  std::optional<Id> transaction_id;         // once reserved
  std::optional<std::string> download_url;  // once completed
  Money price;                              // flat "amount", "currency"
  std::string card_last4;                   // four digits

  boost::json::object ToJson() const;
  static Result<OrderResponse> FromJson(const boost::json::value& value);
};

// ---- 2. Merchant -> clearinghouse: reservation (sealed) -------------------------

struct ReservationRequest {
  Id request_id;
  Id product_id;
  crypto::Sha256Digest binding{};  // BindingDigest(buyer keys)
  Money retail;

  boost::json::object ToJson() const;
  static Result<ReservationRequest> FromJson(const boost::json::value& value);
};

struct Reservation {
  Id transaction_id;
  Id product_id;
  crypto::Sha256Digest binding{};
  Clock::TimePoint expires_at{};
  Money wholesale;

  boost::json::object ToJson() const;
  static Result<Reservation> FromJson(const boost::json::value& value);
};

// POST /v1/transactions/{id}/release: gives up an unpaid reservation (after a
// decline, or any failure before the payment was authorized). transaction_id
// must be the one in the path.
struct ReservationRelease {
  Id request_id;
  Id transaction_id;

  boost::json::object ToJson() const;
  static Result<ReservationRelease> FromJson(const boost::json::value& value);
};

// The answer: status is always "released".
struct ReservationReleased {
  Id transaction_id;
  std::string status = "released";

  boost::json::object ToJson() const;
  static Result<ReservationReleased> FromJson(const boost::json::value& value);
};

// ---- 4. Merchant -> clearinghouse: payment (sealed) -------------------------------

struct PaymentRequest {
  Id request_id;
  std::string authorization_token;  // PASETO v4.public from the payment authority

  boost::json::object ToJson() const;
  static Result<PaymentRequest> FromJson(const boost::json::value& value);
};

struct PaymentAck {
  Id transaction_id;
  std::string delivery_token;  // PASETO v4.public from the clearinghouse
  std::string download_url;

  boost::json::object ToJson() const;
  static Result<PaymentAck> FromJson(const boost::json::value& value);
};

// ---- 2. Merchant -> clearinghouse: inventory (sealed) -----------------------------

// POST /v1/inventory: which products the clearinghouse will sell this merchant.
struct InventoryRequest {
  Id request_id;

  boost::json::object ToJson() const;
  static Result<InventoryRequest> FromJson(const boost::json::value& value);
};

struct InventoryItem {
  Id product_id;
  std::string title;           // 1-200 bytes of UTF-8
  Money wholesale;             // what the merchant pays per sale
  int64_t download_limit = 1;  // complete deliveries per purchase, >= 1

  boost::json::object ToJson() const;
  friend bool operator==(const InventoryItem&, const InventoryItem&) = default;
};

// {"products":[{"product_id","title","wholesale":{"amount","currency"},"download_limit"}]}
// Errors in an item name it by index: field "products.2.title".
struct Inventory {
  std::vector<InventoryItem> products;

  boost::json::object ToJson() const;
  static Result<Inventory> FromJson(const boost::json::value& value);
};

// ---- 4b. Merchant -> clearinghouse: delivery request (sealed, claims 22-23) ---------

// POST /v1/delivery-requests: a fresh download URL for one of the merchant's
// paid transactions.
struct DeliveryRequest {
  Id request_id;
  Id transaction_id;

  boost::json::object ToJson() const;
  static Result<DeliveryRequest> FromJson(const boost::json::value& value);
};

struct DeliveryAck {
  Id transaction_id;
  std::string download_url;  // DownloadUrl(...) with a fresh delivery token

  boost::json::object ToJson() const;
  static Result<DeliveryAck> FromJson(const boost::json::value& value);
};

// ---- 6. Delivery -> clearinghouse (signed, request_signing.h) --------------------

// POST /v1/deliveries: claim a download slot for a verified request.
struct DeliveryClaimRequest {
  Id request_id;  // retries with the same id get the same slot
  Id transaction_id;
  std::string delivery_token;

  boost::json::object ToJson() const;
  static Result<DeliveryClaimRequest> FromJson(const boost::json::value& value);
};

// The answer: a slot leased until lease_expires_at.
struct DeliveryClaim {
  Id delivery_id;
  Id transaction_id;
  Clock::TimePoint lease_expires_at{};

  boost::json::object ToJson() const;
  static Result<DeliveryClaim> FromJson(const boost::json::value& value);
};

// POST /v1/deliveries/{delivery_id}/complete, after the last byte was sent.
struct CompletionRequest {
  Id delivery_id;
  Id transaction_id;
  crypto::Sha256Digest content_sha256{};  // of the plaintext sent
  int64_t content_size = 0;               // plaintext bytes sent
  Clock::TimePoint completed_at{};

  boost::json::object ToJson() const;
  static Result<CompletionRequest> FromJson(const boost::json::value& value);
};

// ---- Tokens -----------------------------------------------------------------------

inline constexpr std::string_view kClearinghouseIssuer = "clearinghouse";
inline constexpr std::string_view kDeliveryAudience = "delivery";
inline constexpr std::string_view kPaymentIssuer = "payment";
inline constexpr std::string_view kClearinghouseAudience = "clearinghouse";

struct TokenVerifyOptions {
  // Tolerated clock difference between issuer and verifier (exp, iat, nbf).
  std::chrono::seconds leeway{60};
  // Delivery tokens: when set, sub must equal it, else kPermissionDenied
  // (a valid token for another transaction).
  std::optional<Id> transaction_id{};
};

// The delivery authorization the clearinghouse issues with the payment ack.
struct DeliveryTokenClaims {
  Id transaction_id;  // sub
  Id product_id;
  crypto::Sha256Digest binding{};
  crypto::Sha256Digest content_sha256{};  // of the product's plaintext
  int64_t content_size = 0;               // >= 0
  int64_t limit = 1;                      // complete deliveries allowed, >= 1
  Clock::TimePoint issued_at{};           // iat
  Clock::TimePoint expires_at{};          // exp
};

std::string SignDeliveryToken(const DeliveryTokenClaims& claims,
                              const crypto::Ed25519KeyPair& clearinghouse_key);
// kInvalidArgument: malformed token or claims; kUnauthenticated: bad signature,
// expired, other issuer/audience; kPermissionDenied: other transaction.
Result<DeliveryTokenClaims> VerifyDeliveryToken(std::string_view token,
                                                ByteSpan clearinghouse_public, const Clock& clock,
                                                const TokenVerifyOptions& options = {});

// The claims of a delivery token WITHOUT checking its signature or times: for
// the buyer, who has no clearinghouse key, to learn content_sha256 and
// content_size before downloading. Never base a decision to deliver on it.
// kInvalidArgument when it is not a well-formed delivery token.
Result<DeliveryTokenClaims> ReadDeliveryTokenUnverified(std::string_view token);

// The payment authority's signed authorization.
struct PaymentAuthorizationClaims {
  Id authorization_id;  // sub
  Money amount;         // flat "amount", "currency"
  std::string merchant_id;
  Clock::TimePoint issued_at{};
  Clock::TimePoint expires_at{};
};

std::string SignPaymentAuthorization(const PaymentAuthorizationClaims& claims,
                                     const crypto::Ed25519KeyPair& authority_key);
// Errors as VerifyDeliveryToken (options.transaction_id is ignored).
Result<PaymentAuthorizationClaims> VerifyPaymentAuthorization(
    std::string_view token, ByteSpan authority_public, const Clock& clock,
    const TokenVerifyOptions& options = {});

}  // namespace backline::protocol
