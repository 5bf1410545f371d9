#include "clearinghouse/clearinghouse_service.h"

#include <chrono>

#include "base/bytes.h"
#include "base/logging.h"
#include "clearinghouse/rules.h"
#include "protocol/json_fields.h"
#include "protocol/sealed.h"

namespace backline::clearinghouse {
namespace {

int64_t Seconds(Clock::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
Clock::TimePoint At(int64_t unix_seconds) {
  return Clock::TimePoint(std::chrono::seconds(unix_seconds));
}

// What a replayed request must repeat exactly: its type, its endpoint's
// parameters and its content.
ReplayKey KeyOf(std::string_view merchant, const Id& request_id, std::string_view kind,
                const boost::json::object& content, std::string_view extra = {}) {
  std::string text = protocol::SerializeJson(content);
  text.push_back('\0');
  text.append(extra);
  return {std::string(merchant), request_id, std::string(kind), crypto::Sha256(AsBytes(text))};
}

}  // namespace

ClearinghouseService::ClearinghouseService(const Settings& settings,
                                           const protocol::Identity& identity,
                                           ClearinghouseStore& store, PurchaseRecorder& recorder,
                                           const Clock& clock, RandomSource& random)
    : settings_(settings),
      identity_(identity),
      store_(store),
      recorder_(recorder),
      clock_(clock),
      random_(random) {
  for (const Product& p : settings_.products) products_.emplace(p.id.ToBase32(), &p);
}

const Product* ClearinghouseService::FindProduct(const Id& id) const {
  auto it = products_.find(id.ToBase32());
  return it == products_.end() ? nullptr : it->second;
}

Result<boost::json::object> ClearinghouseService::ParseAnswer(const std::string& answer) {
  Result<boost::json::object> o = protocol::ParseJsonObject(answer, "stored answer");
  if (!o.ok()) return Internal("a stored answer does not parse: " + o.status().message());
  return o;
}

Result<boost::json::object> ClearinghouseService::Reserve(
    std::string_view merchant, const protocol::ReservationRequest& request) {
  ReplayKey key = KeyOf(merchant, request.request_id, protocol::kReservationRequestType,
                        request.ToJson());
  BL_ASSIGN_OR_RETURN(std::optional<std::string> stored, store_.FindAnswer(key));
  if (stored.has_value()) return ParseAnswer(*stored);
  const Product* product = FindProduct(request.product_id);
  if (product == nullptr) {
    return NotFound("no product " + request.product_id.ToBase32() + " at this clearinghouse");
  }
  int64_t now = clock_.NowUnixSeconds();
  TransactionRecord txn{Id::Random(random_),
                        std::string(merchant),
                        product->id,
                        request.binding,
                        product->wholesale,
                        product->download_limit,
                        now,
                        now + settings_.reservation_ttl.count(),
                        "reserved"};
  protocol::Reservation answer{txn.id, txn.product_id, txn.binding, At(txn.expires_at),
                               txn.wholesale};
  BL_ASSIGN_OR_RETURN(std::string saved,
                      store_.CreateReservation(key, txn, protocol::SerializeJson(answer.ToJson())));
  return ParseAnswer(saved);
}

Result<std::pair<std::string, std::string>> ClearinghouseService::IssueToken(
    const TransactionRecord& txn) {
  const Product* product = FindProduct(txn.product_id);
  if (product == nullptr) {
    return FailedPrecondition("product " + txn.product_id.ToBase32() +
                              " is no longer offered");
  }
  Clock::TimePoint now = At(clock_.NowUnixSeconds());
  protocol::DeliveryTokenClaims claims{txn.id,
                                       txn.product_id,
                                       txn.binding,
                                       product->content_sha256,
                                       product->content_size,
                                       txn.download_limit,
                                       now,
                                       now + settings_.token_ttl};
  std::string token = protocol::SignDeliveryToken(claims, identity_.ed25519());
  const DeliveryNode& node =
      settings_.delivery_nodes[next_node_.fetch_add(1) % settings_.delivery_nodes.size()];
  return std::make_pair(token, protocol::DownloadUrl(node.url, txn.id, token));
}

Result<boost::json::object> ClearinghouseService::Pay(std::string_view merchant,
                                                      const Id& transaction_id,
                                                      const protocol::PaymentRequest& request) {
  ReplayKey key = KeyOf(merchant, request.request_id, protocol::kPaymentRequestType,
                        request.ToJson(), transaction_id.ToBase32());
  BL_ASSIGN_OR_RETURN(std::optional<std::string> stored, store_.FindAnswer(key));
  if (stored.has_value()) return ParseAnswer(*stored);
  BL_ASSIGN_OR_RETURN(protocol::PaymentAuthorizationClaims auth,
                      protocol::VerifyPaymentAuthorization(request.authorization_token,
                                                           settings_.payment_ed25519, clock_));
  BL_RETURN_IF_ERROR(CheckAuthorizationMerchant(auth.merchant_id, merchant));
  BL_ASSIGN_OR_RETURN(TransactionRecord txn, store_.GetTransaction(transaction_id));
  if (txn.merchant_id != merchant) return NotFound("no transaction " + transaction_id.ToBase32());
  BL_RETURN_IF_ERROR(CheckPaymentCovers(auth.amount, txn.wholesale));
  int64_t now = clock_.NowUnixSeconds();
  BL_RETURN_IF_ERROR(CheckReservationOpen(txn.expires_at, now));
  BL_ASSIGN_OR_RETURN(auto issued, IssueToken(txn));
  protocol::PaymentAck ack{txn.id, issued.first, issued.second};
  PaymentRecord payment{txn.id, auth.authorization_id.ToBase32(), auth.amount, now};
  BL_ASSIGN_OR_RETURN(std::string saved, store_.RecordPayment(key, payment, now,
                                                              protocol::SerializeJson(ack.ToJson())));
  GetLogger("clearinghouse")
      ->info("transaction {} paid by merchant {} ({} {})", txn.id.ToBase32(), merchant,
             auth.amount.amount, auth.amount.currency);
  return ParseAnswer(saved);
}

Result<boost::json::object> ClearinghouseService::Release(
    std::string_view merchant, const Id& transaction_id,
    const protocol::ReservationRelease& request) {
  if (request.transaction_id != transaction_id) {
    return InvalidArgument("transaction_id in the body is not the one in the path");
  }
  ReplayKey key = KeyOf(merchant, request.request_id, protocol::kReservationReleaseType,
                        request.ToJson(), transaction_id.ToBase32());
  BL_ASSIGN_OR_RETURN(std::optional<std::string> stored, store_.FindAnswer(key));
  if (stored.has_value()) return ParseAnswer(*stored);
  protocol::ReservationReleased answer{transaction_id};
  BL_ASSIGN_OR_RETURN(std::string saved,
                      store_.ReleaseReservation(key, transaction_id,
                                                protocol::SerializeJson(answer.ToJson())));
  GetLogger("clearinghouse")
      ->info("transaction {}: release requested by merchant {}", transaction_id.ToBase32(),
             merchant);
  return ParseAnswer(saved);
}

protocol::Inventory ClearinghouseService::Inventory() const {
  protocol::Inventory inventory;
  for (const Product& p : settings_.products) {
    inventory.products.push_back({p.id, p.title, p.wholesale, p.download_limit});
  }
  return inventory;
}

Result<boost::json::object> ClearinghouseService::RequestDelivery(
    std::string_view merchant, const protocol::DeliveryRequest& request) {
  ReplayKey key = KeyOf(merchant, request.request_id, protocol::kDeliveryRequestType,
                        request.ToJson());
  BL_ASSIGN_OR_RETURN(std::optional<std::string> stored, store_.FindAnswer(key));
  if (stored.has_value()) return ParseAnswer(*stored);
  BL_ASSIGN_OR_RETURN(TransactionRecord txn, store_.GetTransaction(request.transaction_id));
  if (txn.merchant_id != merchant) {
    return NotFound("no transaction " + request.transaction_id.ToBase32());
  }
  if (txn.status != "paid") {
    return FailedPrecondition("transaction " + txn.id.ToBase32() + " is not paid");
  }
  BL_ASSIGN_OR_RETURN(auto issued, IssueToken(txn));
  protocol::DeliveryAck ack{txn.id, issued.second};
  BL_ASSIGN_OR_RETURN(std::string saved,
                      store_.RecordDeliveryRequest(key, txn.id,
                                                   protocol::SerializeJson(ack.ToJson())));
  return ParseAnswer(saved);
}

Result<protocol::DeliveryClaim> ClearinghouseService::Claim(
    std::string_view node, const protocol::DeliveryClaimRequest& request) {
  BL_ASSIGN_OR_RETURN(protocol::DeliveryTokenClaims claims,
                      protocol::VerifyDeliveryToken(request.delivery_token,
                                                    identity_.ed25519().public_key(), clock_,
                                                    {.transaction_id = request.transaction_id}));
  int64_t now = clock_.NowUnixSeconds();
  BL_ASSIGN_OR_RETURN(DeliveryRecord d,
                      store_.ClaimSlot(std::string(node), request.request_id,
                                       claims.transaction_id, Id::Random(random_), now,
                                       now + settings_.lease_ttl.count()));
  return protocol::DeliveryClaim{d.id, d.transaction_id, At(d.lease_expires_at)};
}

Status ClearinghouseService::Complete(std::string_view node, const Id& delivery_id,
                                      const protocol::CompletionRequest& request) {
  if (request.delivery_id != delivery_id) {
    return InvalidArgument("delivery_id in the body is not the one in the path");
  }
  BL_ASSIGN_OR_RETURN(TransactionRecord txn, store_.GetTransaction(request.transaction_id));
  const Product* product = FindProduct(txn.product_id);
  if (product != nullptr && (request.content_sha256 != product->content_sha256 ||
                             request.content_size != product->content_size)) {
    return InvalidArgument("content_sha256/content_size are not those of product " +
                           txn.product_id.ToBase32());
  }
  BL_ASSIGN_OR_RETURN(PurchaseRecord record,
                      store_.Complete(std::string(node), delivery_id, request.transaction_id,
                                      request.content_sha256, request.content_size,
                                      Seconds(request.completed_at), clock_.NowUnixSeconds()));
  // Claim 3: durable before the node hears OK. A failure here leaves the
  // delivery completed; the node retries and Append is idempotent.
  return recorder_.Append(record);
}

Status ClearinghouseService::Abort(std::string_view node, const Id& delivery_id) {
  return store_.Abort(std::string(node), delivery_id);
}

}  // namespace backline::clearinghouse
