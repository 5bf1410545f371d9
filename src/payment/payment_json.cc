#include "payment/payment_json.h"

#include <boost/json/serialize.hpp>
#include <chrono>
#include <initializer_list>
#include <limits>
#include <string_view>

#include "base/bytes.h"
#include "base/clock.h"

namespace backline::payment {
namespace {

std::string Path(std::string_view prefix, std::string_view name) {
  return std::string(prefix) + std::string(name);
}

// Refuses members not in `allowed`. The member name is quoted (truncated),
// never its value.
Status CheckMembers(const boost::json::object& object,
                    std::initializer_list<std::string_view> allowed, std::string_view prefix) {
  for (const auto& member : object) {
    std::string_view key(member.key().data(), member.key().size());
    bool known = false;
    for (std::string_view a : allowed) known = known || a == key;
    if (!known) {
      constexpr size_t kMaxQuoted = 40;
      return InvalidArgument("unknown member '" + Path(prefix, key.substr(0, kMaxQuoted)) +
                             "' in the request body");
    }
  }
  return Status::Ok();
}

Result<std::string> GetString(const boost::json::object& object, std::string_view name,
                              std::string_view prefix) {
  const boost::json::value* v = object.if_contains(name);
  if (v == nullptr) return InvalidArgument(Path(prefix, name) + " is required");
  if (!v->is_string()) return InvalidArgument(Path(prefix, name) + " must be a JSON string");
  return std::string(v->as_string().data(), v->as_string().size());
}

Result<int64_t> GetInteger(const boost::json::object& object, std::string_view name,
                           std::string_view prefix) {
  const boost::json::value* v = object.if_contains(name);
  if (v == nullptr) return InvalidArgument(Path(prefix, name) + " is required");
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= uint64_t{std::numeric_limits<int64_t>::max()}) {
    return static_cast<int64_t>(v->as_uint64());
  }
  return InvalidArgument(Path(prefix, name) + " must be a JSON integer");
}

Result<CardDetails> DecodeCard(const boost::json::object& body) {
  const boost::json::value* v = body.if_contains("card");
  if (v == nullptr) return InvalidArgument("card is required");
  if (!v->is_object()) return InvalidArgument("card must be a JSON object");
  const boost::json::object& card = v->as_object();
  CardDetails out;
  // The number first: a mistyped number is reported before anything else.
  BL_ASSIGN_OR_RETURN(out.card_number, GetString(card, "card_number", "card."));
  BL_RETURN_IF_ERROR(ValidateCardNumber(out.card_number));
  BL_RETURN_IF_ERROR(CheckMembers(card, {"card_number", "exp_month", "exp_year", "cvc"}, "card."));
  BL_ASSIGN_OR_RETURN(out.exp_month, GetInteger(card, "exp_month", "card."));
  BL_ASSIGN_OR_RETURN(out.exp_year, GetInteger(card, "exp_year", "card."));
  BL_ASSIGN_OR_RETURN(out.cvc, GetString(card, "cvc", "card."));
  return out;
}

std::string Rfc3339(int64_t unix_seconds) {
  return FormatRfc3339(Clock::TimePoint(std::chrono::seconds(unix_seconds)));
}

}  // namespace

Result<AuthorizeRequest> DecodeAuthorizeRequest(const boost::json::object& body) {
  AuthorizeRequest out;
  BL_ASSIGN_OR_RETURN(out.card, DecodeCard(body));
  BL_RETURN_IF_ERROR(CheckMembers(body, {"merchant_id", "amount", "currency", "card"}, ""));
  BL_ASSIGN_OR_RETURN(out.merchant_id, GetString(body, "merchant_id", ""));
  BL_ASSIGN_OR_RETURN(out.amount, GetInteger(body, "amount", ""));
  BL_ASSIGN_OR_RETURN(out.currency, GetString(body, "currency", ""));
  BL_RETURN_IF_ERROR(ValidateAuthorizeRequest(out));
  return out;
}

Result<AmountRequest> DecodeAmountRequest(const boost::json::object& body) {
  BL_RETURN_IF_ERROR(CheckMembers(body, {"merchant_id", "amount"}, ""));
  AmountRequest out;
  BL_ASSIGN_OR_RETURN(out.merchant_id, GetString(body, "merchant_id", ""));
  BL_ASSIGN_OR_RETURN(out.amount, GetInteger(body, "amount", ""));
  BL_RETURN_IF_ERROR(ValidateAmountRequest(out));
  return out;
}

Result<VoidRequest> DecodeVoidRequest(const boost::json::object& body) {
  BL_RETURN_IF_ERROR(CheckMembers(body, {"merchant_id"}, ""));
  VoidRequest out;
  BL_ASSIGN_OR_RETURN(out.merchant_id, GetString(body, "merchant_id", ""));
  BL_RETURN_IF_ERROR(ValidateVoidRequest(out));
  return out;
}

boost::json::object EncodeAuthorization(const Authorization& authorization, int64_t now) {
  boost::json::object o;
  o["authorization_id"] = authorization.id;
  o["status"] = DisplayStatus(authorization, now);
  o["merchant_id"] = authorization.merchant_id;
  o["amount"] = authorization.amount;
  o["currency"] = authorization.currency;
  o["captured_amount"] = authorization.captured_amount;
  o["refunded_amount"] = authorization.refunded_amount;
  o["card_last4"] = authorization.card_last4;
  o["created_at"] = Rfc3339(authorization.created_at);
  o["expires_at"] = Rfc3339(authorization.expires_at);
  o["token"] = authorization.token;
  return o;
}

boost::json::object EncodeRefund(const LedgerEntry& refund, const Authorization& after,
                                 int64_t now) {
  boost::json::object o;
  o["refund_id"] = refund.id;
  o["authorization_id"] = refund.authorization_id;
  o["amount"] = refund.amount;
  o["currency"] = after.currency;
  o["created_at"] = Rfc3339(refund.created_at);
  o["authorization"] = EncodeAuthorization(after, now);
  return o;
}

std::string DeclineBody(DeclineCode code) {
  boost::json::object error;
  error["code"] = StatusCodeName(StatusCode::kPaymentDeclined);
  error["message"] = DeclineStatus(code).message();
  error["decline_code"] = DeclineCodeName(code);
  boost::json::object body;
  body["error"] = std::move(error);
  return Serialize(body);
}

boost::json::object EncodeKeys(const crypto::Ed25519PublicKey& public_key) {
  boost::json::object o;
  o["ed25519"] = Base64UrlEncode(public_key);
  return o;
}

std::string Serialize(const boost::json::object& object) { return boost::json::serialize(object); }

}  // namespace backline::payment
