#include "clearinghouse/rules.h"

#include <string>

namespace backline::clearinghouse {
namespace {

std::string Show(const protocol::Money& m) {
  return std::to_string(m.amount) + " " + m.currency;
}

}  // namespace

Status CheckPaymentCovers(const protocol::Money& authorized, const protocol::Money& wholesale) {
  if (authorized.currency != wholesale.currency) {
    return InvalidArgument("authorized amount " + Show(authorized) +
                           " is not in the currency of the wholesale price " + Show(wholesale));
  }
  if (authorized.amount < wholesale.amount) {
    return InvalidArgument("authorized amount " + Show(authorized) +
                           " does not cover the wholesale price " + Show(wholesale));
  }
  return Status::Ok();
}

Status CheckAuthorizationMerchant(std::string_view authorization_merchant,
                                  std::string_view sender) {
  if (authorization_merchant != sender) {
    return PermissionDenied("the authorization was issued to merchant \"" +
                            std::string(authorization_merchant) + "\", not to \"" +
                            std::string(sender) + "\"");
  }
  return Status::Ok();
}

Status CheckReservationOpen(int64_t expires_at, int64_t now) {
  if (now >= expires_at) {
    return FailedPrecondition("the reservation expired at Unix time " +
                              std::to_string(expires_at) + "; make a new reservation");
  }
  return Status::Ok();
}

Status CheckSlotAvailable(int64_t completed, int64_t active_leases, int64_t limit) {
  if (completed + active_leases >= limit) {
    if (completed >= limit) {
      return PermissionDenied("download limit of " + std::to_string(limit) + " reached");
    }
    return PermissionDenied("download limit of " + std::to_string(limit) + " reached (" +
                            std::to_string(active_leases) +
                            " in progress; a slot frees when one aborts or its lease expires)");
  }
  return Status::Ok();
}

}  // namespace backline::clearinghouse
