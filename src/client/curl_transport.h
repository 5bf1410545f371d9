// CurlTransport: HttpTransport on libcurl's easy interface, one easy handle
// per request.
//
// Deliberate settings: no redirects are followed (a download URL is signed
// as given; a redirect would be a different request), no Content-Encoding is
// decoded (the download body is aes128gcm and must reach the decoder as
// sent), only http and https, no signals (safe in threaded programs).
//
// Thread-safety: a CurlTransport holds no per-request state; distinct
// requests may run on distinct threads. libcurl's global initialisation runs
// once, on first construction.
#pragma once

#include "client/transport.h"

namespace backline::client {

class CurlTransport final : public HttpTransport {
 public:
  CurlTransport();
  Result<HttpResponse> Send(const HttpRequest& request) override;
  Status Stream(const HttpRequest& request, ResponseSink& sink) override;
};

}  // namespace backline::client
