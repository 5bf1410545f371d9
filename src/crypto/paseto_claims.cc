#include "crypto/paseto_claims.h"

#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace backline::crypto {
namespace {

constexpr std::array<std::string_view, 7> kRegisteredClaims = {"iss", "sub", "aud", "jti",
                                                               "exp", "nbf", "iat"};

bool IsRegistered(std::string_view name) {
  for (std::string_view r : kRegisteredClaims) {
    if (r == name) return true;
  }
  return false;
}

// Reads `n` decimal digits at text[*pos]; advances *pos.
std::optional<int> Digits(std::string_view text, size_t* pos, size_t n) {
  if (text.size() - *pos < n) return std::nullopt;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = text[*pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  return v;
}

bool Expect(std::string_view text, size_t* pos, std::string_view one_of) {
  if (*pos >= text.size() || one_of.find(text[*pos]) == std::string_view::npos) return false;
  ++*pos;
  return true;
}

Result<std::optional<std::string>> StringClaim(const boost::json::object& obj,
                                               std::string_view name) {
  const boost::json::value* v = obj.if_contains(name);
  if (v == nullptr) return std::optional<std::string>();
  const boost::json::string* s = v->if_string();
  if (s == nullptr)
    return InvalidArgument("claims: \"" + std::string(name) + "\" must be a string");
  return std::optional<std::string>(std::string(s->data(), s->size()));
}

Result<std::optional<Clock::TimePoint>> TimeClaim(const boost::json::object& obj,
                                                  std::string_view name) {
  BL_ASSIGN_OR_RETURN(std::optional<std::string> text, StringClaim(obj, name));
  if (!text.has_value()) return std::optional<Clock::TimePoint>();
  auto t = ParseRfc3339(*text);
  if (!t.ok()) return t.status().WithContext("claims: \"" + std::string(name) + "\"");
  return std::optional<Clock::TimePoint>(*t);
}

Status CheckEqual(std::string_view name, const std::optional<std::string>& required,
                  const std::optional<std::string>& actual) {
  if (!required.has_value()) return Status::Ok();
  if (!actual.has_value()) return Unauthenticated("token has no \"" + std::string(name) + "\"");
  if (*actual != *required) {
    return Unauthenticated("token \"" + std::string(name) + "\" is \"" + *actual +
                           "\", expected \"" + *required + "\"");
  }
  return Status::Ok();
}

Result<TokenClaims> CheckedClaims(std::string_view payload, const ClaimsPolicy& policy,
                                  const Clock& clock) {
  BL_ASSIGN_OR_RETURN(TokenClaims claims, DecodeClaims(payload));
  BL_RETURN_IF_ERROR(ValidateClaims(claims, policy, clock));
  return claims;
}

}  // namespace

Result<Clock::TimePoint> ParseRfc3339(std::string_view text) {
  using namespace std::chrono;
  auto bad = [&](std::string_view why) {
    return InvalidArgument("not an RFC 3339 date-time (" + std::string(why) + ")");
  };
  size_t pos = 0;
  auto year = Digits(text, &pos, 4);
  if (!year || !Expect(text, &pos, "-")) return bad("year");
  auto month = Digits(text, &pos, 2);
  if (!month || !Expect(text, &pos, "-")) return bad("month");
  auto day = Digits(text, &pos, 2);
  if (!day || !Expect(text, &pos, "Tt")) return bad("day");
  auto hour = Digits(text, &pos, 2);
  if (!hour || !Expect(text, &pos, ":")) return bad("hour");
  auto minute = Digits(text, &pos, 2);
  if (!minute || !Expect(text, &pos, ":")) return bad("minute");
  auto second = Digits(text, &pos, 2);
  if (!second) return bad("second");
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == start) return bad("fraction");
  }
  int offset_minutes = 0;
  if (Expect(text, &pos, "Zz")) {
    // UTC
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    auto off_h = Digits(text, &pos, 2);
    if (!off_h || !Expect(text, &pos, ":")) return bad("offset");
    auto off_m = Digits(text, &pos, 2);
    if (!off_m || *off_h > 23 || *off_m > 59) return bad("offset");
    offset_minutes = sign * (*off_h * 60 + *off_m);
  } else {
    return bad("offset");
  }
  if (pos != text.size()) return bad("trailing characters");

  year_month_day date{std::chrono::year(*year), std::chrono::month(static_cast<unsigned>(*month)),
                      std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok()) return bad("no such date");
  if (*hour > 23 || *minute > 59 || *second > 59) return bad("time of day");
  sys_seconds t =
      sys_days{date} + hours{*hour} + minutes{*minute} + seconds{*second} - minutes{offset_minutes};
  return Clock::TimePoint(t);
}

std::string EncodeClaims(const TokenClaims& claims) {
  boost::json::object obj;
  auto put_string = [&](std::string_view name, const std::optional<std::string>& v) {
    if (v.has_value()) obj[name] = *v;
  };
  auto put_time = [&](std::string_view name, const std::optional<Clock::TimePoint>& v) {
    if (v.has_value()) obj[name] = FormatRfc3339(*v);
  };
  put_string("iss", claims.issuer);
  put_string("sub", claims.subject);
  put_string("aud", claims.audience);
  put_string("jti", claims.token_id);
  put_time("exp", claims.expires_at);
  put_time("nbf", claims.not_before);
  put_time("iat", claims.issued_at);
  for (const auto& member : claims.custom) {
    if (!IsRegistered(member.key())) obj[member.key()] = member.value();
  }
  return boost::json::serialize(obj);
}

Result<TokenClaims> DecodeClaims(std::string_view json) {
  boost::system::error_code ec;
  boost::json::value value;
  try {
    value = boost::json::parse(json, ec);
  } catch (const std::exception& e) {  // allocation failure; parse reports syntax through ec
    return Internal(std::string("claims: ") + e.what());
  }
  if (ec) return InvalidArgument("claims: payload is not JSON: " + ec.message());
  boost::json::object* obj = value.if_object();
  if (obj == nullptr) return InvalidArgument("claims: payload is not a JSON object");

  TokenClaims claims;
  BL_ASSIGN_OR_RETURN(claims.issuer, StringClaim(*obj, "iss"));
  BL_ASSIGN_OR_RETURN(claims.subject, StringClaim(*obj, "sub"));
  BL_ASSIGN_OR_RETURN(claims.audience, StringClaim(*obj, "aud"));
  BL_ASSIGN_OR_RETURN(claims.token_id, StringClaim(*obj, "jti"));
  BL_ASSIGN_OR_RETURN(claims.expires_at, TimeClaim(*obj, "exp"));
  BL_ASSIGN_OR_RETURN(claims.not_before, TimeClaim(*obj, "nbf"));
  BL_ASSIGN_OR_RETURN(claims.issued_at, TimeClaim(*obj, "iat"));
  for (auto& member : *obj) {
    if (!IsRegistered(member.key())) claims.custom[member.key()] = std::move(member.value());
  }
  return claims;
}

Status ValidateClaims(const TokenClaims& claims, const ClaimsPolicy& policy, const Clock& clock) {
  const Clock::TimePoint now = clock.Now();
  if (claims.expires_at.has_value()) {
    if (now >= *claims.expires_at + policy.leeway) {
      return Unauthenticated("token expired at " + FormatRfc3339(*claims.expires_at));
    }
  } else if (policy.require_expiration) {
    return Unauthenticated("token has no expiration (\"exp\")");
  }
  if (claims.not_before.has_value() && now + policy.leeway < *claims.not_before) {
    return Unauthenticated("token is not valid before " + FormatRfc3339(*claims.not_before));
  }
  if (claims.issued_at.has_value() && now + policy.leeway < *claims.issued_at) {
    return Unauthenticated("token is issued in the future (" + FormatRfc3339(*claims.issued_at) +
                           ")");
  }
  BL_RETURN_IF_ERROR(CheckEqual("iss", policy.issuer, claims.issuer));
  BL_RETURN_IF_ERROR(CheckEqual("aud", policy.audience, claims.audience));
  BL_RETURN_IF_ERROR(CheckEqual("sub", policy.subject, claims.subject));
  return Status::Ok();
}

std::string PasetoV4EncryptClaims(const PasetoLocalKey& key, const TokenClaims& claims,
                                  std::string_view footer, std::string_view implicit_assertion,
                                  RandomSource& random) {
  return PasetoV4Encrypt(key, EncodeClaims(claims), footer, implicit_assertion, random);
}

Result<TokenClaims> PasetoV4DecryptClaims(std::string_view token, const PasetoLocalKey& key,
                                          const ClaimsPolicy& policy, const Clock& clock,
                                          const PasetoOpenOptions& options) {
  BL_ASSIGN_OR_RETURN(PasetoMessage message, PasetoV4Decrypt(token, key, options));
  return CheckedClaims(message.payload, policy, clock);
}

std::string PasetoV4SignClaims(const Ed25519KeyPair& key, const TokenClaims& claims,
                               std::string_view footer, std::string_view implicit_assertion) {
  return PasetoV4Sign(key, EncodeClaims(claims), footer, implicit_assertion);
}

Result<TokenClaims> PasetoV4VerifyClaims(std::string_view token, ByteSpan public_key,
                                         const ClaimsPolicy& policy, const Clock& clock,
                                         const PasetoOpenOptions& options) {
  BL_ASSIGN_OR_RETURN(PasetoMessage message, PasetoV4Verify(token, public_key, options));
  return CheckedClaims(message.payload, policy, clock);
}

}  // namespace backline::crypto
