#include "node/roles.h"

#include <concepts>

#include "clearinghouse/clearinghouse_role.h"
#include "delivery/delivery_role.h"
#include "merchant/merchant_role.h"
#include "payment/payment_role.h"

namespace backline::node {
namespace {

// Adapts a role class with Create(config, clock, random) and
// RegisterRoutes(router), and optionally Status Start() and void Stop(), to
// HostedRole.
template <typename Role>
class Hosted final : public HostedRole {
 public:
  explicit Hosted(std::unique_ptr<Role> role) : role_(std::move(role)) {}
  void RegisterRoutes(http::Router& router) override { role_->RegisterRoutes(router); }
  Status Start() override {
    if constexpr (requires(Role& r) { { r.Start() } -> std::same_as<Status>; }) {
      return role_->Start();
    } else {
      return Status::Ok();
    }
  }
  void Stop() override {
    if constexpr (requires(Role& r) { r.Stop(); }) role_->Stop();
  }

 private:
  std::unique_ptr<Role> role_;
};

template <typename Role>
Result<std::unique_ptr<HostedRole>> Make(const Config& config, Clock& clock,
                                         RandomSource& random) {
  BL_ASSIGN_OR_RETURN(std::unique_ptr<Role> role, Role::Create(config, clock, random));
  return std::unique_ptr<HostedRole>(std::make_unique<Hosted<Role>>(std::move(role)));
}

}  // namespace

bool IsImplemented(std::string_view name) {
  return name == "merchant" || name == "payment" || name == "clearinghouse" ||
         name == "delivery";
}

Result<std::unique_ptr<HostedRole>> CreateRole(std::string_view name, const Config& config,
                                               Clock& clock, RandomSource& random) {
  Result<std::unique_ptr<HostedRole>> role = NotFound("no such role");
  if (name == "payment") role = Make<payment::PaymentRole>(config, clock, random);
  if (name == "clearinghouse") {
    role = Make<clearinghouse::ClearinghouseRole>(config, clock, random);
  }
  if (name == "delivery") role = Make<delivery::DeliveryRole>(config, clock, random);
  if (name == "merchant") role = Make<merchant::MerchantRole>(config, clock, random);
  if (!role.ok()) return role.status().WithContext(std::string(name));
  return role;
}

}  // namespace backline::node
