#include "merchant/order.h"

#include <algorithm>
#include <array>
#include <limits>
#include <string>

#include "crypto/secure.h"
#include "http/error.h"

namespace backline::merchant {

bool IsTerminal(OrderStatus status) {
  return status == OrderStatus::kCompleted || status == OrderStatus::kVoided ||
         status == OrderStatus::kFailed;
}

Status CheckTransition(OrderStatus from, OrderStatus to) {
  bool ok = false;
  switch (from) {
    case OrderStatus::kNew:
      ok = to == OrderStatus::kReserved || to == OrderStatus::kFailed;
      break;
    case OrderStatus::kReserved:
      ok = to == OrderStatus::kAuthorized || to == OrderStatus::kFailed;
      break;
    case OrderStatus::kAuthorized:
      // Any failure after authorization ends in a void.
      ok = to == OrderStatus::kPaid || to == OrderStatus::kVoided;
      break;
    case OrderStatus::kPaid:
      // The clearinghouse has recorded the payment: the only way on is to
      // capture. `failed` is for a capture the authority refuses for good
      // (the authorization expired), which needs an operator.
      ok = to == OrderStatus::kCaptured || to == OrderStatus::kFailed;
      break;
    case OrderStatus::kCaptured:
      ok = to == OrderStatus::kCompleted;
      break;
    case OrderStatus::kCompleted:
    case OrderStatus::kVoided:
    case OrderStatus::kFailed:
      break;
  }
  if (ok) return Status::Ok();
  return Internal("order cannot go from " + std::string(protocol::OrderStatusName(from)) +
                  " to " + std::string(protocol::OrderStatusName(to)));
}

RecoveryAction RecoveryFor(OrderStatus status) {
  switch (status) {
    case OrderStatus::kNew:
      return RecoveryAction::kFail;
    case OrderStatus::kReserved:
      return RecoveryAction::kFindAuthorization;
    case OrderStatus::kAuthorized:
      return RecoveryAction::kVoid;
    case OrderStatus::kPaid:
      return RecoveryAction::kCapture;
    case OrderStatus::kCaptured:
      return RecoveryAction::kComplete;
    case OrderStatus::kCompleted:
    case OrderStatus::kVoided:
    case OrderStatus::kFailed:
      break;
  }
  return RecoveryAction::kNone;
}

Result<int64_t> RetailPrice(int64_t wholesale, int64_t markup_percent) {
  if (wholesale < 0) return InvalidArgument("wholesale price must not be negative");
  if (markup_percent < 0 || markup_percent > 10'000) {
    return InvalidArgument("merchant.markup_percent must be between 0 and 10000");
  }
  const int64_t factor = 100 + markup_percent;
  if (wholesale > (std::numeric_limits<int64_t>::max() - 99) / factor) {
    return InvalidArgument("retail price of " + std::to_string(wholesale) + " overflows");
  }
  // Ceiling division: the merchant never sells below its markup.
  return (wholesale * factor + 99) / 100;
}

Status ValidateOrderKey(std::string_view key) {
  bool ok = !key.empty() && key.size() <= 64;
  for (char c : key) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == '-');
  }
  if (ok) return Status::Ok();
  return InvalidArgument("header Idempotency-Key must be 1 to 64 of A-Z a-z 0-9 . _ -");
}

crypto::Sha256Digest OrderRequestHash(ByteSpan hmac_key, const protocol::OrderRequest& request) {
  // Length-free but unambiguous: every field has a fixed size or ends in 0.
  Bytes canonical;
  auto append = [&](ByteSpan b) { canonical.insert(canonical.end(), b.begin(), b.end()); };
  auto append_text = [&](std::string_view s) {
    canonical.insert(canonical.end(), s.begin(), s.end());
    canonical.push_back(0);
  };
  append_text("backline merchant order v1");
  append(request.product_id.bytes());
  append(request.buyer.ed25519);
  append(request.buyer.x25519);
  append_text(request.payment.card_number);
  append_text(std::to_string(request.payment.exp_month));
  append_text(std::to_string(request.payment.exp_year));
  crypto::Sha256Digest digest = crypto::HmacSha256(hmac_key, canonical);
  crypto::SecureWipe(canonical);
  return digest;
}

Id DeriveRequestId(const Id& order_id, std::string_view step) {
  std::string input = "backline merchant v1 " + std::string(step);
  input.push_back('\0');
  input += order_id.ToBase32();
  crypto::Sha256Digest digest = crypto::Sha256(AsBytes(input));
  std::array<uint8_t, Id::kSize> bytes{};
  std::copy_n(digest.begin(), Id::kSize, bytes.begin());
  return Id(bytes);
}

std::string PaymentKey(const Id& order_id, std::string_view operation) {
  return "order-" + order_id.ToBase32() + "-" + std::string(operation);
}

protocol::OrderResponse ToResponse(const Order& order) {
  protocol::OrderResponse r;
  r.order_id = order.id;
  r.status = order.status;
  r.transaction_id = order.transaction_id;
  if (order.status == OrderStatus::kCompleted) r.download_url = order.download_url;
  r.price = order.price;
  r.card_last4 = order.card_last4;
  return r;
}

int OrderAnswerStatus(const Order& order) {
  switch (order.status) {
    case OrderStatus::kCompleted:
      return 201;
    case OrderStatus::kFailed:
    case OrderStatus::kVoided:
      return http::HttpStatusFor(order.error_code);
    default:
      return 202;
  }
}

Status Advance(Order& order, OrderStatus to, int64_t now) {
  BL_RETURN_IF_ERROR(CheckTransition(order.status, to));
  order.status = to;
  order.updated_at = now;
  return Status::Ok();
}

Status EndWithError(Order& order, OrderStatus to, const Status& why, int64_t now) {
  BL_RETURN_IF_ERROR(Advance(order, to, now));
  order.error_code = why.ok() ? StatusCode::kInternal : why.code();
  order.error_message = why.message();
  return Status::Ok();
}

}  // namespace backline::merchant
