// The delivery node's HTTP API (docs/protocol.md section 5):
//
//   GET /v1/downloads/{transaction_id}?token=<delivery token>
//       signed by the buyer (RFC 9421, label "dl"); 200 with the product as
//       one RFC 8188 stream: Content-Type application/octet-stream,
//       Content-Encoding aes128gcm, exact Content-Length, Cache-Control
//       no-store. Errors: the JSON error body with 400 (malformed), 401
//       (signature missing, bad or stale; token bad or expired), 403 (another
//       transaction's token, keys not matching the binding, download limit
//       reached at the clearinghouse), 404 (content not on this node), 503
//       (clearinghouse unavailable).
//
// The response's on_complete hands the outcome to DeliveryService::Finish.
//
// Thread-safety: the service must outlive the router and the server.
#pragma once

#include "delivery/delivery_service.h"
#include "http/router.h"

namespace backline::delivery {

// "/v1/downloads/{transaction_id}"
inline constexpr std::string_view kDownloadRoute = "/v1/downloads/{transaction_id}";

void RegisterDeliveryRoutes(http::Router& router, DeliveryService& service);

}  // namespace backline::delivery
