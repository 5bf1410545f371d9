#include "delivery/download_check.h"

#include "base/bytes.h"
#include "protocol/json_fields.h"

namespace backline::delivery {

std::string TargetUri(std::string_view public_url, std::string_view request_target) {
  while (!public_url.empty() && public_url.back() == '/') public_url.remove_suffix(1);
  std::string uri(public_url);
  uri += request_target;
  return uri;
}

Result<VerifiedDownload> CheckDownloadRequest(const DownloadRequest& request,
                                              const DownloadCheckOptions& options,
                                              const Clock& clock) {
  Result<Id> transaction_id = protocol::ParseId(request.transaction_id);
  if (!transaction_id.ok()) {
    return InvalidArgument("download: the transaction id in the path is not a valid id: " +
                           transaction_id.status().message());
  }
  if (!request.token.has_value() || request.token->empty()) {
    return InvalidArgument("download: missing query parameter \"token\" (the delivery token)");
  }
  // The buyer's signature first: it is cheap to check and says who is asking.
  Result<protocol::PublicKeys> buyer = protocol::VerifyDownloadRequest(
      request.signed_request, clock, options.max_signature_age);
  if (!buyer.ok()) return buyer.status().WithContext("download request signature");

  Result<protocol::DeliveryTokenClaims> claims =
      protocol::VerifyDeliveryToken(*request.token, options.clearinghouse_ed25519, clock,
                                    {.transaction_id = *transaction_id});
  if (!claims.ok()) return claims.status().WithContext("delivery token");

  if (!protocol::BindingMatches(*buyer, Base64UrlEncode(claims->binding))) {
    return PermissionDenied(
        "download: the request is signed by keys that are not the ones this purchase is bound "
        "to");
  }
  return VerifiedDownload{.transaction_id = *transaction_id,
                          .token = std::string(*request.token),
                          .buyer = *buyer,
                          .claims = *std::move(claims)};
}

std::string ContentPath(std::string_view content_dir, const crypto::Sha256Digest& digest) {
  std::string hex = HexEncode(digest);
  std::string path(content_dir);
  if (!path.empty() && path.back() != '/') path += '/';
  path += hex.substr(0, 2);
  path += '/';
  path += hex;
  return path;
}

}  // namespace backline::delivery
