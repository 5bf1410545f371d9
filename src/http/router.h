// Router: maps a method and a path to a handler.
//
//   Router router;
//   router.Get("/orders/{id}", [&](const Request& r) { return ShowOrder(r.PathParam("id")); });
//   router.Post("/orders", [&](const Request& r) -> boost::asio::awaitable<Response> {
//     auto reply = co_await clearinghouse.Send(...);   // a coroutine handler
//     co_return JsonResponse(201, ...);
//   }, {.max_body_bytes = 64 * 1024});
//
// Patterns are '/'-separated segments; a segment is literal text, "{name}"
// (exactly one non-empty segment) or, as the last segment only, "{name...}"
// (one or more segments, joined with '/'). Matching works on percent-decoded
// segments, so "/files/a%2Fb" has the single segment "a/b". Literal segments
// win over parameters, parameters over a tail: "/orders/new" beats
// "/orders/{id}" for "/orders/new" whatever the order of registration.
// Trailing slashes are significant ("/orders/" has an empty last segment and
// does not match "/orders").
//
// A path that matches some route but not for this method gives 405 with the
// allowed methods; a path that matches none gives 404. HEAD is served by the
// GET handler (the server drops the body) unless a HEAD route exists.
//
// Handlers are plain functions or coroutines. The Request outlives the
// handler's coroutine, so taking it by const reference is safe. A coroutine
// handler runs on the connection's strand and may co_await anything on that
// executor (Client::Send, timers); it must not block the thread for long.
// A handler that throws is answered with 500 INTERNAL (our code does not
// throw; this is the edge for libraries that do).
//
// Thread-safety: build the router before handing it to a Server; afterwards
// it is only read, from any thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "http/message.h"

namespace backline::http {

using AsyncHandler = std::function<boost::asio::awaitable<Response>(const Request&)>;
using SyncHandler = std::function<Response(const Request&)>;

struct RouteOptions {
  // A larger request body is refused with 413 PAYLOAD_TOO_LARGE before it is
  // read (Content-Length) or as soon as it passes the limit (chunked).
  uint64_t max_body_bytes = 1 << 20;
};

// One registered route. Exactly one of `async_handler` / `sync_handler` is set.
struct Route {
  std::string method;
  std::string pattern;
  RouteOptions options;
  AsyncHandler async_handler;
  SyncHandler sync_handler;
  std::vector<std::string> param_names;  // in pattern order
};

class Router {
 public:
  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  // Registers a route. INVALID_ARGUMENT for a malformed pattern or method,
  // ALREADY_EXISTS when the same method already has a route of the same shape
  // ("/a/{x}" and "/a/{y}" are the same shape).
  Status Add(std::string_view method, std::string_view pattern, AsyncHandler handler,
             RouteOptions options = {});
  Status Add(std::string_view method, std::string_view pattern, SyncHandler handler,
             RouteOptions options = {});

  // Shorthands that abort the process on an error: a bad route table is a
  // programming error, found the first time the binary starts.
  template <typename H>
  void Get(std::string_view pattern, H&& handler, RouteOptions options = {}) {
    AddOrDie("GET", pattern, std::forward<H>(handler), options);
  }
  template <typename H>
  void Post(std::string_view pattern, H&& handler, RouteOptions options = {}) {
    AddOrDie("POST", pattern, std::forward<H>(handler), options);
  }
  template <typename H>
  void Put(std::string_view pattern, H&& handler, RouteOptions options = {}) {
    AddOrDie("PUT", pattern, std::forward<H>(handler), options);
  }
  template <typename H>
  void Delete(std::string_view pattern, H&& handler, RouteOptions options = {}) {
    AddOrDie("DELETE", pattern, std::forward<H>(handler), options);
  }

  // Whether `method` already has a route with this exact pattern.
  bool Has(std::string_view method, std::string_view pattern) const;

  struct Match {
    enum Kind { kFound, kNotFound, kMethodNotAllowed };
    Kind kind = kNotFound;
    const Route* route = nullptr;                             // kFound; owned by the Router
    std::vector<std::pair<std::string, std::string>> params;  // kFound
    std::string allow;  // kMethodNotAllowed: "GET, HEAD, POST"
  };

  // Looks up already-decoded path segments ("/a/b" is {"a", "b"}; "/" is {}).
  Match Find(std::string_view method, std::span<const std::string> segments) const;
  // Convenience for tests: splits `path` on '/' without decoding.
  Match FindPath(std::string_view method, std::string_view path) const;

 private:
  struct Node;
  template <typename H>
  void AddOrDie(std::string_view method, std::string_view pattern, H&& handler,
                RouteOptions options) {
    Status s;
    if constexpr (std::is_constructible_v<SyncHandler, H&&>) {
      s = Add(method, pattern, SyncHandler(std::forward<H>(handler)), options);
    } else {
      s = Add(method, pattern, AsyncHandler(std::forward<H>(handler)), options);
    }
    if (!s.ok()) Die(s);
  }
  [[noreturn]] static void Die(const Status& status);
  Status AddRoute(Route route);

  std::vector<std::unique_ptr<Route>> routes_;
  std::unique_ptr<Node> root_;
};

}  // namespace backline::http
