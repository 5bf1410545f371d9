// Node: one Backline process hosting one or more roles behind one HTTP
// server. `backline serve ROLE...` and `backline demo` both start a Node.
//
// The node's own server (http.port) serves GET / (a status page listing its
// roles), GET /status (the same as JSON), /healthz and /metrics. A node with
// one role serves that role's API on the same port; a node with several
// (`backline demo`) gives each role its own server and port, still talking to
// the others over HTTP.
//
// Settings read from Config (all optional):
//   data_dir (backline-data): each role's <role>.data_dir defaults to
//     <data_dir>/<role>, created with mode 0700.
//   <role>.port: the role's own port; by default http.port + 1 + the role's
//     index in KnownRoles() (merchant 8081, payment 8082, ...), or a free
//     port when http.port is 0.
//   <role>.public_url: the role's base URL as others reach it; by default
//     http://<http.host>:<its port>.
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
#include "base/random.h"
#include "base/status.h"

namespace backline::node {

struct RoleInfo {
  std::string_view name;     // "merchant"
  std::string_view title;    // "Merchant storefront"
  std::string_view summary;  // one sentence
  std::string_view claims;   // "1, 10, 13-15, ..."
};

// A role as this node runs it.
struct RoleStatus {
  RoleInfo info;
  std::string url;    // its base URL; empty when not implemented yet
  bool implemented = false;
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
                                             Clock& clock = SystemClock::Instance(),
                                             RandomSource& random = SystemRandom::Instance());
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  uint16_t port() const;
  std::string BaseUrl() const;  // "http://127.0.0.1:8080"
  const std::vector<RoleStatus>& roles() const;
  // The base URL of hosted role `name`, or "" if this node does not run it.
  std::string RoleUrl(std::string_view name) const;

  // Graceful: requests in flight finish for up to `grace`. Idempotent.
  void Stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

 private:
  struct Impl;
  explicit Node(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The HTML status page for `roles`, served at GET /. Self-contained: no
// script, no outside asset.
std::string RenderStatusPage(const std::vector<RoleStatus>& roles, std::string_view started_at);

}  // namespace backline::node
