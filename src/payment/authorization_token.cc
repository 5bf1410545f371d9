#include "payment/authorization_token.h"

#include <boost/json/object.hpp>
#include <chrono>

#include "crypto/paseto_claims.h"

namespace backline::payment {
namespace {

Clock::TimePoint FromUnix(int64_t seconds) {
  return Clock::TimePoint(std::chrono::seconds(seconds));
}

int64_t ToUnix(Clock::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Result<std::string> CustomString(const boost::json::object& custom, std::string_view name) {
  const boost::json::value* v = custom.if_contains(name);
  if (v == nullptr || !v->is_string()) {
    return InvalidArgument("authorization token: claim '" + std::string(name) +
                           "' is missing or not a string");
  }
  return std::string(v->as_string().data(), v->as_string().size());
}

}  // namespace

std::string SignAuthorizationToken(const Authorization& authorization,
                                   const crypto::Ed25519KeyPair& key) {
  crypto::TokenClaims claims;
  claims.issuer = std::string(kTokenIssuer);
  claims.subject = authorization.id;
  claims.audience = std::string(kTokenAudience);
  claims.issued_at = FromUnix(authorization.created_at);
  claims.expires_at = FromUnix(authorization.expires_at);
  claims.custom["amount"] = authorization.amount;
  claims.custom["currency"] = authorization.currency;
  claims.custom["merchant_id"] = authorization.merchant_id;
  return crypto::PasetoV4SignClaims(key, claims);
}

Result<AuthorizationClaims> VerifyAuthorizationToken(std::string_view token, ByteSpan public_key,
                                                     const Clock& clock) {
  crypto::ClaimsPolicy policy;
  policy.issuer = std::string(kTokenIssuer);
  policy.audience = std::string(kTokenAudience);
  BL_ASSIGN_OR_RETURN(crypto::TokenClaims claims,
                      crypto::PasetoV4VerifyClaims(token, public_key, policy, clock));
  AuthorizationClaims out;
  if (!claims.subject.has_value() || !claims.issued_at.has_value()) {
    return InvalidArgument("authorization token: sub and iat are required");
  }
  out.authorization_id = *claims.subject;
  out.issued_at = ToUnix(*claims.issued_at);
  out.expires_at = ToUnix(*claims.expires_at);  // required by the policy
  const boost::json::value* amount = claims.custom.if_contains("amount");
  if (amount == nullptr || !amount->is_int64()) {
    return InvalidArgument("authorization token: claim 'amount' is missing or not an integer");
  }
  out.amount = amount->as_int64();
  BL_RETURN_IF_ERROR(ValidateAmount(out.amount, "authorization token: amount"));
  BL_ASSIGN_OR_RETURN(out.currency, CustomString(claims.custom, "currency"));
  BL_ASSIGN_OR_RETURN(out.merchant_id, CustomString(claims.custom, "merchant_id"));
  return out;
}

}  // namespace backline::payment
