// The payment authority's JSON wire forms (docs/protocol.md section 3):
// request bodies in, answer bodies out. No I/O.
//
// Decoding is strict: unknown members are refused, integers must be JSON
// integers (1299, not 1299.0 or "1299"), strings must be strings. Errors are
// kInvalidArgument naming the member ("card.exp_month"); they never quote a
// card number or CVC. In an authorization request the card number is checked
// (digits, Luhn) before anything else in the body.
//
// (These codecs will move to src/protocol/ when the shared wire types land.)
//
// Thread-safety: pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>

#include "base/status.h"
#include "crypto/ed25519.h"
#include "payment/authorization.h"
#include "payment/card.h"
#include "payment/requests.h"

namespace backline::payment {

// {"merchant_id","amount","currency","card":{"card_number","exp_month","exp_year","cvc"}}
Result<AuthorizeRequest> DecodeAuthorizeRequest(const boost::json::object& body);
// {"merchant_id","amount"} (capture and refund)
Result<AmountRequest> DecodeAmountRequest(const boost::json::object& body);
// {"merchant_id"}
Result<VoidRequest> DecodeVoidRequest(const boost::json::object& body);

// {"authorization_id","status","merchant_id","amount","currency",
//  "captured_amount","refunded_amount","card_last4","created_at","expires_at",
//  "token"}; status is DisplayStatus at `now`, *_at are RFC 3339 UTC.
boost::json::object EncodeAuthorization(const Authorization& authorization, int64_t now);

// {"refund_id","authorization_id","amount","currency","created_at",
//  "authorization":{EncodeAuthorization(after)}}
boost::json::object EncodeRefund(const LedgerEntry& refund, const Authorization& after,
                                 int64_t now);

// The 402 body: the standard error shape with one extra member,
// {"error":{"code":"PAYMENT_DECLINED","message":"insufficient_funds: the card
// has insufficient funds","decline_code":"insufficient_funds"}}.
std::string DeclineBody(DeclineCode code);

// {"ed25519":"<base64url of the 32-byte public key>"}
boost::json::object EncodeKeys(const crypto::Ed25519PublicKey& public_key);

// Serializes compactly (members in insertion order), as stored and sent.
std::string Serialize(const boost::json::object& object);

}  // namespace backline::payment
