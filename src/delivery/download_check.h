// The delivery node's decision on a buyer's download request, as pure logic
// (docs/protocol.md section 5): no HTTP, no files, no clearinghouse.
//
//   DownloadCheckOptions options{.clearinghouse_ed25519 = key, .max_signature_age = 300s};
//   Result<VerifiedDownload> ok = CheckDownloadRequest(
//       {.transaction_id = path_param, .token = query_token,
//        .signed_request = {.method = "GET", .target_uri = TargetUri(public_url, target),
//                           .headers = fields}},
//       options, clock);
//
// What it checks, in this order, and what each failure is:
//   transaction id in the path is a canonical id     kInvalidArgument (400)
//   the ?token= query parameter is present             kInvalidArgument (400)
//   the RFC 9421 "dl" signature over @method,
//     @target-uri, buyer-x25519 with the key in keyid  kUnauthenticated (401),
//                                                      kInvalidArgument for malformed fields
//   its `created` is at most max_signature_age old     kUnauthenticated (401)
//   the token: clearinghouse signature, audience,
//     expiry                                           kUnauthenticated (401)
//   the token's sub is this transaction                kPermissionDenied (403)
//   binding(keyid, Buyer-X25519) == token binding      kPermissionDenied (403)
// The download limit is not checked here: it is the clearinghouse's, claimed
// by the routes after this succeeds.
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/id.h"
#include "base/status.h"
#include "crypto/ed25519.h"
#include "crypto/hash.h"
#include "protocol/identity.h"
#include "protocol/messages.h"
#include "protocol/request_signing.h"

namespace backline::delivery {

struct DownloadCheckOptions {
  crypto::Ed25519PublicKey clearinghouse_ed25519{};  // verifies delivery tokens
  std::chrono::seconds max_signature_age = protocol::kDefaultSignatureMaxAge;
};

// A buyer's GET /v1/downloads/{transaction_id}?token=... as received.
struct DownloadRequest {
  std::string_view transaction_id;         // the path segment, decoded
  std::optional<std::string_view> token;   // the `token` query parameter
  protocol::SignedRequest signed_request;  // target_uri: see TargetUri
};

// What a request that passed every check asks for.
struct VerifiedDownload {
  Id transaction_id;
  std::string token;
  protocol::PublicKeys buyer;
  protocol::DeliveryTokenClaims claims;
};

// The absolute @target-uri the buyer signed: the node's configured public
// base URL (no trailing slash) followed by the raw request target.
std::string TargetUri(std::string_view public_url, std::string_view request_target);

Result<VerifiedDownload> CheckDownloadRequest(const DownloadRequest& request,
                                              const DownloadCheckOptions& options,
                                              const Clock& clock);

// Where the content store keeps the file of SHA-256 `digest`:
// <content_dir>/<hex[0:2]>/<hex>, hex lowercase.
std::string ContentPath(std::string_view content_dir, const crypto::Sha256Digest& digest);

}  // namespace backline::delivery
