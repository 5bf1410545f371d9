// The requests a merchant makes of the payment authority, as typed values,
// and their validation. The JSON codec (payment_json.h) builds them; the
// service (payment_service.h) validates them again, so a caller that builds
// one by hand gets the same checks.
//
// Which merchant is calling is, for now, simply the merchant_id the request
// names: roles do not authenticate each other yet (see README.md).
//
// Thread-safety: values and pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "payment/card.h"

namespace backline::payment {

struct AuthorizeRequest {
  std::string merchant_id;
  int64_t amount = 0;  // minor units
  std::string currency;
  CardDetails card;  // secret
};

// Capture and refund: an amount of the authorization's currency.
struct AmountRequest {
  std::string merchant_id;
  int64_t amount = 0;
};

struct VoidRequest {
  std::string merchant_id;
};

// Card first (so a number failing Luhn is the error reported), then
// merchant_id, amount, currency. kInvalidArgument naming the field.
Status ValidateAuthorizeRequest(const AuthorizeRequest& request);
Status ValidateAmountRequest(const AmountRequest& request);
Status ValidateVoidRequest(const VoidRequest& request);

}  // namespace backline::payment
