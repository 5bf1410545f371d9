// Node: one Backline process hosting one or more roles behind one HTTP
// server. `backline serve ROLE...` and `backline demo` both start a Node.
//
// Today a Node serves GET / (a status page listing its roles), GET /status
// (the same as JSON), /healthz and /metrics; the roles themselves attach
// their routes here as they are built (issues 3 onwards).
//
// Settings read from Config (all optional):
//   http.host (127.0.0.1), http.port (8080; 0 picks a free port),
//   http.threads (2), http.max_connections (1024), http.max_header_bytes
//   (16KiB), http.header_timeout (10s), http.body_timeout (60s),
//   http.idle_timeout (60s), http.write_stall_timeout (30s).
//
// Thread-safety: Start and Stop from the main thread; the server runs on its
// own threads.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/config.h"
#include "base/status.h"

namespace backline::node {

struct RoleInfo {
  std::string_view name;     // "merchant"
  std::string_view title;    // "Merchant storefront"
  std::string_view summary;  // one sentence
  std::string_view claims;   // "1, 10, 13-15, ..."
};

// Every role Backline knows, in protocol order.
const std::vector<RoleInfo>& KnownRoles();
// The role named `name`, or NOT_FOUND listing the known names.
Result<RoleInfo> FindRole(std::string_view name);

class Node {
 public:
  // Validates `roles` (known, no duplicates, at least one) and the http.*
  // settings, then listens. Errors name the bad role or setting.
  static Result<std::unique_ptr<Node>> Start(const Config& config,
                                             const std::vector<std::string>& roles,
                                             Clock& clock = SystemClock::Instance());
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  uint16_t port() const;
  std::string BaseUrl() const;  // "http://127.0.0.1:8080"
  const std::vector<RoleInfo>& roles() const;

  // Graceful: requests in flight finish for up to `grace`. Idempotent.
  void Stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

 private:
  struct Impl;
  explicit Node(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The HTML status page for `roles`, served at GET /. Self-contained: no
// script, no outside asset.
std::string RenderStatusPage(const std::vector<RoleInfo>& roles, std::string_view started_at);

}  // namespace backline::node
