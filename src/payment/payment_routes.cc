#include "payment/payment_routes.h"

#include <string>
#include <string_view>

#include "http/error.h"
#include "http/json.h"
#include "payment/idempotency.h"
#include "payment/payment_json.h"

namespace backline::payment {
namespace {

using http::Request;
using http::Response;

Response WithNoStore(Response response) {
  response.headers.Set("Cache-Control", "no-store");
  return response;
}

Response Error(const Status& status) { return WithNoStore(http::ErrorResponse(status)); }

Response Json(int status, const boost::json::object& body) {
  return WithNoStore(Response::Text(status, Serialize(body), "application/json"));
}

Response AnswerResponse(const StoredAnswer& answer, int success_status) {
  int status = answer.code == StatusCode::kOk ? success_status : http::HttpStatusFor(answer.code);
  Response response = Response::Text(status, answer.body, "application/json");
  if (answer.replayed) response.headers.Set("Idempotent-Replayed", "true");
  return WithNoStore(std::move(response));
}

Result<std::string_view> IdempotencyKey(const Request& request) {
  std::optional<std::string_view> key = request.Header(kIdempotencyKeyHeader);
  if (!key.has_value()) {
    return InvalidArgument(
        "missing header Idempotency-Key: every POST to the payment authority needs one "
        "(1 to 128 of A-Z a-z 0-9 . _ : -, unique per request)");
  }
  BL_RETURN_IF_ERROR(ValidateIdempotencyKey(*key));
  return *key;
}

Response Authorize(PaymentService& service, const Request& request) {
  Result<boost::json::object> body = http::ParseJsonObjectBody(request);
  if (!body.ok()) return Error(body.status());
  Result<AuthorizeRequest> decoded = DecodeAuthorizeRequest(*body);  // Luhn first
  if (!decoded.ok()) return Error(decoded.status());
  Result<std::string_view> key = IdempotencyKey(request);
  if (!key.ok()) return Error(key.status());
  Result<StoredAnswer> answer = service.Authorize(*decoded, *key);
  if (!answer.ok()) return Error(answer.status());
  return AnswerResponse(*answer, 201);
}

// Capture and refund: {"merchant_id","amount"}.
template <typename Method>
Response AmountOperation(PaymentService& service, const Request& request, Method method,
                         int success_status) {
  Result<boost::json::object> body = http::ParseJsonObjectBody(request);
  if (!body.ok()) return Error(body.status());
  Result<AmountRequest> decoded = DecodeAmountRequest(*body);
  if (!decoded.ok()) return Error(decoded.status());
  Result<std::string_view> key = IdempotencyKey(request);
  if (!key.ok()) return Error(key.status());
  Result<StoredAnswer> answer = (service.*method)(request.PathParam("id"), *decoded, *key);
  if (!answer.ok()) return Error(answer.status());
  return AnswerResponse(*answer, success_status);
}

Response Void(PaymentService& service, const Request& request) {
  Result<boost::json::object> body = http::ParseJsonObjectBody(request);
  if (!body.ok()) return Error(body.status());
  Result<VoidRequest> decoded = DecodeVoidRequest(*body);
  if (!decoded.ok()) return Error(decoded.status());
  Result<std::string_view> key = IdempotencyKey(request);
  if (!key.ok()) return Error(key.status());
  Result<StoredAnswer> answer = service.Void(request.PathParam("id"), *decoded, *key);
  if (!answer.ok()) return Error(answer.status());
  return AnswerResponse(*answer, 200);
}

Response Show(PaymentService& service, const Request& request) {
  std::optional<std::string_view> merchant = request.Query("merchant_id");
  if (!merchant.has_value()) {
    return Error(InvalidArgument("query parameter merchant_id is required"));
  }
  Result<Authorization> authorization =
      service.GetAuthorization(*merchant, request.PathParam("id"));
  if (!authorization.ok()) return Error(authorization.status());
  return Json(200, EncodeAuthorization(*authorization, service.clock().NowUnixSeconds()));
}

// GET /v1/authorizations?merchant_id=M&idempotency_key=K: the authorization
// that M's authorize request with key K created (for a merchant recovering
// from a crash), or 404.
Response FindByKey(PaymentService& service, const Request& request) {
  std::optional<std::string_view> merchant = request.Query("merchant_id");
  std::optional<std::string_view> key = request.Query("idempotency_key");
  if (!merchant.has_value() || !key.has_value()) {
    return Error(InvalidArgument("query parameters merchant_id and idempotency_key are required"));
  }
  Result<Authorization> authorization = service.FindAuthorizationByKey(*merchant, *key);
  if (!authorization.ok()) return Error(authorization.status());
  return Json(200, EncodeAuthorization(*authorization, service.clock().NowUnixSeconds()));
}

}  // namespace

void RegisterPaymentRoutes(http::Router& router, PaymentService& service) {
  PaymentService* s = &service;
  router.Post("/v1/authorizations", [s](const Request& r) { return Authorize(*s, r); },
              {.max_body_bytes = kAuthorizeMaxBodyBytes});
  router.Get("/v1/authorizations", [s](const Request& r) { return FindByKey(*s, r); },
             {.max_body_bytes = kOperationMaxBodyBytes});
  router.Get("/v1/authorizations/{id}", [s](const Request& r) { return Show(*s, r); },
             {.max_body_bytes = kOperationMaxBodyBytes});
  router.Post(
      "/v1/authorizations/{id}/capture",
      [s](const Request& r) { return AmountOperation(*s, r, &PaymentService::Capture, 200); },
      {.max_body_bytes = kOperationMaxBodyBytes});
  router.Post("/v1/authorizations/{id}/void", [s](const Request& r) { return Void(*s, r); },
              {.max_body_bytes = kOperationMaxBodyBytes});
  router.Post(
      "/v1/authorizations/{id}/refunds",
      [s](const Request& r) { return AmountOperation(*s, r, &PaymentService::Refund, 201); },
      {.max_body_bytes = kOperationMaxBodyBytes});
  router.Get("/v1/keys", [s](const Request&) { return Json(200, EncodeKeys(s->public_key())); },
             {.max_body_bytes = kOperationMaxBodyBytes});
}

}  // namespace backline::payment
