// PaymentService: the payment authority's operations, with no HTTP. It ties
// the rules (card.h, authorization.h, idempotency.h) to the store
// (payment_store.h) and produces the exact answer bodies (payment_json.h), so
// the routes only parse and send.
//
//   PaymentService service(store, keys, clock, random, {.authorization_ttl = 7d});
//   Result<StoredAnswer> a = service.Authorize(request, "order-17-auth");
//   // a->code: kOk (body: the authorization) or kPaymentDeclined (body: the
//   // 402 error with decline_code); a->replayed when the key was seen before.
//
// Every mutating call takes the caller's Idempotency-Key (idempotency.h for
// the rules). Errors that change nothing come back as a Status and are not
// stored: kInvalidArgument (bad input, a capture above the authorized
// amount), kNotFound (no such authorization for this merchant), kConflict (a
// key reused with other parameters), kFailedPrecondition (the state forbids
// it: captured twice, expired, voided, refund above what was captured).
//
// Card numbers and CVCs are used to decide and to compute the fingerprint,
// then dropped; logs name authorizations, merchants, amounts and the last
// four digits only.
//
// Thread-safety: safe from any number of threads. Everything passed to the
// constructor is borrowed and must outlive the service; `random` is only used
// under the service's own lock, so it need not be thread-safe.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/random.h"
#include "base/status.h"
#include "crypto/ed25519.h"
#include "payment/authorization.h"
#include "payment/idempotency.h"
#include "payment/payment_keys.h"
#include "payment/payment_store.h"
#include "payment/requests.h"

namespace backline::payment {

struct PaymentOptions {
  // How long an authorization may be captured, and its token's lifetime.
  std::chrono::seconds authorization_ttl = std::chrono::hours(24 * 7);
};

class PaymentService {
 public:
  PaymentService(PaymentStore& store, const PaymentKeys& keys, const Clock& clock,
                 RandomSource& random, PaymentOptions options = {});

  // Validates (card first), screens the card, and on approval creates the
  // authorization and its signed token. Answer: kOk with the authorization
  // (EncodeAuthorization) or kPaymentDeclined with DeclineBody.
  Result<StoredAnswer> Authorize(const AuthorizeRequest& request, std::string_view idempotency_key);

  // Answer: kOk with the authorization after the operation.
  Result<StoredAnswer> Capture(std::string_view authorization_id, const AmountRequest& request,
                               std::string_view idempotency_key);
  Result<StoredAnswer> Void(std::string_view authorization_id, const VoidRequest& request,
                            std::string_view idempotency_key);
  // Answer: kOk with the refund (EncodeRefund).
  Result<StoredAnswer> Refund(std::string_view authorization_id, const AmountRequest& request,
                              std::string_view idempotency_key);

  // The authorization as it is now; kNotFound unless `merchant_id` owns it.
  Result<Authorization> GetAuthorization(std::string_view merchant_id,
                                         std::string_view authorization_id);

  // The authorization, as it is now, that `merchant_id`'s authorize request
  // with `idempotency_key` created: how a merchant that lost the answer (it
  // died while the request was in flight) finds out what happened.
  // kNotFound when the merchant never used the key, when its answer was a
  // decline (nothing is held), or when the key was used for another
  // operation; kInvalidArgument for a malformed merchant id or key.
  Result<Authorization> FindAuthorizationByKey(std::string_view merchant_id,
                                               std::string_view idempotency_key);

  const crypto::Ed25519PublicKey& public_key() const { return keys_.signing.public_key(); }
  const Clock& clock() const { return clock_; }

 private:
  std::string NewId();
  // OK for a well-formed id; kNotFound (not quoting the input) otherwise.
  static Status CheckAuthorizationId(std::string_view id);
  Result<StoredAnswer> Transition(Operation operation, std::string_view authorization_id,
                                  std::string_view merchant_id, int64_t amount,
                                  std::string_view idempotency_key);

  PaymentStore& store_;
  const PaymentKeys& keys_;
  const Clock& clock_;
  PaymentOptions options_;
  std::mutex random_mu_;
  RandomSource& random_;  // guarded by random_mu_
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace backline::payment
