#include "clearinghouse/clearinghouse_routes.h"

#include <functional>
#include <string>

#include "base/bytes.h"
#include "http/error.h"
#include "http/json.h"
#include "protocol/json_fields.h"
#include "protocol/request_signing.h"
#include "protocol/sealed.h"

namespace backline::clearinghouse {
namespace {

using http::Request;
using http::Response;

Response Error(const Status& status) {
  Response r = http::ErrorResponse(status);
  r.headers.Set("Cache-Control", "no-store");
  return r;
}

Response Json(const boost::json::object& body) {
  Response r = http::JsonResponse(200, body);
  r.headers.Set("Cache-Control", "no-store");
  return r;
}

std::string_view PathOf(const Request& request) {
  std::string_view target = request.target;
  return target.substr(0, target.find('?'));
}

// Opens a sealed request of `type`, runs `handle` with the sender and the
// plaintext, and seals its answer as `answer_type` to the sender.
using SealedHandler =
    std::function<Result<boost::json::object>(std::string_view, const boost::json::object&)>;

Result<boost::json::object> HandleSealed(ClearinghouseService& service, const Request& request,
                                         std::string_view type, std::string_view answer_type,
                                         const SealedHandler& handle) {
  BL_ASSIGN_OR_RETURN(boost::json::value body, http::ParseJsonBody(request));
  const std::string line = protocol::RequestLine("POST", PathOf(request));
  const auto& merchants = service.settings().merchants;
  auto lookup = [&](std::string_view sender) -> Result<crypto::X25519PublicKey> {
    auto it = merchants.find(sender);
    if (it == merchants.end()) return NotFound("unknown merchant \"" + std::string(sender) + "\"");
    return it->second;
  };
  BL_ASSIGN_OR_RETURN(protocol::Opened in,
                      protocol::OpenMessage(body, type, line, service.identity().x25519(),
                                            lookup));
  BL_ASSIGN_OR_RETURN(boost::json::object answer, handle(in.sender, in.message));
  BL_ASSIGN_OR_RETURN(protocol::Sealed out,
                      protocol::SealMessage(answer_type, line, answer, service.settings().id,
                                            service.identity().x25519(),
                                            merchants.find(in.sender)->second, service.random(),
                                            in.enc));
  return std::move(out.envelope);
}

Response Sealed(ClearinghouseService& service, const Request& request, std::string_view type,
                std::string_view answer_type, const SealedHandler& handle) {
  Result<boost::json::object> r = HandleSealed(service, request, type, answer_type, handle);
  if (!r.ok()) return Error(r.status());
  return Json(*r);
}

// Verifies the node's RFC 9421 signature; returns the node's name.
Result<std::string> VerifyNode(ClearinghouseService& service, const Request& request) {
  const Settings& s = service.settings();
  std::string target_uri;
  if (!s.public_url.empty()) {
    target_uri = s.public_url + request.target;
  } else {
    std::optional<std::string_view> host = request.Header("Host");
    if (!host.has_value()) return InvalidArgument("missing Host header");
    target_uri = "http://" + std::string(*host) + request.target;
  }
  protocol::SignedRequest signed_request{request.method, target_uri,
                                         {request.headers.begin(), request.headers.end()},
                                         request.body};
  auto lookup = [&](std::string_view keyid) -> Result<crypto::Ed25519PublicKey> {
    for (const DeliveryNode& node : s.delivery_nodes) {
      if (node.id == keyid) return node.ed25519;
    }
    return NotFound("unknown delivery node \"" + std::string(keyid) + "\"");
  };
  return protocol::VerifyServiceRequest(signed_request, lookup, service.clock());
}

Result<Id> PathId(const Request& request) {
  Result<Id> id = protocol::ParseId(request.PathParam("id"));
  if (!id.ok()) return NotFound("no delivery " + std::string(request.PathParam("id")));
  return id;
}

template <typename Fn>
Response Signed(ClearinghouseService& service, const Request& request, Fn fn) {
  Result<std::string> node = VerifyNode(service, request);
  if (!node.ok()) return Error(node.status());
  Result<boost::json::value> body = http::ParseJsonBody(request);
  if (!body.ok()) return Error(body.status());
  Result<boost::json::object> answer = fn(*node, *body);
  if (!answer.ok()) return Error(answer.status());
  return Json(*answer);
}

void RegisterSealed(http::Router& router, ClearinghouseService* s) {
  router.Post(protocol::kReservationsPath, [s](const Request& r) {
    return Sealed(*s, r, protocol::kReservationRequestType, protocol::kReservationType,
                  [s](std::string_view sender, const boost::json::object& m)
                      -> Result<boost::json::object> {
                    BL_ASSIGN_OR_RETURN(auto req, protocol::ReservationRequest::FromJson(m));
                    return s->Reserve(sender, req);
                  });
  }, {.max_body_bytes = kMaxBodyBytes});
  router.Post("/v1/transactions/{id}/payment", [s](const Request& r) {
    Result<Id> txn = protocol::ParseId(r.PathParam("id"));
    if (!txn.ok()) return Error(NotFound("no transaction " + std::string(r.PathParam("id"))));
    return Sealed(*s, r, protocol::kPaymentRequestType, protocol::kPaymentAckType,
                  [s, id = *txn](std::string_view sender, const boost::json::object& m)
                      -> Result<boost::json::object> {
                    BL_ASSIGN_OR_RETURN(auto req, protocol::PaymentRequest::FromJson(m));
                    return s->Pay(sender, id, req);
                  });
  }, {.max_body_bytes = kMaxBodyBytes});
  router.Post("/v1/transactions/{id}/release", [s](const Request& r) {
    Result<Id> txn = protocol::ParseId(r.PathParam("id"));
    if (!txn.ok()) return Error(NotFound("no transaction " + std::string(r.PathParam("id"))));
    return Sealed(*s, r, protocol::kReservationReleaseType, protocol::kReservationReleasedType,
                  [s, id = *txn](std::string_view sender, const boost::json::object& m)
                      -> Result<boost::json::object> {
                    BL_ASSIGN_OR_RETURN(auto req, protocol::ReservationRelease::FromJson(m));
                    return s->Release(sender, id, req);
                  });
  }, {.max_body_bytes = kMaxBodyBytes});
  router.Post(protocol::kInventoryPath, [s](const Request& r) {
    return Sealed(*s, r, protocol::kInventoryRequestType, protocol::kInventoryType,
                  [s](std::string_view, const boost::json::object& m)
                      -> Result<boost::json::object> {
                    Result<protocol::InventoryRequest> req = protocol::InventoryRequest::FromJson(m);
                    if (!req.ok()) return req.status();
                    return s->Inventory().ToJson();
                  });
  }, {.max_body_bytes = kMaxBodyBytes});
  router.Post(protocol::kDeliveryRequestsPath, [s](const Request& r) {
    return Sealed(*s, r, protocol::kDeliveryRequestType, protocol::kDeliveryAckType,
                  [s](std::string_view sender, const boost::json::object& m)
                      -> Result<boost::json::object> {
                    BL_ASSIGN_OR_RETURN(auto req, protocol::DeliveryRequest::FromJson(m));
                    return s->RequestDelivery(sender, req);
                  });
  }, {.max_body_bytes = kMaxBodyBytes});
}

void RegisterSigned(http::Router& router, ClearinghouseService* s) {
  router.Post(protocol::kDeliveriesPath, [s](const Request& r) {
    return Signed(*s, r, [s](const std::string& node, const boost::json::value& body)
                             -> Result<boost::json::object> {
      BL_ASSIGN_OR_RETURN(auto req, protocol::DeliveryClaimRequest::FromJson(body));
      BL_ASSIGN_OR_RETURN(protocol::DeliveryClaim claim, s->Claim(node, req));
      return claim.ToJson();
    });
  }, {.max_body_bytes = kMaxBodyBytes});
  router.Post("/v1/deliveries/{id}/complete", [s](const Request& r) {
    return Signed(*s, r, [s, &r](const std::string& node, const boost::json::value& body)
                             -> Result<boost::json::object> {
      BL_ASSIGN_OR_RETURN(Id id, PathId(r));
      BL_ASSIGN_OR_RETURN(auto req, protocol::CompletionRequest::FromJson(body));
      BL_RETURN_IF_ERROR(s->Complete(node, id, req));
      return boost::json::object{{"delivery_id", id.ToBase32()}, {"status", "completed"}};
    });
  }, {.max_body_bytes = kMaxBodyBytes});
  router.Post("/v1/deliveries/{id}/abort", [s](const Request& r) {
    return Signed(*s, r, [s, &r](const std::string& node, const boost::json::value& body)
                             -> Result<boost::json::object> {
      BL_ASSIGN_OR_RETURN(Id id, PathId(r));
      BL_ASSIGN_OR_RETURN(protocol::JsonReader reader, protocol::JsonReader::Of(body, "abort"));
      BL_ASSIGN_OR_RETURN(Id body_id, reader.GetId("delivery_id"));
      if (body_id != id) {
        return InvalidArgument("delivery_id in the body is not the one in the path");
      }
      BL_RETURN_IF_ERROR(s->Abort(node, id));
      return boost::json::object{{"delivery_id", id.ToBase32()}, {"status", "aborted"}};
    });
  }, {.max_body_bytes = kMaxBodyBytes});
}

}  // namespace

void RegisterClearinghouseRoutes(http::Router& router, ClearinghouseService& service) {
  ClearinghouseService* s = &service;
  router.Get(protocol::kKeysPath, [s](const Request&) {
    const protocol::PublicKeys& keys = s->identity().public_keys();
    return Json({{"ed25519", Base64UrlEncode(keys.ed25519)},
                 {"x25519", Base64UrlEncode(keys.x25519)}});
  });
  RegisterSealed(router, s);
  RegisterSigned(router, s);
}

}  // namespace backline::clearinghouse
