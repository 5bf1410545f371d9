#include "node/node.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <boost/json.hpp>

#include "http/json.h"
#include "http/server.h"
#include "node/roles.h"
#include "node/wiring.h"

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

std::string RenderStatusPage(const std::vector<RoleStatus>& roles, std::string_view started_at) {
  std::string html = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Backline node</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:52rem;padding:0 1rem;color:#1a1a1a;background:#fafafa}
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
<caption class="muted">Roles run by this process</caption>
<thead><tr><th scope="col">Role</th><th scope="col">What it does</th><th scope="col">Claims</th><th scope="col">Served at</th></tr></thead>
<tbody>
)";
  for (const RoleStatus& r : roles) {
    std::string where = r.implemented
                            ? "<a href=\"" + HtmlEscape(r.url) + "/healthz\">" + HtmlEscape(r.url) + "</a>"
                            : "<span class=\"muted\">not built yet</span>";
    html += "<tr><td><strong>" + HtmlEscape(r.info.title) + "</strong><br><code>" +
            HtmlEscape(r.info.name) + "</code></td><td>" + HtmlEscape(r.info.summary) +
            "</td><td>" + HtmlEscape(r.info.claims) + "</td><td>" + where + "</td></tr>\n";
  }
  html += "</tbody></table>\n</main></body></html>\n";
  return html;
}

namespace {

// Binds port 0 to learn a free port, then releases it. Roles need their own
// and their peers' URLs before their servers start; a port taken in between
// makes Listen fail loudly rather than silently misroute.
Result<uint16_t> ReserveFreePort(const std::string& host) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Unavailable(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  std::string ip = host == "localhost" ? "127.0.0.1" : host;
  if (inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1) {
    close(fd);
    return InvalidArgument("http.host '" + host + "' is not an IPv4 address");
  }
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    int err = errno;
    close(fd);
    return Unavailable("cannot find a free port on " + host + ": " + std::strerror(err));
  }
  close(fd);
  return ntohs(addr.sin_port);
}

std::string UrlOf(const std::string& host, uint16_t port) {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return "http://" + h + ":" + std::to_string(port);
}

size_t IndexOf(std::string_view name) {
  const auto& all = KnownRoles();
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].name == name) return i;
  }
  return all.size();
}

Status MakePrivateDir(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Unavailable("cannot create " + path + ": " + ec.message());
  ::chmod(path.c_str(), 0700);
  return Status::Ok();
}

}  // namespace

struct Node::Impl {
  std::vector<RoleStatus> roles;
  std::string host;
  // Declared before the servers so that servers stop (and are destroyed)
  // before the roles their routes point into.
  std::vector<std::unique_ptr<HostedRole>> hosted;
  std::unique_ptr<http::Server> server;               // the node's own
  std::vector<std::unique_ptr<http::Server>> role_servers;
  bool stopped = false;
};

Node::Node(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Node::~Node() { Stop(std::chrono::milliseconds(0)); }

Result<std::unique_ptr<Node>> Node::Start(const Config& base_config,
                                          const std::vector<std::string>& roles, Clock& clock,
                                          RandomSource& random) {
  if (roles.empty()) return InvalidArgument("no role to serve: name at least one");
  auto impl = std::make_unique<Impl>();
  for (const std::string& name : roles) {
    BL_ASSIGN_OR_RETURN(RoleInfo role, FindRole(name));
    bool duplicate = std::any_of(impl->roles.begin(), impl->roles.end(),
                                 [&](const RoleStatus& r) { return r.info.name == role.name; });
    if (duplicate) return InvalidArgument("role '" + name + "' named twice");
    impl->roles.push_back({role, "", IsImplemented(role.name)});
  }
  Config config = base_config;
  BL_ASSIGN_OR_RETURN(http::ServerOptions options, ServerOptionsFrom(config));
  impl->host = config.GetString("http.host", "127.0.0.1");
  BL_ASSIGN_OR_RETURN(int64_t port, config.GetInt("http.port", 8080));
  if (port < 0 || port > 65535) return InvalidArgument("setting 'http.port' must be 0-65535");
  uint16_t node_port = static_cast<uint16_t>(port);
  if (node_port == 0) {
    BL_ASSIGN_OR_RETURN(node_port, ReserveFreePort(impl->host));
  }

  // Ports and URLs first: roles learn their own and their peers' at Create.
  bool shared = impl->roles.size() == 1;
  std::string data_dir = config.GetString("data_dir", "backline-data");
  for (RoleStatus& r : impl->roles) {
    std::string name(r.info.name);
    uint16_t role_port = node_port;
    if (!shared) {
      int64_t fallback = port == 0 ? 0 : port + 1 + static_cast<int64_t>(IndexOf(name));
      BL_ASSIGN_OR_RETURN(int64_t p, config.GetInt(name + ".port", fallback));
      if (p < 0 || p > 65535) return InvalidArgument("setting '" + name + ".port' must be 0-65535");
      role_port = static_cast<uint16_t>(p);
      if (role_port == 0) {
        BL_ASSIGN_OR_RETURN(role_port, ReserveFreePort(impl->host));
      }
    }
    if (!config.Has(name + ".public_url")) {
      config.Set(name + ".public_url", UrlOf(impl->host, role_port));
    }
    if (!config.Has(name + ".data_dir")) config.Set(name + ".data_dir", data_dir + "/" + name);
    r.url = config.GetString(name + ".public_url", "");
    config.Set(name + ".port", std::to_string(role_port));
  }

  std::vector<std::string> hosted;
  for (const RoleStatus& r : impl->roles) {
    if (r.implemented) hosted.emplace_back(r.info.name);
  }
  BL_ASSIGN_OR_RETURN(bool sample_catalog, config.GetBool("sample_catalog", false));
  if (sample_catalog) BL_RETURN_IF_ERROR(AddSampleCatalog(config, data_dir));
  BL_RETURN_IF_ERROR(WireLocalPeers(config, hosted, random));

  std::string started_at = FormatRfc3339(clock.Now());
  http::Router node_router;
  for (RoleStatus& r : impl->roles) {
    if (!r.implemented) continue;
    std::string name(r.info.name);
    BL_RETURN_IF_ERROR(MakePrivateDir(config.GetString(name + ".data_dir", "")));
    BL_ASSIGN_OR_RETURN(std::unique_ptr<HostedRole> role, CreateRole(name, config, clock, random));
    if (shared) {
      role->RegisterRoutes(node_router);
    } else {
      http::Router router;
      role->RegisterRoutes(router);
      http::ServerOptions role_options = options;
      role_options.name = name;
      auto server = std::make_unique<http::Server>(std::move(router), std::move(role_options));
      BL_ASSIGN_OR_RETURN(int64_t role_port, config.GetInt(name + ".port", 0));
      auto bound = server->Listen(impl->host, static_cast<uint16_t>(role_port));
      if (!bound.ok()) return bound.status().WithContext("role " + name);
      impl->role_servers.push_back(std::move(server));
    }
    impl->hosted.push_back(std::move(role));
  }

  std::string page = RenderStatusPage(impl->roles, started_at);
  boost::json::array role_names;
  boost::json::array role_list;
  for (const RoleStatus& r : impl->roles) {
    role_names.emplace_back(r.info.name);
    role_list.push_back(boost::json::object{
        {"name", r.info.name}, {"url", r.url}, {"implemented", r.implemented}});
  }
  boost::json::object status{{"roles", role_list}, {"started_at", started_at}};
  node_router.Get("/", [page](const http::Request&) {
    return http::Response::Text(200, page, "text/html; charset=utf-8");
  });
  node_router.Get("/status",
                  [status](const http::Request&) { return http::JsonResponse(200, status); });
  options.health_details = [role_names](boost::json::object& health) {
    health["roles"] = role_names;
  };
  impl->server = std::make_unique<http::Server>(std::move(node_router), std::move(options));
  BL_RETURN_IF_ERROR(impl->server->Listen(impl->host, node_port));
  for (auto& role : impl->hosted) BL_RETURN_IF_ERROR(role->Start());
  return std::unique_ptr<Node>(new Node(std::move(impl)));
}

uint16_t Node::port() const { return impl_->server->port(); }

std::string Node::BaseUrl() const { return UrlOf(impl_->host, port()); }

const std::vector<RoleStatus>& Node::roles() const { return impl_->roles; }

std::string Node::RoleUrl(std::string_view name) const {
  for (const RoleStatus& r : impl_->roles) {
    if (r.info.name == name && r.implemented) return r.url;
  }
  return "";
}

void Node::Stop(std::chrono::milliseconds grace) {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  // Servers first: their streams end and report before the roles' background
  // work (completion senders) stops.
  for (auto& server : impl_->role_servers) server->Stop(grace);
  if (impl_->server) impl_->server->Stop(grace);
  for (auto& role : impl_->hosted) role->Stop();
}

}  // namespace backline::node
