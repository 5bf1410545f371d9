#include "delivery/delivery_role.h"

#include <filesystem>
#include <system_error>
#include <utility>

#include "base/files.h"
#include "base/bytes.h"
#include "base/logging.h"
#include "delivery/delivery_routes.h"
#include "storage/sqlite/sqlite_database.h"

namespace backline::delivery {
namespace {

Result<crypto::Ed25519PublicKey> ParseEd25519(std::string_view key, std::string_view setting) {
  Result<Bytes> bytes = Base64UrlDecode(key);
  crypto::Ed25519PublicKey out{};
  if (!bytes.ok() || bytes->size() != out.size()) {
    return InvalidArgument("setting '" + std::string(setting) +
                           "' must be the base64url of a 32-byte Ed25519 public key");
  }
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

Result<std::chrono::milliseconds> Duration(const Config& config, std::string_view key,
                                           std::chrono::milliseconds fallback) {
  BL_ASSIGN_OR_RETURN(std::chrono::milliseconds value, config.GetDuration(key, fallback));
  if (value <= std::chrono::milliseconds(0)) {
    return InvalidArgument("setting '" + std::string(key) + "' must be positive");
  }
  return value;
}

Result<protocol::Identity> LoadOrCreateIdentity(const std::string& path, RandomSource& random,
                                                bool* created) {
  Result<protocol::Identity> loaded = protocol::LoadIdentityFile(path);
  *created = false;
  if (loaded.ok() || loaded.status().code() != StatusCode::kNotFound) return loaded;
  protocol::Identity fresh = protocol::Identity::Generate(random);
  BL_RETURN_IF_ERROR(protocol::SaveIdentityFile(fresh, path));
  *created = true;
  return fresh;
}

}  // namespace

DeliveryRole::~DeliveryRole() { Stop(); }

Result<std::unique_ptr<DeliveryRole>> DeliveryRole::Create(const Config& config, Clock& clock,
                                                           RandomSource& random) {
  DeliveryRoleOptions options;
  options.node_id = config.GetString("delivery.id", "delivery-1");
  if (options.node_id.empty()) return InvalidArgument("setting 'delivery.id' must not be empty");
  const std::string data_dir = config.GetString("delivery.data_dir", "data/delivery");
  options.identity_file = data_dir + "/identity.json";
  options.db_path = data_dir + "/outbox.db";
  BL_ASSIGN_OR_RETURN(options.service.public_url,
                      config.GetRequiredString("delivery.public_url"));
  BL_ASSIGN_OR_RETURN(options.service.content_dir,
                      config.GetRequiredString("delivery.content_dir"));
  BL_ASSIGN_OR_RETURN(options.clearinghouse_url,
                      config.GetRequiredString("delivery.clearinghouse_url"));
  BL_ASSIGN_OR_RETURN(std::string key, config.GetRequiredString("delivery.clearinghouse_ed25519"));
  BL_ASSIGN_OR_RETURN(options.service.check.clearinghouse_ed25519,
                      ParseEd25519(key, "delivery.clearinghouse_ed25519"));
  BL_ASSIGN_OR_RETURN(std::chrono::milliseconds max_age,
                      Duration(config, "delivery.max_signature_age", std::chrono::seconds(300)));
  options.service.check.max_signature_age =
      std::chrono::duration_cast<std::chrono::seconds>(max_age);
  BL_ASSIGN_OR_RETURN(options.sender.initial_backoff,
                      Duration(config, "delivery.retry_initial_backoff",
                               std::chrono::milliseconds(200)));
  BL_ASSIGN_OR_RETURN(options.sender.max_backoff,
                      Duration(config, "delivery.retry_max_backoff", std::chrono::seconds(30)));
  BL_RETURN_IF_ERROR(EnsurePrivateDirectory(data_dir, "delivery.data_dir"));
  return Open(options, clock, random);
}

Result<std::unique_ptr<DeliveryRole>> DeliveryRole::Open(const DeliveryRoleOptions& options,
                                                         Clock& clock, RandomSource& random) {
  std::unique_ptr<DeliveryRole> role(new DeliveryRole());
  role->options_ = options;
  bool created = false;
  BL_ASSIGN_OR_RETURN(protocol::Identity identity,
                      LoadOrCreateIdentity(options.identity_file, random, &created));
  role->identity_ = std::make_unique<protocol::Identity>(std::move(identity));
  BL_ASSIGN_OR_RETURN(role->db_, storage::OpenSqliteDatabase({.path = options.db_path}));
  BL_RETURN_IF_ERROR(CompletionOutbox::Migrate(*role->db_, clock));
  role->outbox_ = std::make_unique<CompletionOutbox>(*role->db_);
  // Claims are retried by the client (they carry an Idempotency-Key); the
  // outbox does its own retrying of completions.
  role->client_ = std::make_unique<http::Client>(http::ClientOptions{
      .attempt_timeout = std::chrono::seconds(5), .total_timeout = std::chrono::seconds(10)});
  role->clearinghouse_ = std::make_unique<ClearinghouseClient>(
      options.clearinghouse_url, options.node_id, role->identity_->ed25519(), clock,
      *role->client_);
  role->sender_ =
      std::make_unique<CompletionSender>(*role->outbox_, *role->clearinghouse_, options.sender);
  role->service_ = std::make_unique<DeliveryService>(options.service, *role->clearinghouse_,
                                                     *role->outbox_, *role->sender_, clock,
                                                     random);
  role->sender_->Start();
  GetLogger("delivery")->info(
      "delivery node {} ready: public URL {}, content {}, clearinghouse {}, identity {} ({})",
      options.node_id, options.service.public_url, options.service.content_dir,
      options.clearinghouse_url, options.identity_file, created ? "generated" : "loaded");
  return role;
}

void DeliveryRole::RegisterRoutes(http::Router& router) {
  RegisterDeliveryRoutes(router, *service_);
}

void DeliveryRole::Stop() {
  if (sender_) sender_->Stop();
}

}  // namespace backline::delivery
