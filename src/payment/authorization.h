// Authorizations and their state machine: the payment authority's rules,
// with no HTTP and no SQL.
//
//                capture (once, amount <= authorized, before expires_at)
//   authorized ------------------------------------------------> captured
//        |                                                          |
//        | void (also after expiry)                    refunds (sum <= captured)
//        v                                                          v
//      voided                                                   captured
//
// An authorization still "authorized" at or after expires_at is reported as
// "expired": it can no longer be captured, only voided. A captured one cannot
// be voided (refund it instead). Money is integer minor units; times are
// Unix seconds.
//
// Each transition is a pure function from the authorization before to the
// authorization after, or a Status saying why not:
//   kInvalidArgument     an amount that is not positive, or a capture above
//                        the authorized amount;
//   kFailedPrecondition  the state forbids it (captured twice, capture after
//                        void or expiry, void after capture, refund before
//                        capture or above what is left of the capture).
//
// Thread-safety: values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "crypto/hash.h"

namespace backline::payment {

// Largest amount the authority handles, in minor units (10^12): sums of
// captures and refunds stay far from int64 overflow.
inline constexpr int64_t kMaxAmount = 1'000'000'000'000;

enum class AuthorizationState : uint8_t { kAuthorized, kCaptured, kVoided };

// "authorized", "captured", "voided" (as stored).
std::string_view AuthorizationStateName(AuthorizationState state);
// The inverse; kInternal for anything else (a stored value we did not write).
Result<AuthorizationState> ParseAuthorizationState(std::string_view name);

struct Authorization {
  std::string id;  // 26 lowercase base32 characters
  std::string merchant_id;
  int64_t amount = 0;  // authorized, minor units
  std::string currency;
  std::string card_last4;
  crypto::Sha256Digest card_fingerprint{};  // HMAC of the PAN (card.h)
  AuthorizationState state = AuthorizationState::kAuthorized;
  int64_t captured_amount = 0;
  int64_t refunded_amount = 0;  // sum of refunds, <= captured_amount
  int64_t created_at = 0;
  int64_t expires_at = 0;
  int64_t updated_at = 0;
  std::string token;  // the signed PASETO v4.public token (authorization_token.h)
};

// "expired" when authorized and now >= expires_at, else the state's name.
std::string_view DisplayStatus(const Authorization& authorization, int64_t now);
bool IsExpired(const Authorization& authorization, int64_t now);

// Input checks shared by the codec and the service; each names the field.
Status ValidateMerchantId(std::string_view merchant_id);        // 1-64 of [A-Za-z0-9._-]
Status ValidateCurrency(std::string_view currency);             // three letters A-Z
Status ValidateAmount(int64_t amount, std::string_view field);  // 1..kMaxAmount

// The transitions (see the file comment). `now` stamps updated_at.
Result<Authorization> ApplyCapture(const Authorization& before, int64_t amount, int64_t now);
Result<Authorization> ApplyVoid(const Authorization& before, int64_t now);
Result<Authorization> ApplyRefund(const Authorization& before, int64_t amount, int64_t now);

// One row of the money movements after authorization.
enum class LedgerKind : uint8_t { kCapture, kVoid, kRefund };
std::string_view LedgerKindName(LedgerKind kind);  // "capture", "void", "refund"

struct LedgerEntry {
  std::string id;  // 26 lowercase base32 characters
  std::string authorization_id;
  LedgerKind kind = LedgerKind::kCapture;
  int64_t amount = 0;  // captured, released (void) or refunded
  int64_t created_at = 0;
};

}  // namespace backline::payment
