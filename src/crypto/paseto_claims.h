// PASETO claims: a JSON object payload with the registered claims of the
// PASETO spec, checked against an injected Clock.
//
//   iss issuer, sub subject, aud audience, jti token id   JSON strings
//   exp expiration, nbf not before, iat issued at         RFC 3339 strings,
//                                                         e.g. "2022-01-01T00:00:00+00:00"
//
// Times are whole seconds: encoding writes UTC with "Z", decoding accepts any
// RFC 3339 offset and drops fractional seconds. Every other member of the
// object is kept, untouched, in `custom` (delivery and payment tokens put their
// own fields there).
//
// Errors: a payload that is not a JSON object, or a registered claim of the
// wrong type or format, is kInvalidArgument; a token that parses but fails the
// policy (expired, not yet valid, other issuer or audience) is kUnauthenticated.
//
// Thread-safety: values and reentrant functions only.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/random.h"
#include "base/status.h"
#include "crypto/paseto.h"

namespace backline::crypto {

struct TokenClaims {
  std::optional<std::string> issuer{};           // iss
  std::optional<std::string> subject{};          // sub
  std::optional<std::string> audience{};         // aud
  std::optional<std::string> token_id{};         // jti
  std::optional<Clock::TimePoint> expires_at{};  // exp
  std::optional<Clock::TimePoint> not_before{};  // nbf
  std::optional<Clock::TimePoint> issued_at{};   // iat
  // All other members. Registered claim names here are ignored on encoding.
  boost::json::object custom{};
};

// What a reader of tokens requires beyond a valid tag or signature.
struct ClaimsPolicy {
  std::optional<std::string> issuer{};    // when set, iss must be present and equal
  std::optional<std::string> audience{};  // when set, aud must be present and equal
  std::optional<std::string> subject{};   // when set, sub must be present and equal
  bool require_expiration = true;         // a token without exp is rejected
  // Tolerated clock difference between issuer and reader, applied to exp, nbf
  // and iat.
  std::chrono::seconds leeway{0};
};

// The JSON text of the claims (registered claims first, then `custom`).
std::string EncodeClaims(const TokenClaims& claims);
// Parses a JSON object payload. Rejects non-objects, invalid UTF-8 and
// registered claims of the wrong type or time format.
Result<TokenClaims> DecodeClaims(std::string_view json);

// OK iff the claims meet `policy` at clock.Now(): now < exp, nbf <= now,
// iat <= now (each with the leeway), and iss/aud/sub as required.
Status ValidateClaims(const TokenClaims& claims, const ClaimsPolicy& policy, const Clock& clock);

// RFC 3339 date-time ("1985-04-12T23:20:50.52Z", "...+01:00") to a time point,
// whole seconds. Strict: four-digit year, two-digit fields, a real calendar
// date, seconds 00-59 (no leap second), and an explicit offset.
Result<Clock::TimePoint> ParseRfc3339(std::string_view text);

// Claims in tokens: encode then encrypt/sign; open then decode then validate.
std::string PasetoV4EncryptClaims(const PasetoLocalKey& key, const TokenClaims& claims,
                                  std::string_view footer, std::string_view implicit_assertion,
                                  RandomSource& random);
Result<TokenClaims> PasetoV4DecryptClaims(std::string_view token, const PasetoLocalKey& key,
                                          const ClaimsPolicy& policy, const Clock& clock,
                                          const PasetoOpenOptions& options = {});
std::string PasetoV4SignClaims(const Ed25519KeyPair& key, const TokenClaims& claims,
                               std::string_view footer = {},
                               std::string_view implicit_assertion = {});
Result<TokenClaims> PasetoV4VerifyClaims(std::string_view token, ByteSpan public_key,
                                         const ClaimsPolicy& policy, const Clock& clock,
                                         const PasetoOpenOptions& options = {});

}  // namespace backline::crypto
