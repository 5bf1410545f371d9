// The clearinghouse's business rules as pure functions: no I/O, no clock
// reads (times are passed in), so each is tested alone (rules_test.cc). The
// store calls them inside its transactions, the service before them.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/clock.h"
#include "base/status.h"
#include "protocol/messages.h"

namespace backline::clearinghouse {

// OK iff the authorized amount is in the wholesale currency and covers the
// wholesale price. kInvalidArgument otherwise, naming both amounts:
//   "authorized amount 500 EUR does not cover the wholesale price 700 EUR"
Status CheckPaymentCovers(const protocol::Money& authorized, const protocol::Money& wholesale);

// OK iff the authorization names `sender` (the sealed message's merchant);
// kPermissionDenied otherwise.
Status CheckAuthorizationMerchant(std::string_view authorization_merchant,
                                  std::string_view sender);

// OK iff a reservation that expires at `expires_at` (Unix seconds) may still
// be paid at `now`; kFailedPrecondition naming the time otherwise.
Status CheckReservationOpen(int64_t expires_at, int64_t now);

// OK iff another slot may be leased: completed deliveries plus unexpired
// leases stay below `limit`. kPermissionDenied "download limit of N reached".
Status CheckSlotAvailable(int64_t completed, int64_t active_leases, int64_t limit);

}  // namespace backline::clearinghouse
