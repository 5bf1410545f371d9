#include "merchant/merchant_role.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <algorithm>
#include <exception>
#include <filesystem>
#include <system_error>

#include "base/files.h"
#include "base/bytes.h"
#include "base/logging.h"
#include "crypto/hash.h"
#include "merchant/merchant_routes.h"
#include "storage/sqlite/sqlite_database.h"

namespace backline::merchant {
namespace {

Result<protocol::Identity> LoadOrCreateIdentity(const std::string& path, RandomSource& random,
                                                bool* created) {
  Result<protocol::Identity> loaded = protocol::LoadIdentityFile(path);
  *created = false;
  if (loaded.ok() || loaded.status().code() != StatusCode::kNotFound) return loaded;
  protocol::Identity identity = protocol::Identity::Generate(random);
  BL_RETURN_IF_ERROR(protocol::SaveIdentityFile(identity, path));
  *created = true;
  return identity;
}

Result<crypto::X25519PublicKey> ParseKey(const std::string& text, std::string_view setting) {
  Result<Bytes> raw = Base64UrlDecode(text);
  if (!raw.ok() || raw->size() != crypto::X25519PublicKey().size()) {
    return InvalidArgument("setting '" + std::string(setting) +
                           "' must be base64url of 32 bytes (the clearinghouse's X25519 key)");
  }
  crypto::X25519PublicKey key{};
  std::copy(raw->begin(), raw->end(), key.begin());
  return key;
}

}  // namespace

MerchantRole::~MerchantRole() = default;

Result<std::unique_ptr<MerchantRole>> MerchantRole::Create(const Config& config, Clock& clock,
                                                           RandomSource& random) {
  MerchantRoleOptions options;
  options.data_dir = config.GetString("merchant.data_dir", "data/merchant");
  options.service.merchant_id = config.GetString("merchant.id", "merchant-1");
  BL_ASSIGN_OR_RETURN(options.clearinghouse_url,
                      config.GetRequiredString("merchant.clearinghouse_url"));
  BL_ASSIGN_OR_RETURN(std::string ch_key,
                      config.GetRequiredString("merchant.clearinghouse_x25519"));
  BL_ASSIGN_OR_RETURN(options.clearinghouse_x25519,
                      ParseKey(ch_key, "merchant.clearinghouse_x25519"));
  BL_ASSIGN_OR_RETURN(options.payment_url, config.GetRequiredString("merchant.payment_url"));
  BL_ASSIGN_OR_RETURN(options.service.markup_percent, config.GetInt("merchant.markup_percent", 30));
  if (options.service.markup_percent < 0 || options.service.markup_percent > 10'000) {
    return InvalidArgument("setting 'merchant.markup_percent' must be between 0 and 10000");
  }
  options.service.currency = config.GetString("merchant.currency", "EUR");
  if (!protocol::IsCurrencyCode(options.service.currency)) {
    return InvalidArgument("setting 'merchant.currency' must be 3 uppercase letters (ISO 4217)");
  }
  BL_ASSIGN_OR_RETURN(options.service.catalog_ttl,
                      config.GetDuration("merchant.catalog_ttl", std::chrono::seconds(30)));
  BL_RETURN_IF_ERROR(EnsurePrivateDirectory(options.data_dir, "merchant.data_dir"));
  return Open(options, clock, random);
}

Result<std::unique_ptr<MerchantRole>> MerchantRole::Open(const MerchantRoleOptions& options,
                                                         Clock& clock, RandomSource& random) {
  std::unique_ptr<MerchantRole> role(new MerchantRole(random));
  bool created = false;
  const std::string identity_path = options.data_dir + "/identity.json";
  BL_ASSIGN_OR_RETURN(protocol::Identity identity,
                      LoadOrCreateIdentity(identity_path, random, &created));
  role->identity_ = std::make_unique<protocol::Identity>(std::move(identity));
  // The key of the order request hashes, derived from the identity so there
  // is no second secret file to keep.
  BL_ASSIGN_OR_RETURN(
      crypto::SecretBytes hmac_key,
      crypto::Hkdf({}, role->identity_->x25519().private_key(),
                   AsBytes("backline merchant order request hash v1"), 32));
  const std::string db_path = options.data_dir + "/merchant.db";
  BL_ASSIGN_OR_RETURN(role->db_, storage::OpenSqliteDatabase({.path = db_path}));
  BL_RETURN_IF_ERROR(OrderStore::Migrate(*role->db_, clock));
  role->store_ = std::make_unique<OrderStore>(*role->db_);
  http::ClientOptions client = options.client;
  client.random = nullptr;  // backoff jitter: SystemRandom (thread-safe)
  role->http_ = std::make_unique<http::Client>(client);
  role->clearinghouse_ = std::make_unique<ClearinghouseClient>(
      *role->http_, options.clearinghouse_url, options.service.merchant_id, *role->identity_,
      options.clearinghouse_x25519, random, role->random_mu_);
  role->payment_ = std::make_unique<PaymentClient>(*role->http_, options.payment_url,
                                                   options.service.merchant_id);
  role->service_ = std::make_unique<MerchantService>(*role->store_, *role->clearinghouse_,
                                                     *role->payment_, hmac_key, clock, random,
                                                     role->random_mu_, options.service);
  GetLogger("merchant")->info(
      "merchant {} ready: database {}, identity {} ({}), clearinghouse {}, payment {}",
      options.service.merchant_id, db_path, identity_path, created ? "generated" : "loaded",
      options.clearinghouse_url, options.payment_url);
  return role;
}

void MerchantRole::RegisterRoutes(http::Router& router) {
  RegisterMerchantRoutes(router, *service_, identity_->public_keys());
}

Status MerchantRole::Start() {
  boost::asio::io_context io;
  Status result = Internal("recovery did not run");
  boost::asio::co_spawn(io, service_->ResumeUnfinished(),
                        [&result](std::exception_ptr error, Status status) {
                          result = error ? Internal("recovery threw") : std::move(status);
                        });
  io.run();
  return result;
}

}  // namespace backline::merchant
