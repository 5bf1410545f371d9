// The roles a node can host, behind one small interface, and the factory that
// builds each from Config. The only place that knows every role library.
//
// Thread-safety: a HostedRole is built and started on the main thread; its
// routes then run on its server's threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/config.h"
#include "base/random.h"
#include "base/status.h"
#include "http/router.h"

namespace backline::node {

class HostedRole {
 public:
  virtual ~HostedRole() = default;
  // Adds the role's routes; the role must outlive the router's server.
  virtual void RegisterRoutes(http::Router& router) = 0;
  // After the role's server listens: resume unfinished work, start retries.
  virtual Status Start() { return Status::Ok(); }
  // Before the server stops: stop background work. Idempotent.
  virtual void Stop() {}
};

// True iff `name` has an implementation (others are listed but not served).
bool IsImplemented(std::string_view name);

// Builds role `name` from `config` (its "<name>.*" settings). Clock and
// RandomSource are borrowed and must outlive the role.
Result<std::unique_ptr<HostedRole>> CreateRole(std::string_view name, const Config& config,
                                               Clock& clock, RandomSource& random);

}  // namespace backline::node
