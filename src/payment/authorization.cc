#include "payment/authorization.h"

#include <algorithm>

namespace backline::payment {
namespace {

std::string Amount(int64_t v) { return std::to_string(v); }

}  // namespace

std::string_view AuthorizationStateName(AuthorizationState state) {
  switch (state) {
    case AuthorizationState::kAuthorized:
      return "authorized";
    case AuthorizationState::kCaptured:
      return "captured";
    case AuthorizationState::kVoided:
      return "voided";
  }
  return "authorized";
}

Result<AuthorizationState> ParseAuthorizationState(std::string_view name) {
  if (name == "authorized") return AuthorizationState::kAuthorized;
  if (name == "captured") return AuthorizationState::kCaptured;
  if (name == "voided") return AuthorizationState::kVoided;
  return Internal("stored authorization state '" + std::string(name) + "' is unknown");
}

bool IsExpired(const Authorization& authorization, int64_t now) {
  return authorization.state == AuthorizationState::kAuthorized && now >= authorization.expires_at;
}

std::string_view DisplayStatus(const Authorization& authorization, int64_t now) {
  if (IsExpired(authorization, now)) return "expired";
  return AuthorizationStateName(authorization.state);
}

Status ValidateMerchantId(std::string_view merchant_id) {
  bool ok = !merchant_id.empty() && merchant_id.size() <= 64 &&
            std::all_of(merchant_id.begin(), merchant_id.end(), [](char c) {
              return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     c == '.' || c == '_' || c == '-';
            });
  if (!ok) return InvalidArgument("merchant_id must be 1 to 64 of A-Z a-z 0-9 . _ -");
  return Status::Ok();
}

Status ValidateCurrency(std::string_view currency) {
  bool ok = currency.size() == 3 && std::all_of(currency.begin(), currency.end(),
                                                [](char c) { return c >= 'A' && c <= 'Z'; });
  if (!ok) return InvalidArgument("currency must be three capital letters (ISO 4217), e.g. EUR");
  return Status::Ok();
}

Status ValidateAmount(int64_t amount, std::string_view field) {
  if (amount < 1 || amount > kMaxAmount) {
    return InvalidArgument(std::string(field) +
                           " must be an integer of minor units between 1 and " +
                           Amount(kMaxAmount));
  }
  return Status::Ok();
}

Result<Authorization> ApplyCapture(const Authorization& before, int64_t amount, int64_t now) {
  BL_RETURN_IF_ERROR(ValidateAmount(amount, "amount"));
  const std::string& id = before.id;
  switch (before.state) {
    case AuthorizationState::kCaptured:
      return FailedPrecondition("authorization " + id +
                                " is already captured; an authorization is captured at most once");
    case AuthorizationState::kVoided:
      return FailedPrecondition("authorization " + id + " is voided and cannot be captured");
    case AuthorizationState::kAuthorized:
      break;
  }
  if (IsExpired(before, now)) {
    return FailedPrecondition("authorization " + id + " expired at Unix time " +
                              std::to_string(before.expires_at) +
                              " and can no longer be captured; void it and authorize again");
  }
  if (amount > before.amount) {
    return InvalidArgument("capture amount " + Amount(amount) + " exceeds the authorized amount " +
                           Amount(before.amount) + " " + before.currency);
  }
  Authorization after = before;
  after.state = AuthorizationState::kCaptured;
  after.captured_amount = amount;
  after.updated_at = now;
  return after;
}

Result<Authorization> ApplyVoid(const Authorization& before, int64_t now) {
  switch (before.state) {
    case AuthorizationState::kCaptured:
      return FailedPrecondition("authorization " + before.id +
                                " is captured and cannot be voided; refund it instead");
    case AuthorizationState::kVoided:
      return FailedPrecondition("authorization " + before.id + " is already voided");
    case AuthorizationState::kAuthorized:
      break;
  }
  // Voiding an expired authorization is allowed: it only releases the hold.
  Authorization after = before;
  after.state = AuthorizationState::kVoided;
  after.updated_at = now;
  return after;
}

Result<Authorization> ApplyRefund(const Authorization& before, int64_t amount, int64_t now) {
  BL_RETURN_IF_ERROR(ValidateAmount(amount, "amount"));
  if (before.state != AuthorizationState::kCaptured) {
    return FailedPrecondition("authorization " + before.id + " is " +
                              std::string(DisplayStatus(before, now)) +
                              "; only a captured authorization can be refunded");
  }
  int64_t left = before.captured_amount - before.refunded_amount;
  if (amount > left) {
    return FailedPrecondition("refund amount " + Amount(amount) + " exceeds the " + Amount(left) +
                              " " + before.currency + " left of the capture of " +
                              Amount(before.captured_amount) + " (already refunded " +
                              Amount(before.refunded_amount) + ")");
  }
  Authorization after = before;
  after.refunded_amount += amount;
  after.updated_at = now;
  return after;
}

std::string_view LedgerKindName(LedgerKind kind) {
  switch (kind) {
    case LedgerKind::kCapture:
      return "capture";
    case LedgerKind::kVoid:
      return "void";
    case LedgerKind::kRefund:
      return "refund";
  }
  return "capture";
}

}  // namespace backline::payment
