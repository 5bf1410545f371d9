#include "merchant/merchant_routes.h"

#include <string>
#include <utility>

#include "http/error.h"
#include "http/json.h"
#include "protocol/json_fields.h"

namespace backline::merchant {
namespace {

using http::Request;
using http::Response;

Response WithNoStore(Response response) {
  response.headers.Set("Cache-Control", "no-store");
  return response;
}

Response Error(const Status& status) { return WithNoStore(http::ErrorResponse(status)); }

Response Json(int status, const boost::json::value& body) {
  return WithNoStore(http::JsonResponse(status, body));
}

// The answer to POST /v1/orders for `order`, the first time and on replay.
Response OrderAnswer(const Order& order) {
  int status = OrderAnswerStatus(order);
  if (status >= 400) return Error(Status(order.error_code, order.error_message));
  return Json(status, ToResponse(order).ToJson());
}

// GET /v1/orders/{id}: the order as it is, with why it ended if it failed.
boost::json::object OrderView(const Order& order) {
  boost::json::object o = ToResponse(order).ToJson();
  if (order.status == OrderStatus::kFailed || order.status == OrderStatus::kVoided) {
    o["error"] = {{"code", StatusCodeName(order.error_code)}, {"message", order.error_message}};
  }
  return o;
}

Result<Id> OrderId(const Request& request) {
  Result<Id> id = protocol::ParseId(request.PathParam("id"));
  if (!id.ok()) return NotFound("no order " + std::string(request.PathParam("id")));
  return id;
}

Async<Response> PlaceOrder(MerchantService& service, const Request& request) {
  std::optional<std::string_view> key = request.Header("Idempotency-Key");
  if (!key.has_value()) {
    co_return Error(InvalidArgument(
        "missing header Idempotency-Key: POST /v1/orders needs one "
        "(1 to 64 of A-Z a-z 0-9 . _ -, unique per purchase)"));
  }
  if (Status s = ValidateOrderKey(*key); !s.ok()) co_return Error(s);
  Result<boost::json::object> body = http::ParseJsonObjectBody(request);
  if (!body.ok()) co_return Error(body.status());
  Result<protocol::OrderRequest> order_request = protocol::OrderRequest::FromJson(*body);
  if (!order_request.ok()) co_return Error(order_request.status());
  Result<Order> order = co_await service.PlaceOrder(std::string(*key), *order_request);
  if (!order.ok()) co_return Error(order.status());
  co_return OrderAnswer(*order);
}

Response ShowOrder(MerchantService& service, const Request& request) {
  Result<Id> id = OrderId(request);
  if (!id.ok()) return Error(id.status());
  Result<Order> order = service.GetOrder(*id);
  if (!order.ok()) return Error(order.status());
  return Json(200, OrderView(*order));
}

Async<Response> RequestDelivery(MerchantService& service, const Request& request) {
  Result<Id> id = OrderId(request);
  if (!id.ok()) co_return Error(id.status());
  Result<protocol::DeliveryAck> ack = co_await service.RequestDelivery(*id);
  if (!ack.ok()) co_return Error(ack.status());
  co_return Json(200, boost::json::object{{"order_id", id->ToBase32()},
                                          {"transaction_id", ack->transaction_id.ToBase32()},
                                          {"download_url", ack->download_url}});
}

Async<Response> ShowCatalog(MerchantService& service) {
  Result<std::vector<CatalogItem>> catalog = co_await service.GetCatalog();
  if (!catalog.ok()) co_return Error(catalog.status());
  co_return Json(200, CatalogToJson(service.options().merchant_id, *catalog));
}

}  // namespace

void RegisterMerchantRoutes(http::Router& router, MerchantService& service,
                            const protocol::PublicKeys& keys) {
  MerchantService* s = &service;
  router.Get(
      "/v1/catalog", [s](const Request&) -> Async<Response> { return ShowCatalog(*s); },
      {.max_body_bytes = kSmallMaxBodyBytes});
  router.Post(
      "/v1/orders", [s](const Request& r) -> Async<Response> { return PlaceOrder(*s, r); },
      {.max_body_bytes = kOrderMaxBodyBytes});
  router.Get("/v1/orders/{id}", [s](const Request& r) { return ShowOrder(*s, r); },
             {.max_body_bytes = kSmallMaxBodyBytes});
  router.Post(
      "/v1/orders/{id}/delivery-request",
      [s](const Request& r) -> Async<Response> { return RequestDelivery(*s, r); },
      {.max_body_bytes = kSmallMaxBodyBytes});
  boost::json::object public_keys = keys.ToJson();
  router.Get("/v1/keys", [public_keys](const Request&) { return Json(200, public_keys); },
             {.max_body_bytes = kSmallMaxBodyBytes});
}

}  // namespace backline::merchant
