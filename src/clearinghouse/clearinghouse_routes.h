// The clearinghouse's HTTP routes (docs/protocol.md sections 2, 4 and 6):
//
//   GET  /v1/keys                          {"ed25519","x25519"}
//   POST /v1/reservations                  sealed reservation-request -> reservation
//   POST /v1/transactions/{id}/payment     sealed payment-request -> payment-ack
//   POST /v1/inventory                     sealed inventory-request -> inventory
//   POST /v1/delivery-requests             sealed delivery-request -> delivery-ack
//   POST /v1/deliveries                    signed (RFC 9421) claim -> DeliveryClaim
//   POST /v1/deliveries/{id}/complete      signed completion -> {"delivery_id","status"}
//   POST /v1/deliveries/{id}/abort         signed {"delivery_id"} -> {"delivery_id","status"}
//
// Handlers open/seal envelopes and verify service signatures, then call the
// service; errors are plain JSON error bodies (never sealed). They block a
// server thread for one database commit.
//
// Thread-safety: the service is borrowed and must outlive the router and any
// server it goes to.
#pragma once

#include <cstdint>

#include "clearinghouse/clearinghouse_service.h"
#include "http/router.h"

namespace backline::clearinghouse {

inline constexpr uint64_t kMaxBodyBytes = uint64_t{16} * 1024;

void RegisterClearinghouseRoutes(http::Router& router, ClearinghouseService& service);

}  // namespace backline::clearinghouse
