// The two PASETO v4.public tokens of docs/protocol.md (declared in
// messages.h): registered claims carry issuer, audience, subject and times;
// the rest are custom members read as strictly as any message.
#include <algorithm>

#include "base/bytes.h"
#include "crypto/paseto_claims.h"
#include "protocol/messages.h"

namespace backline::protocol {
namespace {

Result<crypto::Sha256Digest> Digest(const JsonReader& r, std::string_view name) {
  BL_ASSIGN_OR_RETURN(Bytes bytes, r.GetBase64Url(name, crypto::kSha256Size));
  crypto::Sha256Digest digest{};
  std::copy(bytes.begin(), bytes.end(), digest.begin());
  return digest;
}

// Verifies signature, issuer, audience and times, and that iat and exp (which
// the policy only checks when present) and sub are there.
Result<crypto::TokenClaims> VerifyClaims(std::string_view what, std::string_view token,
                                         ByteSpan public_key, std::string_view issuer,
                                         std::string_view audience, const Clock& clock,
                                         const TokenVerifyOptions& options) {
  crypto::ClaimsPolicy policy;
  policy.issuer = std::string(issuer);
  policy.audience = std::string(audience);
  policy.require_expiration = true;
  policy.leeway = options.leeway;
  Result<crypto::TokenClaims> claims =
      crypto::PasetoV4VerifyClaims(token, public_key, policy, clock);
  if (!claims.ok()) return claims.status().WithContext(what);
  if (!claims->issued_at.has_value()) {
    return InvalidArgument(std::string(what) + ": claim \"iat\" is missing");
  }
  if (!claims->subject.has_value()) {
    return InvalidArgument(std::string(what) + ": claim \"sub\" is missing");
  }
  return claims;
}

Result<Id> SubjectId(std::string_view what, const crypto::TokenClaims& claims) {
  Result<Id> id = ParseId(*claims.subject);
  if (!id.ok()) {
    return InvalidArgument(std::string(what) +
                           ": claim \"sub\" must be an id of 26 lowercase base32 characters");
  }
  return *id;
}

}  // namespace

std::string SignDeliveryToken(const DeliveryTokenClaims& claims,
                              const crypto::Ed25519KeyPair& clearinghouse_key) {
  crypto::TokenClaims t;
  t.issuer = std::string(kClearinghouseIssuer);
  t.audience = std::string(kDeliveryAudience);
  t.subject = claims.transaction_id.ToBase32();
  t.issued_at = claims.issued_at;
  t.expires_at = claims.expires_at;
  t.custom = {{"product_id", claims.product_id.ToBase32()},
              {"binding", Base64UrlEncode(claims.binding)},
              {"content_sha256", Base64UrlEncode(claims.content_sha256)},
              {"content_size", claims.content_size},
              {"limit", claims.limit}};
  return crypto::PasetoV4SignClaims(clearinghouse_key, t);
}

namespace {

// The delivery token's claims once iss, aud, sub, iat and exp are known to be
// present.
Result<DeliveryTokenClaims> DeliveryClaimsOf(std::string_view what, const crypto::TokenClaims& t) {
  DeliveryTokenClaims c;
  BL_ASSIGN_OR_RETURN(c.transaction_id, SubjectId(what, t));
  JsonReader r = JsonReader::Of(t.custom, what);
  BL_ASSIGN_OR_RETURN(c.product_id, r.GetId("product_id"));
  BL_ASSIGN_OR_RETURN(c.binding, Digest(r, "binding"));
  BL_ASSIGN_OR_RETURN(c.content_sha256, Digest(r, "content_sha256"));
  BL_ASSIGN_OR_RETURN(c.content_size, r.GetInt("content_size", 0));
  BL_ASSIGN_OR_RETURN(c.limit, r.GetInt("limit", 1));
  c.issued_at = t.issued_at.value_or(Clock::TimePoint{});
  c.expires_at = t.expires_at.value_or(Clock::TimePoint{});
  return c;
}

}  // namespace

Result<DeliveryTokenClaims> VerifyDeliveryToken(std::string_view token,
                                                ByteSpan clearinghouse_public, const Clock& clock,
                                                const TokenVerifyOptions& options) {
  constexpr std::string_view kWhat = "delivery token";
  BL_ASSIGN_OR_RETURN(crypto::TokenClaims t,
                      VerifyClaims(kWhat, token, clearinghouse_public, kClearinghouseIssuer,
                                   kDeliveryAudience, clock, options));
  BL_ASSIGN_OR_RETURN(DeliveryTokenClaims c, DeliveryClaimsOf(kWhat, t));
  if (options.transaction_id.has_value() && *options.transaction_id != c.transaction_id) {
    return PermissionDenied("the delivery token is for transaction " + c.transaction_id.ToBase32() +
                            ", not " + options.transaction_id->ToBase32());
  }
  return c;
}

Result<DeliveryTokenClaims> ReadDeliveryTokenUnverified(std::string_view token) {
  constexpr std::string_view kWhat = "delivery token";
  constexpr std::string_view kHeader = "v4.public.";
  if (!token.starts_with(kHeader)) {
    return InvalidArgument("delivery token: not a v4.public token");
  }
  std::string_view body = token.substr(kHeader.size());
  body = body.substr(0, body.find('.'));  // drop a footer
  Result<Bytes> raw = Base64UrlDecode(body);
  if (!raw.ok() || raw->size() < crypto::kEd25519SignatureSize) {
    return InvalidArgument("delivery token: malformed body");
  }
  // v4.public body = payload || 64-byte signature.
  std::string payload(raw->begin(), raw->end() - crypto::kEd25519SignatureSize);
  Result<crypto::TokenClaims> t = crypto::DecodeClaims(payload);
  if (!t.ok()) return t.status().WithContext(kWhat);
  if (t->issuer != kClearinghouseIssuer || t->audience != kDeliveryAudience ||
      !t->subject.has_value() || !t->issued_at.has_value() || !t->expires_at.has_value()) {
    return InvalidArgument("delivery token: not a delivery token (iss, aud, sub, iat, exp)");
  }
  return DeliveryClaimsOf(kWhat, *t);
}

std::string SignPaymentAuthorization(const PaymentAuthorizationClaims& claims,
                                     const crypto::Ed25519KeyPair& authority_key) {
  crypto::TokenClaims t;
  t.issuer = std::string(kPaymentIssuer);
  t.audience = std::string(kClearinghouseAudience);
  t.subject = claims.authorization_id.ToBase32();
  t.issued_at = claims.issued_at;
  t.expires_at = claims.expires_at;
  t.custom = {{"amount", claims.amount.amount},
              {"currency", claims.amount.currency},
              {"merchant_id", claims.merchant_id}};
  return crypto::PasetoV4SignClaims(authority_key, t);
}

Result<PaymentAuthorizationClaims> VerifyPaymentAuthorization(std::string_view token,
                                                              ByteSpan authority_public,
                                                              const Clock& clock,
                                                              const TokenVerifyOptions& options) {
  constexpr std::string_view kWhat = "payment authorization";
  BL_ASSIGN_OR_RETURN(crypto::TokenClaims t,
                      VerifyClaims(kWhat, token, authority_public, kPaymentIssuer,
                                   kClearinghouseAudience, clock, options));
  PaymentAuthorizationClaims c;
  BL_ASSIGN_OR_RETURN(c.authorization_id, SubjectId(kWhat, t));
  JsonReader r = JsonReader::Of(t.custom, kWhat);
  BL_ASSIGN_OR_RETURN(c.amount, Money::Read(r));
  BL_ASSIGN_OR_RETURN(c.merchant_id, r.GetName("merchant_id"));
  c.issued_at = *t.issued_at;
  c.expires_at = *t.expires_at;
  return c;
}

}  // namespace backline::protocol
