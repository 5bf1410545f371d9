#include "payment/payment_service.h"

#include <boost/json/parse.hpp>
#include <optional>
#include <system_error>
#include <utility>

#include "base/id.h"
#include "base/logging.h"
#include "payment/authorization_token.h"
#include "payment/card.h"
#include "payment/payment_json.h"

namespace backline::payment {
namespace {

Clock::TimePoint FromUnix(int64_t seconds) {
  return Clock::TimePoint(std::chrono::seconds(seconds));
}

LedgerKind KindOf(Operation operation) {
  switch (operation) {
    case Operation::kVoid:
      return LedgerKind::kVoid;
    case Operation::kRefund:
      return LedgerKind::kRefund;
    default:
      return LedgerKind::kCapture;
  }
}

// The pure step of capture, void and refund: the authorization before, to
// what the store writes and answers.
Result<Effects> Decide(Operation operation, const Authorization& before, int64_t amount,
                       const std::string& entry_id, int64_t now) {
  Result<Authorization> after = Internal("authorize is not a transition");
  switch (operation) {
    case Operation::kCapture:
      after = ApplyCapture(before, amount, now);
      break;
    case Operation::kVoid:
      after = ApplyVoid(before, now);
      break;
    case Operation::kRefund:
      after = ApplyRefund(before, amount, now);
      break;
    case Operation::kAuthorize:
      break;
  }
  if (!after.ok()) return after.status();
  Effects effects;
  effects.now = now;
  effects.write = Effects::Write::kUpdate;
  // A void's entry records the hold it releases.
  LedgerEntry entry{entry_id, before.id, KindOf(operation),
                    operation == Operation::kVoid ? before.amount : amount, now};
  std::string body = operation == Operation::kRefund ? Serialize(EncodeRefund(entry, *after, now))
                                                     : Serialize(EncodeAuthorization(*after, now));
  effects.answer = StoredAnswer{StatusCode::kOk, std::move(body), false};
  effects.entry = std::move(entry);
  effects.authorization = std::move(after).value();
  return effects;
}

}  // namespace

PaymentService::PaymentService(PaymentStore& store, const PaymentKeys& keys, const Clock& clock,
                               RandomSource& random, PaymentOptions options)
    : store_(store),
      keys_(keys),
      clock_(clock),
      options_(options),
      random_(random),
      log_(GetLogger("payment")) {}

std::string PaymentService::NewId() {
  std::lock_guard<std::mutex> lock(random_mu_);
  return Id::Random(random_).ToBase32();
}

Status PaymentService::CheckAuthorizationId(std::string_view id) {
  // Quote nothing: whatever a caller put in the path could be anything.
  if (id.size() != 26 || !Id::FromBase32(id).ok()) {
    return NotFound("no authorization has that id (ids are 26 base32 characters)");
  }
  return Status::Ok();
}

Result<StoredAnswer> PaymentService::Authorize(const AuthorizeRequest& request,
                                               std::string_view idempotency_key) {
  BL_RETURN_IF_ERROR(ValidateAuthorizeRequest(request));
  BL_RETURN_IF_ERROR(ValidateIdempotencyKey(idempotency_key));
  const int64_t now = clock_.NowUnixSeconds();
  const CardFingerprint card = FingerprintCard(keys_.card_key, request.card.card_number);
  // The card enters the hash only as its keyed fingerprint and expiry; the
  // CVC is left out entirely (see idempotency.h).
  const crypto::Sha256Digest request_hash = RequestHasher(Operation::kAuthorize)
                                                .Text("merchant_id", request.merchant_id)
                                                .Integer("amount", request.amount)
                                                .Text("currency", request.currency)
                                                .Blob("card_fingerprint", card.pan_hmac)
                                                .Integer("exp_month", request.card.exp_month)
                                                .Integer("exp_year", request.card.exp_year)
                                                .Finish();

  Effects effects;
  effects.now = now;
  const std::optional<DeclineCode> decline = ScreenCard(request.card, FromUnix(now));
  if (decline.has_value()) {
    effects.answer = StoredAnswer{StatusCode::kPaymentDeclined, DeclineBody(*decline), false};
  } else {
    Authorization& a = effects.authorization;
    a.id = NewId();
    a.merchant_id = request.merchant_id;
    a.amount = request.amount;
    a.currency = request.currency;
    a.card_last4 = card.last4;
    a.card_fingerprint = card.pan_hmac;
    a.state = AuthorizationState::kAuthorized;
    a.created_at = now;
    a.updated_at = now;
    a.expires_at = now + options_.authorization_ttl.count();
    a.token = SignAuthorizationToken(a, keys_.signing);
    effects.write = Effects::Write::kInsert;
    effects.answer = StoredAnswer{StatusCode::kOk, Serialize(EncodeAuthorization(a, now)), false};
  }

  IdempotencyScope scope{request.merchant_id, HashIdempotencyKey(keys_.card_key, idempotency_key),
                         Operation::kAuthorize};
  BL_ASSIGN_OR_RETURN(
      StoredAnswer answer,
      store_.RunIdempotent(scope, request_hash, "",
                           [&](const Authorization*) -> Result<Effects> { return effects; }));
  if (answer.replayed) {
    log_->debug("authorize replayed for merchant {} (same Idempotency-Key and parameters)",
                request.merchant_id);
  } else if (decline.has_value()) {
    log_->info("declined {} for merchant {}: {} {} on card ending {}", DeclineCodeName(*decline),
               request.merchant_id, request.amount, request.currency, card.last4);
  } else {
    log_->info("authorized {} for merchant {}: {} {} on card ending {}, expires {}",
               effects.authorization.id, request.merchant_id, request.amount, request.currency,
               card.last4, FormatRfc3339(FromUnix(effects.authorization.expires_at)));
  }
  return answer;
}

Result<StoredAnswer> PaymentService::Transition(Operation operation,
                                                std::string_view authorization_id,
                                                std::string_view merchant_id, int64_t amount,
                                                std::string_view idempotency_key) {
  BL_RETURN_IF_ERROR(ValidateIdempotencyKey(idempotency_key));
  BL_RETURN_IF_ERROR(CheckAuthorizationId(authorization_id));
  const int64_t now = clock_.NowUnixSeconds();
  RequestHasher hasher(operation);
  hasher.Text("merchant_id", merchant_id).Text("authorization_id", authorization_id);
  if (operation != Operation::kVoid) hasher.Integer("amount", amount);
  const crypto::Sha256Digest request_hash = hasher.Finish();
  const std::string entry_id = NewId();

  IdempotencyScope scope{merchant_id, HashIdempotencyKey(keys_.card_key, idempotency_key),
                         operation};
  BL_ASSIGN_OR_RETURN(StoredAnswer answer,
                      store_.RunIdempotent(scope, request_hash, authorization_id,
                                           [&](const Authorization* before) -> Result<Effects> {
                                             if (before == nullptr) {
                                               return Internal("no authorization loaded");
                                             }
                                             return Decide(operation, *before, amount, entry_id,
                                                           now);
                                           }));
  if (answer.replayed) {
    log_->debug("{} of {} replayed for merchant {}", OperationName(operation), authorization_id,
                merchant_id);
  } else {
    log_->info("{} of {} for merchant {}{}", OperationName(operation), authorization_id,
               merchant_id,
               operation == Operation::kVoid ? std::string() : ": " + std::to_string(amount));
  }
  return answer;
}

Result<StoredAnswer> PaymentService::Capture(std::string_view authorization_id,
                                             const AmountRequest& request,
                                             std::string_view idempotency_key) {
  BL_RETURN_IF_ERROR(ValidateAmountRequest(request));
  return Transition(Operation::kCapture, authorization_id, request.merchant_id, request.amount,
                    idempotency_key);
}

Result<StoredAnswer> PaymentService::Void(std::string_view authorization_id,
                                          const VoidRequest& request,
                                          std::string_view idempotency_key) {
  BL_RETURN_IF_ERROR(ValidateVoidRequest(request));
  return Transition(Operation::kVoid, authorization_id, request.merchant_id, 0, idempotency_key);
}

Result<StoredAnswer> PaymentService::Refund(std::string_view authorization_id,
                                            const AmountRequest& request,
                                            std::string_view idempotency_key) {
  BL_RETURN_IF_ERROR(ValidateAmountRequest(request));
  return Transition(Operation::kRefund, authorization_id, request.merchant_id, request.amount,
                    idempotency_key);
}

Result<Authorization> PaymentService::GetAuthorization(std::string_view merchant_id,
                                                       std::string_view authorization_id) {
  BL_RETURN_IF_ERROR(ValidateMerchantId(merchant_id));
  BL_RETURN_IF_ERROR(CheckAuthorizationId(authorization_id));
  return store_.GetAuthorization(merchant_id, authorization_id);
}

Result<Authorization> PaymentService::FindAuthorizationByKey(std::string_view merchant_id,
                                                             std::string_view idempotency_key) {
  BL_RETURN_IF_ERROR(ValidateMerchantId(merchant_id));
  BL_RETURN_IF_ERROR(ValidateIdempotencyKey(idempotency_key));
  IdempotencyScope scope{merchant_id, HashIdempotencyKey(keys_.card_key, idempotency_key),
                         Operation::kAuthorize};
  BL_ASSIGN_OR_RETURN(IdempotencyRecord record, store_.FindIdempotencyRecord(scope));
  // Messages do not quote the key (see idempotency.h).
  if (record.operation != Operation::kAuthorize) {
    return NotFound("that Idempotency-Key was used for a " +
                    std::string(OperationName(record.operation)) + ", not an authorization");
  }
  if (record.answer.code != StatusCode::kOk) {
    return NotFound("the authorization made with that Idempotency-Key was declined");
  }
  // The stored answer is our own EncodeAuthorization body; its id names the
  // authorization, whose current state is loaded afresh.
  std::error_code error;
  boost::json::value body = boost::json::parse(record.answer.body, error);
  const boost::json::string* id = nullptr;
  if (!error && body.is_object()) {
    if (const boost::json::value* v = body.as_object().if_contains("authorization_id")) {
      id = v->if_string();
    }
  }
  if (id == nullptr) return Internal("a stored authorize answer has no authorization_id");
  return store_.GetAuthorization(merchant_id, std::string_view(id->data(), id->size()));
}

}  // namespace backline::payment
