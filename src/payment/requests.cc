#include "payment/requests.h"

#include "payment/authorization.h"

namespace backline::payment {

Status ValidateAuthorizeRequest(const AuthorizeRequest& request) {
  BL_RETURN_IF_ERROR(ValidateCard(request.card));
  BL_RETURN_IF_ERROR(ValidateMerchantId(request.merchant_id));
  BL_RETURN_IF_ERROR(ValidateAmount(request.amount, "amount"));
  return ValidateCurrency(request.currency);
}

Status ValidateAmountRequest(const AmountRequest& request) {
  BL_RETURN_IF_ERROR(ValidateMerchantId(request.merchant_id));
  return ValidateAmount(request.amount, "amount");
}

Status ValidateVoidRequest(const VoidRequest& request) {
  return ValidateMerchantId(request.merchant_id);
}

}  // namespace backline::payment
