#include "payment/card.h"

#include <algorithm>
#include <chrono>
#include <span>

#include "crypto/secure.h"

namespace backline::payment {
namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void WipeString(std::string& s) {
  crypto::SecureWipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(s.data()), s.size()));
}

struct TestCard {
  std::string_view number;
  std::optional<DeclineCode> decline;
};

// Public test numbers (the same ones card networks' sandboxes use).
constexpr TestCard kTestCards[] = {
    {"4242424242424242", std::nullopt},
    {"5555555555554444", std::nullopt},
    {"378282246310005", std::nullopt},
    {"4000000000000002", DeclineCode::kCardDeclined},
    {"4000000000009995", DeclineCode::kInsufficientFunds},
    {"4000000000000069", DeclineCode::kExpiredCard},
    {"4000000000000127", DeclineCode::kIncorrectCvc},
};

// The first second after the card's expiry month ends.
Clock::TimePoint ExpiryEnd(int64_t exp_year, int64_t exp_month) {
  namespace chrono = std::chrono;
  chrono::year_month ym =
      chrono::year(static_cast<int>(exp_year)) / chrono::month(static_cast<unsigned>(exp_month));
  ym += chrono::months(1);
  const chrono::sys_days first_day_after = ym / 1;
  return Clock::TimePoint(first_day_after.time_since_epoch());
}

}  // namespace

CardDetails::~CardDetails() {
  // The number and CVC are the most sensitive bytes this process handles.
  WipeString(card_number);
  WipeString(cvc);
}

bool PassesLuhn(std::string_view digits) {
  if (!AllDigits(digits)) return false;
  int sum = 0;
  bool double_it = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = *it - '0';
    if (double_it) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double_it = !double_it;
  }
  return sum % 10 == 0;
}

// Never quote the number or the CVC in these messages: they reach the caller
// and, through it, logs.
Status ValidateCardNumber(std::string_view number) {
  if (!AllDigits(number) || number.size() < 12 || number.size() > 19) {
    return InvalidArgument("card.card_number must be 12 to 19 digits with no spaces");
  }
  if (!PassesLuhn(number)) {
    return InvalidArgument("card.card_number fails the Luhn check (a mistyped number?)");
  }
  return Status::Ok();
}

Status ValidateCard(const CardDetails& card) {
  BL_RETURN_IF_ERROR(ValidateCardNumber(card.card_number));
  if (card.exp_month < 1 || card.exp_month > 12) {
    return InvalidArgument("card.exp_month must be between 1 and 12");
  }
  if (card.exp_year < 2000 || card.exp_year > 2099) {
    return InvalidArgument("card.exp_year must be a four-digit year between 2000 and 2099");
  }
  if (!AllDigits(card.cvc) || card.cvc.size() < 3 || card.cvc.size() > 4) {
    return InvalidArgument("card.cvc must be 3 or 4 digits");
  }
  return Status::Ok();
}

std::string_view DeclineCodeName(DeclineCode code) {
  switch (code) {
    case DeclineCode::kCardDeclined:
      return "card_declined";
    case DeclineCode::kInsufficientFunds:
      return "insufficient_funds";
    case DeclineCode::kExpiredCard:
      return "expired_card";
    case DeclineCode::kIncorrectCvc:
      return "incorrect_cvc";
    case DeclineCode::kCardNotSupported:
      return "card_not_supported";
  }
  return "card_declined";
}

std::string_view DeclineReason(DeclineCode code) {
  switch (code) {
    case DeclineCode::kCardDeclined:
      return "the card was declined";
    case DeclineCode::kInsufficientFunds:
      return "the card has insufficient funds";
    case DeclineCode::kExpiredCard:
      return "the card has expired";
    case DeclineCode::kIncorrectCvc:
      return "the card's security code (CVC) is incorrect";
    case DeclineCode::kCardNotSupported:
      return "the card is not one of the test cards this authority accepts";
  }
  return "the card was declined";
}

Status DeclineStatus(DeclineCode code) {
  return PaymentDeclined(std::string(DeclineCodeName(code)) + ": " +
                         std::string(DeclineReason(code)));
}

std::optional<DeclineCode> ScreenCard(const CardDetails& card, Clock::TimePoint now) {
  if (now >= ExpiryEnd(card.exp_year, card.exp_month)) return DeclineCode::kExpiredCard;
  for (const TestCard& test : kTestCards) {
    if (card.card_number == test.number) return test.decline;
  }
  return DeclineCode::kCardNotSupported;
}

CardFingerprint FingerprintCard(ByteSpan card_key, std::string_view number) {
  constexpr std::string_view kLabel = "backline payment pan v1";
  crypto::SecretBytes input(kLabel.size() + 1 + number.size());
  std::copy(kLabel.begin(), kLabel.end(), input.data());
  input.data()[kLabel.size()] = 0;
  std::copy(number.begin(), number.end(), input.data() + kLabel.size() + 1);
  CardFingerprint out;
  out.pan_hmac = crypto::HmacSha256(card_key, input);
  out.last4 = std::string(number.substr(number.size() >= 4 ? number.size() - 4 : 0));
  return out;
}

}  // namespace backline::payment
