#include "payment/payment_role.h"

#include <chrono>
#include <filesystem>
#include <system_error>

#include "base/files.h"
#include "base/logging.h"
#include "payment/payment_routes.h"
#include "payment/payment_store.h"
#include "storage/sqlite/sqlite_database.h"

namespace backline::payment {
PaymentRole::~PaymentRole() = default;

Result<std::unique_ptr<PaymentRole>> PaymentRole::Create(const Config& config, Clock& clock,
                                                         RandomSource& random) {
  const std::string data_dir = config.GetString("payment.data_dir", "data/payment");
  PaymentRoleOptions options;
  options.db_path = config.GetString("payment.db_path", data_dir + "/payment.db");
  options.key_file = config.GetString("payment.key_file", data_dir + "/payment.key");
  BL_ASSIGN_OR_RETURN(std::chrono::milliseconds ttl,
                      config.GetDuration("payment.authorization_ttl", std::chrono::days(7)));
  if (ttl < std::chrono::seconds(1) || ttl > std::chrono::days(366)) {
    return InvalidArgument("setting 'payment.authorization_ttl' must be between 1s and 366d");
  }
  options.service.authorization_ttl = std::chrono::duration_cast<std::chrono::seconds>(ttl);
  // Only the folders the files will go in are created.
  for (const std::string& file : {options.db_path, options.key_file}) {
    std::string parent = std::filesystem::path(file).parent_path().string();
    if (!parent.empty()) BL_RETURN_IF_ERROR(EnsurePrivateDirectory(parent, "payment.data_dir"));
  }
  return Open(options, clock, random);
}

Result<std::unique_ptr<PaymentRole>> PaymentRole::Open(const PaymentRoleOptions& options,
                                                       Clock& clock, RandomSource& random) {
  std::unique_ptr<PaymentRole> role(new PaymentRole());
  role->options_ = options;
  bool created = false;
  BL_ASSIGN_OR_RETURN(PaymentKeys keys, LoadOrCreateKeyFile(options.key_file, random, &created));
  role->keys_ = std::make_unique<PaymentKeys>(std::move(keys));
  BL_ASSIGN_OR_RETURN(role->db_, storage::OpenSqliteDatabase({.path = options.db_path}));
  BL_RETURN_IF_ERROR(PaymentStore::Migrate(*role->db_, clock));
  role->store_ = std::make_unique<PaymentStore>(*role->db_);
  role->service_ =
      std::make_unique<PaymentService>(*role->store_, *role->keys_, clock, random, options.service);
  GetLogger("payment")->info(
      "payment authority ready: database {}, key file {} ({}), "
      "authorizations live {}s",
      options.db_path, options.key_file, created ? "generated" : "loaded",
      options.service.authorization_ttl.count());
  return role;
}

void PaymentRole::RegisterRoutes(http::Router& router) { RegisterPaymentRoutes(router, *service_); }

}  // namespace backline::payment
