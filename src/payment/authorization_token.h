// The authorization token: a PASETO v4.public token, signed with the
// authority's Ed25519 key, that lets the clearinghouse check an authorization
// offline (docs/protocol.md section 3).
//
// Claims (JSON payload, PASETO registered claims first):
//   iss "payment"   sub authorization id   aud "clearinghouse"
//   iat, exp        RFC 3339 UTC ("2026-11-24T22:13:03Z"); exp is the
//                   authorization's expires_at
//   amount          integer minor units      currency  "EUR"
//   merchant_id     the merchant the authorization was made for
// No footer and no implicit assertion.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/status.h"
#include "crypto/ed25519.h"
#include "payment/authorization.h"

namespace backline::payment {

inline constexpr std::string_view kTokenIssuer = "payment";
inline constexpr std::string_view kTokenAudience = "clearinghouse";

// The token for `authorization` (uses id, merchant_id, amount, currency,
// created_at, expires_at). Deterministic: Ed25519 signatures are.
std::string SignAuthorizationToken(const Authorization& authorization,
                                   const crypto::Ed25519KeyPair& key);

// What a verified token says.
struct AuthorizationClaims {
  std::string authorization_id;
  std::string merchant_id;
  int64_t amount = 0;
  std::string currency;
  int64_t issued_at = 0;
  int64_t expires_at = 0;
};

// Verifies signature, issuer, audience and expiry at clock.Now(), and that
// the custom claims are present and well formed. kUnauthenticated for a bad
// signature or an expired token, kInvalidArgument for a malformed one. (The
// clearinghouse reads tokens with the same rules; this is its reference.)
Result<AuthorizationClaims> VerifyAuthorizationToken(std::string_view token, ByteSpan public_key,
                                                     const Clock& clock);

}  // namespace backline::payment
