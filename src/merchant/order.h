// The merchant's order and the rules of its state machine (docs/protocol.md
// section 1). No I/O: MerchantService drives these against the store and the
// other roles.
//
//   new -> reserved -> authorized -> paid -> captured -> completed
//   new, reserved -> failed;  authorized -> voided;  paid -> failed (capture
//   refused for good; recovery otherwise captures)
//
// An order is created `new` under the buyer's Idempotency-Key. Every call it
// makes to another role carries a request id or idempotency key DERIVED from
// the order id (DeriveRequestId, PaymentKey), so a step retried after a crash
// is recognised by the other side and never happens twice.
//
// Card data: an Order never holds the card number or CVC. It holds
// card_last4 and request_hash, an HMAC (under a key only this merchant has)
// of the order's canonical parameters, used to tell "same body" from "other
// body" on an idempotent retry.
//
// Thread-safety: values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/id.h"
#include "base/status.h"
#include "crypto/hash.h"
#include "protocol/identity.h"
#include "protocol/messages.h"

namespace backline::merchant {

using protocol::OrderStatus;

struct Order {
  Id id;
  std::string idempotency_key;        // the buyer's, 1-64 of [A-Za-z0-9._-]
  crypto::Sha256Digest request_hash{};  // OrderRequestHash of the first request
  OrderStatus status = OrderStatus::kNew;
  Id product_id;
  protocol::PublicKeys buyer;
  protocol::Money price;   // retail, what the buyer pays
  std::string card_last4;  // from the request, then from the authority's answer
  std::optional<Id> transaction_id;          // once reserved
  std::optional<std::string> authorization_id;  // once authorized
  std::string authorization_token;           // once authorized (PASETO)
  std::optional<std::string> download_url;   // once paid
  // Why a failed or voided order ended: the Status its buyer was answered with.
  StatusCode error_code = StatusCode::kOk;
  std::string error_message;
  int64_t created_at = 0;  // Unix seconds
  int64_t updated_at = 0;
};

// True for completed, voided and failed.
bool IsTerminal(OrderStatus status);

// OK iff the state machine allows from -> to (kInternal otherwise: a bug).
Status CheckTransition(OrderStatus from, OrderStatus to);

// What a restarted merchant does with an order left in `status`.
enum class RecoveryAction {
  kNone,               // terminal: nothing
  kFail,               // new: nothing was authorized; the reservation expires at the
                       // clearinghouse
  kFindAuthorization,  // reserved: the authorize request may have reached the
                       // authority; ask it by the derived key, void what it
                       // holds, else fail
  kVoid,               // authorized: the clearinghouse never acknowledged, so release the money
  kCapture,            // paid: the product is the buyer's; take the money
  kComplete,           // captured: only the final state write was lost
};
RecoveryAction RecoveryFor(OrderStatus status);

// Retail price: `wholesale` marked up by `markup_percent`, rounded UP to a
// whole minor unit (1000 at 30% is 1300; 999 at 30% is 1299 (1298.7 rounded
// up)). kInvalidArgument for negative inputs or on overflow.
Result<int64_t> RetailPrice(int64_t wholesale, int64_t markup_percent);

// The buyer's Idempotency-Key: 1-64 of [A-Za-z0-9._-] (kInvalidArgument naming
// the header otherwise).
Status ValidateOrderKey(std::string_view key);

// HMAC-SHA256 under `hmac_key` of the canonical order parameters: product,
// buyer keys, card number, expiry. The CVC is left out (never kept in any
// form), as at the payment authority.
crypto::Sha256Digest OrderRequestHash(ByteSpan hmac_key, const protocol::OrderRequest& request);

// A request id for one step of an order, the same on every retry:
// the first 16 bytes of SHA-256("backline merchant v1 " || step || 0 || order id).
Id DeriveRequestId(const Id& order_id, std::string_view step);

// The payment authority's Idempotency-Key for one operation on an order:
// "order-<id>-authorize", "...-capture", "...-void".
std::string PaymentKey(const Id& order_id, std::string_view operation);

// The buyer-facing view of an order.
protocol::OrderResponse ToResponse(const Order& order);

// The HTTP answer to POST /v1/orders for an order in this state: 201 when
// completed, the error's status when failed or voided, 202 while unfinished.
int OrderAnswerStatus(const Order& order);

// Moves `order` to `to` (CheckTransition) and stamps updated_at.
Status Advance(Order& order, OrderStatus to, int64_t now);
// Ends `order` as failed or voided with the Status the buyer gets.
Status EndWithError(Order& order, OrderStatus to, const Status& why, int64_t now);

}  // namespace backline::merchant
