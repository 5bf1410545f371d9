#include "http/router.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>

namespace backline::http {

// A trie over path segments. Routes ending at a node are keyed by method;
// `tail_routes` hold "{name...}" routes that swallow the rest of the path.
struct Router::Node {
  std::map<std::string, std::unique_ptr<Node>, std::less<>> literal;
  std::unique_ptr<Node> param;
  std::map<std::string, const Route*, std::less<>> routes;
  std::map<std::string, const Route*, std::less<>> tail_routes;
};

namespace {

struct Segment {
  enum Kind { kLiteral, kParam, kTail } kind;
  std::string text;  // literal text or parameter name
};

bool IsNameChar(char c, bool first) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  return !first && c >= '0' && c <= '9';
}

Result<std::vector<Segment>> ParsePattern(std::string_view pattern) {
  if (pattern.empty() || pattern.front() != '/') {
    return InvalidArgument("route pattern must start with '/': '" + std::string(pattern) + "'");
  }
  std::vector<Segment> out;
  if (pattern == "/") return out;
  std::set<std::string, std::less<>> names;
  std::string_view rest = pattern.substr(1);
  while (true) {
    size_t slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    bool last = slash == std::string_view::npos;
    auto bad = [&](std::string_view why) {
      return InvalidArgument("route pattern '" + std::string(pattern) + "': " + std::string(why));
    };
    if (!seg.empty() && seg.front() == '{') {
      if (seg.back() != '}') return bad("unclosed '{'");
      std::string_view name = seg.substr(1, seg.size() - 2);
      Segment::Kind kind = Segment::kParam;
      if (name.ends_with("...")) {
        if (!last) return bad("a {name...} segment must be the last one");
        name.remove_suffix(3);
        kind = Segment::kTail;
      }
      if (name.empty()) return bad("empty parameter name");
      for (size_t i = 0; i < name.size(); ++i) {
        if (!IsNameChar(name[i], i == 0)) return bad("parameter names are [A-Za-z_][A-Za-z0-9_]*");
      }
      if (!names.emplace(name).second) return bad("repeated parameter name");
      out.push_back({kind, std::string(name)});
    } else {
      if (seg.find_first_of("{}") != std::string_view::npos) return bad("stray '{' or '}'");
      out.push_back({Segment::kLiteral, std::string(seg)});
    }
    if (last) break;
    rest = rest.substr(slash + 1);
  }
  return out;
}

bool IsValidMethod(std::string_view method) {
  if (method.empty() || method.size() > 20) return false;
  return std::all_of(method.begin(), method.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// One place in the trie that the path reaches, in priority order.
struct Candidate {
  const std::map<std::string, const Route*, std::less<>>* routes;
  std::vector<std::string> values;
};

}  // namespace

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

void Router::Die(const Status& status) {
  std::fprintf(stderr, "fatal: http route table: %s\n", status.ToString().c_str());
  std::abort();
}

Status Router::Add(std::string_view method, std::string_view pattern, AsyncHandler handler,
                   RouteOptions options) {
  if (!handler) return InvalidArgument("empty handler for " + std::string(pattern));
  Route route{std::string(method), std::string(pattern), options, std::move(handler), {}, {}};
  return AddRoute(std::move(route));
}

Status Router::Add(std::string_view method, std::string_view pattern, SyncHandler handler,
                   RouteOptions options) {
  if (!handler) return InvalidArgument("empty handler for " + std::string(pattern));
  Route route{std::string(method), std::string(pattern), options, {}, std::move(handler), {}};
  return AddRoute(std::move(route));
}

Status Router::AddRoute(Route route) {
  if (!IsValidMethod(route.method)) {
    return InvalidArgument("route method must be upper-case letters: '" + route.method + "'");
  }
  BL_ASSIGN_OR_RETURN(std::vector<Segment> segments, ParsePattern(route.pattern));
  Node* node = root_.get();
  bool tail = false;
  for (const Segment& seg : segments) {
    switch (seg.kind) {
      case Segment::kLiteral: {
        auto it = node->literal.find(seg.text);
        if (it == node->literal.end()) {
          it = node->literal.emplace(seg.text, std::make_unique<Node>()).first;
        }
        node = it->second.get();
        break;
      }
      case Segment::kParam:
        if (!node->param) node->param = std::make_unique<Node>();
        node = node->param.get();
        route.param_names.push_back(seg.text);
        break;
      case Segment::kTail:
        tail = true;
        route.param_names.push_back(seg.text);
        break;
    }
  }
  auto& table = tail ? node->tail_routes : node->routes;
  if (table.contains(route.method)) {
    return AlreadyExists("a route for " + route.method + " " + route.pattern +
                         " (or one of the same shape) already exists");
  }
  routes_.push_back(std::make_unique<Route>(std::move(route)));
  const Route* stored = routes_.back().get();
  table.emplace(stored->method, stored);
  return Status::Ok();
}

bool Router::Has(std::string_view method, std::string_view pattern) const {
  return std::any_of(routes_.begin(), routes_.end(),
                     [&](const auto& r) { return r->method == method && r->pattern == pattern; });
}

Router::Match Router::Find(std::string_view method, std::span<const std::string> segments) const {
  // Depth-first, literal before parameter before tail, so the candidates come
  // out in priority order.
  std::vector<Candidate> candidates;
  std::vector<std::string> values;
  struct Walker {
    std::span<const std::string> segments;
    std::vector<Candidate>& out;
    std::vector<std::string>& values;
    void Walk(const Node& node, size_t i) {
      if (i == segments.size()) {
        if (!node.routes.empty()) out.push_back({&node.routes, values});
        return;
      }
      if (auto it = node.literal.find(segments[i]); it != node.literal.end()) {
        Walk(*it->second, i + 1);
      }
      if (node.param && !segments[i].empty()) {
        values.push_back(segments[i]);
        Walk(*node.param, i + 1);
        values.pop_back();
      }
      if (!node.tail_routes.empty()) {
        std::string rest = segments[i];
        for (size_t j = i + 1; j < segments.size(); ++j) {
          rest += '/';
          rest += segments[j];
        }
        values.push_back(std::move(rest));
        out.push_back({&node.tail_routes, values});
        values.pop_back();
      }
    }
  };
  Walker{segments, candidates, values}.Walk(*root_, 0);

  Match match;
  if (candidates.empty()) return match;  // kNotFound
  for (Candidate& c : candidates) {
    auto it = c.routes->find(method);
    if (it == c.routes->end() && method == "HEAD") it = c.routes->find("GET");
    if (it == c.routes->end()) continue;
    match.kind = Match::kFound;
    match.route = it->second;
    const std::vector<std::string>& names = match.route->param_names;
    for (size_t i = 0; i < names.size() && i < c.values.size(); ++i) {
      match.params.emplace_back(names[i], std::move(c.values[i]));
    }
    return match;
  }
  std::set<std::string> allowed;
  for (const Candidate& c : candidates) {
    for (const auto& [m, route] : *c.routes) {
      allowed.insert(m);
      if (m == "GET") allowed.insert("HEAD");
    }
  }
  match.kind = Match::kMethodNotAllowed;
  for (const std::string& m : allowed) {
    if (!match.allow.empty()) match.allow += ", ";
    match.allow += m;
  }
  return match;
}

Router::Match Router::FindPath(std::string_view method, std::string_view path) const {
  std::vector<std::string> segments;
  if (path.starts_with('/')) path.remove_prefix(1);
  if (!path.empty()) {
    while (true) {
      size_t slash = path.find('/');
      segments.emplace_back(path.substr(0, slash));
      if (slash == std::string_view::npos) break;
      path.remove_prefix(slash + 1);
    }
  }
  return Find(method, segments);
}

}  // namespace backline::http
