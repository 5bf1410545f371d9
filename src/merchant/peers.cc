#include "merchant/peers.h"

#include <boost/json/object.hpp>
#include <utility>

#include "protocol/json_fields.h"
#include "protocol/sealed.h"

namespace backline::merchant {
namespace {

constexpr std::string_view kClearinghouseSender = "clearinghouse";

// An HTTP answer, or why there is none, as a JSON object or a Status.
Result<boost::json::object> AnswerObject(const Result<http::ClientResponse>& reply,
                                         std::string_view what) {
  if (!reply.ok()) return reply.status().WithContext(std::string(what));
  if (Status s = reply->ToStatus(); !s.ok()) return s;
  return protocol::ParseJsonObject(reply->body, what);
}

}  // namespace

ClearinghouseClient::ClearinghouseClient(http::Client& http, std::string base_url,
                                         std::string merchant_id,
                                         const protocol::Identity& identity,
                                         crypto::X25519PublicKey clearinghouse,
                                         RandomSource& random, std::mutex& random_mu)
    : http_(http),
      base_url_(std::move(base_url)),
      merchant_id_(std::move(merchant_id)),
      identity_(identity),
      clearinghouse_(clearinghouse),
      random_(random),
      random_mu_(random_mu) {}

Async<Result<boost::json::object>> ClearinghouseClient::Call(std::string_view path,
                                                             std::string_view request_type,
                                                             std::string_view answer_type,
                                                             boost::json::object plaintext,
                                                             std::string request_id) {
  const std::string line = protocol::RequestLine("POST", path);
  Result<protocol::Sealed> sealed = [&]() -> Result<protocol::Sealed> {
    std::lock_guard<std::mutex> lock(random_mu_);
    return protocol::SealMessage(request_type, line, plaintext, merchant_id_, identity_.x25519(),
                                 clearinghouse_, random_);
  }();
  if (!sealed.ok()) co_return sealed.status();
  http::ClientRequest request = http::ClientRequest::Json(
      "POST", base_url_ + std::string(path), protocol::SerializeJson(sealed->envelope));
  // The clearinghouse answers a repeated request_id with its stored answer,
  // so retrying is safe; the header tells http::Client it may.
  request.WithHeader("Idempotency-Key", std::move(request_id));
  Result<http::ClientResponse> reply = co_await http_.Send(std::move(request));
  Result<boost::json::object> body = AnswerObject(reply, "clearinghouse " + std::string(path));
  if (!body.ok()) co_return body.status();
  crypto::X25519PublicKey clearinghouse = clearinghouse_;
  protocol::SenderKeyLookup lookup =
      [clearinghouse](std::string_view sender) -> Result<crypto::X25519PublicKey> {
    if (sender != kClearinghouseSender) return NotFound("unknown sender");
    return clearinghouse;
  };
  Result<protocol::Opened> opened = protocol::OpenMessage(
      boost::json::value(std::move(*body)), answer_type, line, identity_.x25519(), lookup,
      sealed->enc);
  if (!opened.ok()) co_return opened.status().WithContext("clearinghouse answer");
  co_return std::move(opened->message);
}

Async<Result<protocol::Inventory>> ClearinghouseClient::GetInventory(
    const protocol::InventoryRequest& request) {
  Result<boost::json::object> answer =
      co_await Call(protocol::kInventoryPath, protocol::kInventoryRequestType,
                    protocol::kInventoryType, request.ToJson(), request.request_id.ToBase32());
  if (!answer.ok()) co_return answer.status();
  co_return protocol::Inventory::FromJson(*answer);
}

Async<Result<protocol::Reservation>> ClearinghouseClient::Reserve(
    const protocol::ReservationRequest& request) {
  Result<boost::json::object> answer =
      co_await Call(protocol::kReservationsPath, protocol::kReservationRequestType,
                    protocol::kReservationType, request.ToJson(), request.request_id.ToBase32());
  if (!answer.ok()) co_return answer.status();
  co_return protocol::Reservation::FromJson(*answer);
}

Async<Result<protocol::PaymentAck>> ClearinghouseClient::Pay(
    const Id& transaction_id, const protocol::PaymentRequest& request) {
  Result<boost::json::object> answer =
      co_await Call(protocol::PaymentPath(transaction_id), protocol::kPaymentRequestType,
                    protocol::kPaymentAckType, request.ToJson(), request.request_id.ToBase32());
  if (!answer.ok()) co_return answer.status();
  co_return protocol::PaymentAck::FromJson(*answer);
}

Async<Result<protocol::DeliveryAck>> ClearinghouseClient::RequestDelivery(
    const protocol::DeliveryRequest& request) {
  Result<boost::json::object> answer =
      co_await Call(protocol::kDeliveryRequestsPath, protocol::kDeliveryRequestType,
                    protocol::kDeliveryAckType, request.ToJson(), request.request_id.ToBase32());
  if (!answer.ok()) co_return answer.status();
  co_return protocol::DeliveryAck::FromJson(*answer);
}

Async<Result<protocol::ReservationReleased>> ClearinghouseClient::Release(
    const protocol::ReservationRelease& request) {
  Result<boost::json::object> answer = co_await Call(
      protocol::ReleasePath(request.transaction_id), protocol::kReservationReleaseType,
      protocol::kReservationReleasedType, request.ToJson(), request.request_id.ToBase32());
  if (!answer.ok()) co_return answer.status();
  co_return protocol::ReservationReleased::FromJson(*answer);
}

// ---- PaymentClient ------------------------------------------------------------

namespace {

Result<AuthorizationView> ParseAuthorization(const boost::json::object& o) {
  protocol::JsonReader r = protocol::JsonReader::Of(o, "authorization");
  AuthorizationView v;
  BL_ASSIGN_OR_RETURN(v.authorization_id, r.GetString("authorization_id"));
  BL_ASSIGN_OR_RETURN(v.status, r.GetString("status"));
  BL_ASSIGN_OR_RETURN(v.amount, r.GetInt("amount"));
  BL_ASSIGN_OR_RETURN(v.card_last4, r.GetString("card_last4"));
  BL_ASSIGN_OR_RETURN(v.token, r.GetString("token"));
  return v;
}

}  // namespace

PaymentClient::PaymentClient(http::Client& http, std::string base_url, std::string merchant_id)
    : http_(http), base_url_(std::move(base_url)), merchant_id_(std::move(merchant_id)) {}

Async<Result<AuthorizationView>> PaymentClient::Post(std::string path, std::string body,
                                                     std::string key) {
  http::ClientRequest request =
      http::ClientRequest::Json("POST", base_url_ + path, std::move(body));
  request.WithHeader("Idempotency-Key", std::move(key));
  Result<http::ClientResponse> reply = co_await http_.Send(std::move(request));
  // The body we sent may hold card data: the request is gone (moved), and
  // the answer never quotes the card.
  Result<boost::json::object> answer = AnswerObject(reply, "payment authority");
  if (!answer.ok()) co_return answer.status();
  co_return ParseAuthorization(*answer);
}

Async<Result<AuthorizationView>> PaymentClient::Authorize(const protocol::PaymentCard& card,
                                                          const protocol::Money& amount,
                                                          std::string key) {
  boost::json::object body = {
      {"merchant_id", merchant_id_},
      {"amount", amount.amount},
      {"currency", amount.currency},
      {"card", card.ToJson()}};  // {"card_number","exp_month","exp_year","cvc"}
  // The body holds the card: it goes to the authority and nowhere else (no
  // log line here or in http::Client quotes a body).
  Result<AuthorizationView> result =
      co_await Post("/v1/authorizations", protocol::SerializeJson(body), std::move(key));
  co_return result;
}

Async<Result<AuthorizationView>> PaymentClient::Capture(const std::string& authorization_id,
                                                        int64_t amount, std::string key) {
  boost::json::object body = {{"merchant_id", merchant_id_}, {"amount", amount}};
  Result<AuthorizationView> result =
      co_await Post("/v1/authorizations/" + authorization_id + "/capture",
                    protocol::SerializeJson(body), std::move(key));
  co_return result;
}

Async<Result<AuthorizationView>> PaymentClient::Void(const std::string& authorization_id,
                                                     std::string key) {
  boost::json::object body = {{"merchant_id", merchant_id_}};
  Result<AuthorizationView> result =
      co_await Post("/v1/authorizations/" + authorization_id + "/void",
                    protocol::SerializeJson(body), std::move(key));
  co_return result;
}

Async<Result<AuthorizationView>> PaymentClient::Get(const std::string& authorization_id) {
  Result<http::ClientResponse> reply = co_await http_.Send(http::ClientRequest::Get(
      base_url_ + "/v1/authorizations/" + authorization_id + "?merchant_id=" + merchant_id_));
  Result<boost::json::object> answer = AnswerObject(reply, "payment authority");
  if (!answer.ok()) co_return answer.status();
  co_return ParseAuthorization(*answer);
}

Async<Result<AuthorizationView>> PaymentClient::FindByKey(const std::string& key) {
  // Keys are [A-Za-z0-9._:-] (the authority refuses others): nothing to escape.
  Result<http::ClientResponse> reply = co_await http_.Send(http::ClientRequest::Get(
      base_url_ + "/v1/authorizations?merchant_id=" + merchant_id_ + "&idempotency_key=" + key));
  Result<boost::json::object> answer = AnswerObject(reply, "payment authority");
  if (!answer.ok()) co_return answer.status();
  co_return ParseAuthorization(*answer);
}

}  // namespace backline::merchant
