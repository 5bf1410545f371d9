// Feeds arbitrary bytes, as if read from a socket, through the HTTP server's
// connection logic with no socket (HandleRawForTesting): the Beast parser,
// header and body limits, target decoding, the router, the handlers below
// (JSON parsing, streamed bodies) and the response writer.
//
// Beyond "no crash", it checks that whatever the server writes begins with a
// status line: garbage in must never become garbage out.
#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "base/random.h"
#include "http/error.h"
#include "http/json.h"
#include "http/router.h"
#include "http/server.h"

namespace {

using namespace backline::http;  // NOLINT(google-build-using-namespace)

Router MakeRouter() {
  Router r;
  r.Get("/orders/{id}", [](const Request& req) {
    return JsonResponse(
        {{"id", req.PathParam("id")}, {"q", req.Query("q").value_or("")}, {"n", req.query.size()}});
  });
  r.Post("/orders",
         [](const Request& req) {
           backline::Result<boost::json::object> o = ParseJsonObjectBody(req);
           if (!o.ok()) return ErrorResponse(o.status());
           return JsonResponse(201, *o);
         },
         {.max_body_bytes = 4096});
  r.Put("/ledger/entries/{start}/{end}", [](const Request& req) {
    return Response::Text(
        200, std::string(req.PathParam("start")) + ".." + std::string(req.PathParam("end")));
  });
  r.Get("/content/{path...}", [](const Request& req) {
    bool chunked = req.Query("chunked").has_value();
    return Response::Stream(200, std::make_unique<StringBodySource>(
                                     std::string(req.PathParam("path")) + req.body, chunked));
  });
  r.Delete("/orders/{id}", [](const Request&) { return Response::Empty(204); });
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Router router = [] {
    spdlog::set_level(spdlog::level::off);
    return MakeRouter();
  }();
  static backline::DeterministicRandom random(1);
  static const ServerOptions options = [] {
    ServerOptions o;
    o.name = "fuzz";
    o.max_header_bytes = 4096;
    o.stream_chunk_bytes = 256;
    o.random = &random;
    return o;
  }();
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  std::string out = HandleRawForTesting(router, raw, options);
  if (!out.empty() && !out.starts_with("HTTP/1.")) std::abort();
  return 0;
}
