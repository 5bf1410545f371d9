// The payment authority's HTTP routes (docs/protocol.md section 3 has the
// exact bodies):
//
//   POST /v1/authorizations                  201 authorization | 402 decline
//   GET  /v1/authorizations?merchant_id=M&idempotency_key=K
//                                            200 authorization K created | 404
//   GET  /v1/authorizations/{id}?merchant_id=M   200 authorization
//   POST /v1/authorizations/{id}/capture     200 authorization
//   POST /v1/authorizations/{id}/void        200 authorization
//   POST /v1/authorizations/{id}/refunds     201 refund
//   GET  /v1/keys                            200 {"ed25519":"..."}
//
// Every POST needs an Idempotency-Key header (400 naming it when missing); a
// replayed answer is byte-identical to the first and carries
// "Idempotent-Replayed: true". Errors use the standard JSON error body; a
// decline adds "decline_code". Responses carry Cache-Control: no-store.
//
// The handlers only parse, call the service and send: all rules live in
// PaymentService. They block their server thread for one database commit.
//
// Thread-safety: the service is borrowed by the handlers and must outlive
// the router and any server it is moved into.
#pragma once

#include <cstdint>

#include "http/router.h"
#include "payment/payment_service.h"

namespace backline::payment {

// Per-route body limits (413 beyond them).
inline constexpr uint64_t kAuthorizeMaxBodyBytes = uint64_t{8} * 1024;
inline constexpr uint64_t kOperationMaxBodyBytes = uint64_t{2} * 1024;

void RegisterPaymentRoutes(http::Router& router, PaymentService& service);

}  // namespace backline::payment
