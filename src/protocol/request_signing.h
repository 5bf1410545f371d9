// RFC 9421 HTTP Message Signatures for the protocol's signed requests, on
// crypto/http_signature.h. docs/protocol.md sections 5 and 6 are the contract.
//
// (a) The buyer's download request (label "dl"):
//   Buyer-X25519: <b64u X25519 public key>
//   Signature-Input: dl=("@method" "@target-uri" "buyer-x25519");created=<now>;
//                    keyid="<b64u Ed25519 public key>";alg="ed25519"
//   Signature: dl=:<base64>:
//
//   // buyer
//   BL_ASSIGN_OR_RETURN(auto headers, SignDownloadRequest(url, identity, clock));
//   for (auto& [name, value] : headers) request.headers.Set(name, value);
//
//   // delivery node (target_uri: the absolute URI the buyer used, e.g. the
//   // node's public base URL + request.target)
//   BL_ASSIGN_OR_RETURN(PublicKeys buyer, VerifyDownloadRequest(
//       {.method = req.method, .target_uri = uri, .headers = FieldsOf(req.headers)}, clock));
//   if (!BindingMatches(buyer, Base64UrlEncode(token_claims.binding))) -> 403
//
// (b) Service requests between roles (delivery node -> clearinghouse), label
//     "svc", keyid = the signer's configured name ("delivery-1"):
//   Content-Digest: sha-256=:<base64 SHA-256 of the body>:      (RFC 9530)
//   Signature-Input: svc=("@method" "@target-uri" "content-digest");created=<now>;
//                    keyid="delivery-1";alg="ed25519"
//   Signature: svc=:<base64>:
//
//   BL_ASSIGN_OR_RETURN(auto headers, SignServiceRequest("POST", url, body,
//       identity.ed25519(), "delivery-1", clock));
//   // clearinghouse
//   BL_ASSIGN_OR_RETURN(std::string node, VerifyServiceRequest(
//       {.method = ..., .target_uri = ..., .headers = ..., .body = req.body},
//       nodes_by_name, clock));
//
// Errors of the verifiers:
//   kInvalidArgument  malformed Signature-Input / Signature / Buyer-X25519 /
//                     Content-Digest, or a keyid that is not a key
//   kUnauthenticated  missing or bad signature, stale (older than max_age) or
//                     from the future (more than 60 s), a required component not
//                     covered, unknown service key, Content-Digest that does
//                     not match the body
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/status.h"
#include "crypto/ed25519.h"
#include "crypto/http_signature.h"
#include "protocol/identity.h"

namespace backline::protocol {

inline constexpr std::string_view kBuyerX25519Header = "Buyer-X25519";
inline constexpr std::string_view kContentDigestHeader = "Content-Digest";
inline constexpr std::string_view kDownloadSignatureLabel = "dl";
inline constexpr std::string_view kServiceSignatureLabel = "svc";
inline constexpr std::chrono::seconds kDefaultSignatureMaxAge{300};

// A header field to add to (or as read from) a request.
using HeaderField = std::pair<std::string, std::string>;

// A received request as the verifiers need it.
struct SignedRequest {
  std::string method;      // "GET"
  std::string target_uri;  // absolute: "http://host:port/v1/downloads/abc?token=v4..."
  std::vector<HeaderField> headers;
  std::string_view body{};  // service requests: the body as received (not owned)
};

// ---- (a) download requests ------------------------------------------------------

// Headers for a signed GET of `url`: Buyer-X25519, Signature-Input, Signature.
// kInvalidArgument for a URL that is not absolute.
Result<std::vector<HeaderField>> SignDownloadRequest(std::string_view url, const Identity& buyer,
                                                     const Clock& clock);

// Verifies the "dl" signature at clock.Now() and returns the buyer's keys:
// Ed25519 from keyid, X25519 from the (signed) Buyer-X25519 header.
Result<PublicKeys> VerifyDownloadRequest(const SignedRequest& request, const Clock& clock,
                                         std::chrono::seconds max_age = kDefaultSignatureMaxAge);

// ---- (b) service requests ---------------------------------------------------------

// "sha-256=:<base64>:" (RFC 9530) for `body`.
std::string ContentDigest(ByteSpan body);
// OK iff `field` (a Content-Digest value) has a sha-256 member equal to the
// SHA-256 of `body`; other algorithms are ignored. kInvalidArgument when
// malformed or without sha-256, kUnauthenticated on a mismatch.
Status CheckContentDigest(std::string_view field, ByteSpan body);

// Headers for a signed request with `body`: Content-Digest, Signature-Input,
// Signature. `keyid` is the signer's name as its peers configure it.
Result<std::vector<HeaderField>> SignServiceRequest(std::string_view method, std::string_view url,
                                                    ByteSpan body,
                                                    const crypto::Ed25519KeyPair& key,
                                                    std::string_view keyid, const Clock& clock);

// Verifies the "svc" signature and the Content-Digest against the body;
// returns the authenticated keyid. `lookup` maps a keyid to its key (NotFound:
// unknown signer, reported as kUnauthenticated).
Result<std::string> VerifyServiceRequest(const SignedRequest& request,
                                         const crypto::Ed25519KeyLookup& lookup, const Clock& clock,
                                         std::chrono::seconds max_age = kDefaultSignatureMaxAge);

}  // namespace backline::protocol
