// ClearinghouseClient: the delivery node's signed calls to the clearinghouse
// (docs/protocol.md section 6). Every call is a POST signed by the node's
// Ed25519 key with RFC 9421 over @method, @target-uri and an RFC 9530
// Content-Digest, keyid = the node's configured name (delivery.id).
//
//   POST /v1/deliveries                  claim a download slot (Claim)
//   POST /v1/deliveries/{id}/complete    after the last byte (from the outbox)
//   POST /v1/deliveries/{id}/abort       a stream was cut short (best effort)
//
// The abort endpoint is not in docs/protocol.md yet: its body is
// {"delivery_id","transaction_id"}; without it the lease expires on its own.
//
// Thread-safety: safe from any number of threads and coroutines. The key,
// clock and http::Client are borrowed and must outlive this object.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/id.h"
#include "base/status.h"
#include "crypto/ed25519.h"
#include "http/client.h"
#include "protocol/messages.h"

namespace backline::delivery {

// "/v1/deliveries/<id>/abort"
std::string AbortPath(const Id& delivery_id);
// {"delivery_id","transaction_id"}
std::string AbortBody(const Id& delivery_id, const Id& transaction_id);

// Whether a response to a completion means the clearinghouse has it: any
// 2xx, or 409 ALREADY_EXISTS (a retry of a completion it already recorded).
bool IsCompletionAcknowledged(const http::ClientResponse& response);

class ClearinghouseClient {
 public:
  // `base_url`: "http://127.0.0.1:8083", no trailing slash needed.
  ClearinghouseClient(std::string base_url, std::string node_id, const crypto::Ed25519KeyPair& key,
                      const Clock& clock, http::Client& client);

  // A POST of `body` to base_url + path, signed now.
  Result<http::ClientRequest> SignedPost(std::string_view path, std::string body) const;

  // Claims a slot. The request's request_id doubles as Idempotency-Key, so
  // the client retries it safely. Errors as the buyer should see them:
  // the clearinghouse's 400/403/404/409 pass through with their message
  // (403 PERMISSION_DENIED "download limit of N reached"); its 5xx or no
  // answer is kUnavailable; its 401 (it does not accept this node) is
  // kInternal naming the settings to check.
  boost::asio::awaitable<Result<protocol::DeliveryClaim>> Claim(
      const protocol::DeliveryClaimRequest& request);

  // One signed POST, blocking (not from a coroutine): the response, or the
  // transport error.
  Result<http::ClientResponse> PostBlocking(std::string_view path, std::string body);

  const std::string& base_url() const { return base_url_; }

 private:
  std::string base_url_;
  std::string node_id_;
  const crypto::Ed25519KeyPair& key_;
  const Clock& clock_;
  http::Client& client_;
};

}  // namespace backline::delivery
