#include "node/node.h"

#include <algorithm>

#include <boost/json.hpp>

#include "http/json.h"
#include "http/server.h"

namespace backline::node {
namespace {

const std::vector<RoleInfo> kRoles = {
    {"merchant", "Merchant storefront",
     "Takes purchase requests and payment data; shows the catalog at its own retail prices.",
     "1, 10, 13-15, 17, 19-23, 39-49"},
    {"payment", "Payment authority",
     "Authorizes, captures, voids and refunds; signs each authorization.", "13-16"},
    {"clearinghouse", "Clearinghouse",
     "Holds inventory at wholesale prices, binds transactions to the buyer's key, issues "
     "delivery tokens and keeps the tamper-evident purchase ledger.",
     "1-8, 10-12, 16-19, 39-40"},
    {"delivery", "Delivery node",
     "Verifies the buyer's signed request and streams the product encrypted to the buyer's key.",
     "1, 2, 9, 26-27"},
    {"licensing", "Licensing",
     "Verifies and decrypts purchase ledgers and apportions royalties.", "4-8"},
    {"rights", "Rights agent",
     "Receives aggregated sales reports and apportions them to its members.", "5"},
};

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

Result<http::ServerOptions> ServerOptionsFrom(const Config& config) {
  http::ServerOptions o;
  o.name = "node";
  BL_ASSIGN_OR_RETURN(int64_t threads, config.GetInt("http.threads", 2));
  if (threads < 1 || threads > 256) {
    return InvalidArgument("setting 'http.threads' must be between 1 and 256");
  }
  o.threads = static_cast<int>(threads);
  BL_ASSIGN_OR_RETURN(int64_t max_conn, config.GetInt("http.max_connections", 1024));
  if (max_conn < 1) return InvalidArgument("setting 'http.max_connections' must be positive");
  o.max_connections = static_cast<size_t>(max_conn);
  BL_ASSIGN_OR_RETURN(uint64_t header_bytes, config.GetBytes("http.max_header_bytes", 16 << 10));
  o.max_header_bytes = header_bytes;
  BL_ASSIGN_OR_RETURN(o.header_timeout, config.GetDuration("http.header_timeout", o.header_timeout));
  BL_ASSIGN_OR_RETURN(o.body_timeout, config.GetDuration("http.body_timeout", o.body_timeout));
  BL_ASSIGN_OR_RETURN(o.idle_timeout, config.GetDuration("http.idle_timeout", o.idle_timeout));
  BL_ASSIGN_OR_RETURN(o.write_stall_timeout,
                      config.GetDuration("http.write_stall_timeout", o.write_stall_timeout));
  return o;
}

}  // namespace

const std::vector<RoleInfo>& KnownRoles() { return kRoles; }

Result<RoleInfo> FindRole(std::string_view name) {
  for (const RoleInfo& r : kRoles) {
    if (r.name == name) return r;
  }
  std::string known;
  for (const RoleInfo& r : kRoles) {
    if (!known.empty()) known += ", ";
    known += r.name;
  }
  return NotFound("unknown role '" + std::string(name) + "' (known roles: " + known + ")");
}

std::string RenderStatusPage(const std::vector<RoleInfo>& roles, std::string_view started_at) {
  std::string html = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Backline node</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:48rem;padding:0 1rem;color:#1a1a1a;background:#fafafa}
h1{font-size:1.6rem;margin-bottom:.25rem}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.5rem;border-bottom:1px solid #ccc;vertical-align:top}
th{background:#eee}
a{color:#0645ad}
.muted{color:#555}
</style></head><body>
<main>
<h1>Backline node</h1>
<p class="muted">Started )";
  html += HtmlEscape(started_at);
  html += R"(. Health: <a href="/healthz">/healthz</a> &middot; Metrics: <a href="/metrics">/metrics</a> &middot; JSON: <a href="/status">/status</a></p>
<table>
<caption class="muted">Roles served by this process</caption>
<thead><tr><th scope="col">Role</th><th scope="col">What it does</th><th scope="col">Claims</th></tr></thead>
<tbody>
)";
  for (const RoleInfo& r : roles) {
    html += "<tr><td><strong>" + HtmlEscape(r.title) + "</strong><br><code>" +
            HtmlEscape(r.name) + "</code></td><td>" + HtmlEscape(r.summary) + "</td><td>" +
            HtmlEscape(r.claims) + "</td></tr>\n";
  }
  html += "</tbody></table>\n</main></body></html>\n";
  return html;
}

struct Node::Impl {
  std::vector<RoleInfo> roles;
  std::string host;
  std::unique_ptr<http::Server> server;
};

Node::Node(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Node::~Node() { Stop(std::chrono::milliseconds(0)); }

Result<std::unique_ptr<Node>> Node::Start(const Config& config,
                                          const std::vector<std::string>& roles, Clock& clock) {
  if (roles.empty()) return InvalidArgument("no role to serve: name at least one");
  auto impl = std::make_unique<Impl>();
  for (const std::string& name : roles) {
    BL_ASSIGN_OR_RETURN(RoleInfo role, FindRole(name));
    bool duplicate = std::any_of(impl->roles.begin(), impl->roles.end(),
                                 [&](const RoleInfo& r) { return r.name == role.name; });
    if (duplicate) return InvalidArgument("role '" + name + "' named twice");
    impl->roles.push_back(role);
  }
  BL_ASSIGN_OR_RETURN(http::ServerOptions options, ServerOptionsFrom(config));
  impl->host = config.GetString("http.host", "127.0.0.1");
  BL_ASSIGN_OR_RETURN(int64_t port, config.GetInt("http.port", 8080));
  if (port < 0 || port > 65535) return InvalidArgument("setting 'http.port' must be 0-65535");

  std::string started_at = FormatRfc3339(clock.Now());
  std::string page = RenderStatusPage(impl->roles, started_at);
  boost::json::array role_names;
  for (const RoleInfo& r : impl->roles) role_names.emplace_back(r.name);
  boost::json::object status{{"roles", role_names}, {"started_at", started_at}};

  http::Router router;
  router.Get("/", [page](const http::Request&) {
    return http::Response::Text(200, page, "text/html; charset=utf-8");
  });
  router.Get("/status",
             [status](const http::Request&) { return http::JsonResponse(200, status); });
  options.health_details = [role_names](boost::json::object& health) {
    health["roles"] = role_names;
  };
  impl->server = std::make_unique<http::Server>(std::move(router), std::move(options));
  BL_RETURN_IF_ERROR(impl->server->Listen(impl->host, static_cast<uint16_t>(port)));
  return std::unique_ptr<Node>(new Node(std::move(impl)));
}

uint16_t Node::port() const { return impl_->server->port(); }

std::string Node::BaseUrl() const {
  std::string host = impl_->host.find(':') != std::string::npos ? "[" + impl_->host + "]"
                                                                : impl_->host;
  return "http://" + host + ":" + std::to_string(port());
}

const std::vector<RoleInfo>& Node::roles() const { return impl_->roles; }

void Node::Stop(std::chrono::milliseconds grace) {
  if (impl_ && impl_->server) impl_->server->Stop(grace);
}

}  // namespace backline::node
