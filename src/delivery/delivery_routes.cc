#include "delivery/delivery_routes.h"

#include <string>
#include <utility>
#include <vector>

#include "http/error.h"

namespace backline::delivery {
namespace {

using http::Request;
using http::Response;

Response Error(const Status& status) {
  Response response = http::ErrorResponse(status);
  response.headers.Set("Cache-Control", "no-store");
  return response;
}

boost::asio::awaitable<Response> Download(DeliveryService& service, const Request& request) {
  std::vector<protocol::HeaderField> fields;
  fields.reserve(request.headers.size());
  for (const auto& [name, value] : request.headers) fields.emplace_back(name, value);
  DownloadRequest download{
      .transaction_id = request.PathParam("transaction_id"),
      .token = request.Query("token"),
      .signed_request = {.method = request.method,
                         .target_uri = TargetUri(service.options().public_url, request.target),
                         .headers = std::move(fields)}};
  Result<StartedDownload> started = co_await service.Begin(download);
  if (!started.ok()) co_return Error(started.status());

  Response response = Response::Stream(200, std::move(started->body), "application/octet-stream");
  response.headers.Set("Content-Encoding", "aes128gcm");
  response.headers.Set("Cache-Control", "no-store");
  response.on_complete = [&service, outcome = started->outcome](const Status& sent) {
    service.Finish(outcome, sent);
  };
  co_return response;
}

}  // namespace

void RegisterDeliveryRoutes(http::Router& router, DeliveryService& service) {
  // A GET has no body; refuse a large one early.
  router.Get(
      kDownloadRoute,
      [&service](const Request& request) -> boost::asio::awaitable<Response> {
        Response response = co_await Download(service, request);
        co_return response;
      },
      {.max_body_bytes = 1024});
}

}  // namespace backline::delivery
