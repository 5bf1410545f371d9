// Card data as the payment authority sees it, and what it decides about a
// card before any state is touched: is the input well formed (Luhn, expiry,
// CVC), and do the test-card rules approve or decline it.
//
// A CardDetails holds a full card number (PAN) and a CVC, so it is secret: it
// is never stored, logged, or put in a Status message. The only things that
// leave this module about a card are its keyed fingerprint (HMAC-SHA256 of
// the PAN under the authority's card key) and its last four digits.
// CardDetails wipes its number and CVC when destroyed (best effort: copies
// made by the JSON parser and the HTTP layer are not ours to wipe).
//
// Test cards (every other Luhn-valid number is declined "card_not_supported"):
//   4242424242424242, 5555555555554444, 378282246310005   approve
//   4000000000000002   card_declined
//   4000000000009995   insufficient_funds
//   4000000000000069   expired_card
//   4000000000000127   incorrect_cvc
// A card whose expiry month has passed is declined expired_card whatever its
// number.
//
// Thread-safety: values and pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/status.h"
#include "crypto/hash.h"

namespace backline::payment {

// What the merchant sends about the card. Secret (see the file comment).
struct CardDetails {
  std::string card_number;  // digits only, 12-19 of them
  int64_t exp_month = 0;
  int64_t exp_year = 0;  // four digits
  std::string cvc;       // 3 or 4 digits

  CardDetails() = default;
  CardDetails(std::string number_in, int64_t month, int64_t year, std::string cvc_in)
      : card_number(std::move(number_in)),
        exp_month(month),
        exp_year(year),
        cvc(std::move(cvc_in)) {}
  CardDetails(const CardDetails&) = default;
  CardDetails(CardDetails&&) = default;
  CardDetails& operator=(const CardDetails&) = default;
  CardDetails& operator=(CardDetails&&) = default;
  ~CardDetails();
};

// True iff `digits` is non-empty, all ASCII digits, and passes the Luhn
// (mod 10) check.
bool PassesLuhn(std::string_view digits);

// The number alone: 12-19 ASCII digits that pass Luhn. kInvalidArgument
// naming "card.card_number", never quoting it.
Status ValidateCardNumber(std::string_view number);

// Checks the card fields in this order, so a mistyped number is reported
// before anything else: number is 12-19 digits, number passes Luhn, exp_month
// is 1-12, exp_year is 2000-2099, cvc is 3-4 digits. kInvalidArgument naming
// the field ("card.card_number", ...); the message never contains the number or
// the CVC.
Status ValidateCard(const CardDetails& card);

// Why a card was declined. Stable, machine-readable names on the wire.
enum class DeclineCode : uint8_t {
  kCardDeclined,       // "card_declined"
  kInsufficientFunds,  // "insufficient_funds"
  kExpiredCard,        // "expired_card"
  kIncorrectCvc,       // "incorrect_cvc"
  kCardNotSupported,   // "card_not_supported": not one of the test cards
};

std::string_view DeclineCodeName(DeclineCode code);
// A short sentence for people: "the card has insufficient funds".
std::string_view DeclineReason(DeclineCode code);
// kPaymentDeclined with "insufficient_funds: the card has insufficient funds".
Status DeclineStatus(DeclineCode code);

// The authority's decision for a card that passed ValidateCard: nullopt
// approves, otherwise why not. `now` decides whether the expiry has passed (a
// card is good through the last second of its expiry month, UTC).
std::optional<DeclineCode> ScreenCard(const CardDetails& card, Clock::TimePoint now);

// What is kept about a card: a keyed hash of its number and its last four
// digits. Not secret in itself, but the hash is only as safe as the key.
struct CardFingerprint {
  crypto::Sha256Digest pan_hmac{};
  std::string last4;
};

// HMAC-SHA256 under `card_key` of "backline payment pan v1" || 0x00 || number.
// Precondition: ValidateCard(card) is OK (the number is 12-19 digits).
CardFingerprint FingerprintCard(ByteSpan card_key, std::string_view number);

}  // namespace backline::payment
