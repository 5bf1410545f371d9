#include "delivery/clearinghouse_client.h"

#include <boost/json/object.hpp>
#include <utility>

#include "http/error.h"
#include "protocol/json_fields.h"
#include "protocol/request_signing.h"

namespace backline::delivery {

std::string AbortPath(const Id& delivery_id) {
  return std::string(protocol::kDeliveriesPath) + "/" + delivery_id.ToBase32() + "/abort";
}

std::string AbortBody(const Id& delivery_id, const Id& transaction_id) {
  boost::json::object body;
  body["delivery_id"] = delivery_id.ToBase32();
  body["transaction_id"] = transaction_id.ToBase32();
  return protocol::SerializeJson(body);
}

bool IsCompletionAcknowledged(const http::ClientResponse& response) {
  if (response.ok()) return true;
  return response.status == 409 && response.ToStatus().code() == StatusCode::kAlreadyExists;
}

ClearinghouseClient::ClearinghouseClient(std::string base_url, std::string node_id,
                                         const crypto::Ed25519KeyPair& key, const Clock& clock,
                                         http::Client& client)
    : base_url_(std::move(base_url)),
      node_id_(std::move(node_id)),
      key_(key),
      clock_(clock),
      client_(client) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

Result<http::ClientRequest> ClearinghouseClient::SignedPost(std::string_view path,
                                                            std::string body) const {
  std::string url = base_url_ + std::string(path);
  BL_ASSIGN_OR_RETURN(std::vector<protocol::HeaderField> headers,
                      protocol::SignServiceRequest("POST", url, AsBytes(body), key_, node_id_,
                                                   clock_));
  http::ClientRequest request = http::ClientRequest::Json("POST", std::move(url), std::move(body));
  for (auto& [name, value] : headers) request.headers.Set(std::move(name), std::move(value));
  return request;
}

boost::asio::awaitable<Result<protocol::DeliveryClaim>> ClearinghouseClient::Claim(
    const protocol::DeliveryClaimRequest& claim) {
  Result<http::ClientRequest> request =
      SignedPost(protocol::kDeliveriesPath, protocol::SerializeJson(claim.ToJson()));
  if (!request.ok()) co_return request.status();
  request->headers.Set("Idempotency-Key", claim.request_id.ToBase32());
  Result<http::ClientResponse> response = co_await client_.Send(*std::move(request));
  if (!response.ok()) {
    co_return Unavailable("the clearinghouse did not answer the download slot request: " +
                          response.status().message());
  }
  if (response->ok()) {
    Result<boost::json::object> body = protocol::ParseJsonObject(response->body, "delivery-claim");
    if (!body.ok()) {
      co_return Unavailable("the clearinghouse's slot answer: " + body.status().message());
    }
    co_return protocol::DeliveryClaim::FromJson(*body);
  }
  Status status = response->ToStatus();
  if (response->status == 401) {
    co_return Internal(
        "the clearinghouse does not accept this delivery node's signature (check delivery.id "
        "and this node's key in the clearinghouse's configuration)");
  }
  if (response->status >= 500 || response->status < 400) {
    co_return Unavailable("the clearinghouse could not grant a download slot: " +
                          status.message());
  }
  co_return status;  // 400, 403 (download limit), 404, 409: the buyer's to see
}

Result<http::ClientResponse> ClearinghouseClient::PostBlocking(std::string_view path,
                                                               std::string body) {
  BL_ASSIGN_OR_RETURN(http::ClientRequest request, SignedPost(path, std::move(body)));
  return client_.SendBlocking(std::move(request));
}

}  // namespace backline::delivery
