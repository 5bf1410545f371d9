// The merchant's HTTP routes (docs/protocol.md section 1 has the bodies):
//
//   GET  /v1/catalog                        200 {"merchant_id","products":[...]}
//   POST /v1/orders                         201 order | 202 unfinished | 4xx/5xx error
//   GET  /v1/orders/{id}                    200 order (+ "error" once failed/voided)
//   POST /v1/orders/{id}/delivery-request   200 {"order_id","transaction_id","download_url"}
//   GET  /v1/keys                           200 {"ed25519","x25519"}
//
// POST /v1/orders needs an Idempotency-Key header (400 naming it when missing
// or malformed). A failed or voided order is answered with its error (a
// decline is 402 PAYMENT_DECLINED with the authority's message), also on
// replay. The handlers only parse, call MerchantService and send.
//
// Thread-safety: the service is borrowed and must outlive the router and any
// server it is moved into.
#pragma once

#include <cstdint>

#include "http/router.h"
#include "merchant/merchant_service.h"
#include "protocol/identity.h"

namespace backline::merchant {

inline constexpr uint64_t kOrderMaxBodyBytes = uint64_t{16} * 1024;
inline constexpr uint64_t kSmallMaxBodyBytes = uint64_t{1} * 1024;

void RegisterMerchantRoutes(http::Router& router, MerchantService& service,
                            const protocol::PublicKeys& keys);

}  // namespace backline::merchant
