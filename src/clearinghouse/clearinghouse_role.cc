#include "clearinghouse/clearinghouse_role.h"

#include <filesystem>
#include <system_error>

#include "base/files.h"
#include "base/bytes.h"
#include "base/logging.h"
#include "clearinghouse/clearinghouse_routes.h"
#include "clearinghouse/content_store.h"
#include "storage/sqlite/sqlite_database.h"

namespace backline::clearinghouse {
namespace {

Result<protocol::Identity> LoadOrCreateIdentity(const std::string& path, RandomSource& random) {
  Result<protocol::Identity> loaded = protocol::LoadIdentityFile(path);
  if (loaded.status().code() != StatusCode::kNotFound) return loaded;
  protocol::Identity fresh = protocol::Identity::Generate(random);
  BL_RETURN_IF_ERROR(protocol::SaveIdentityFile(fresh, path));
  GetLogger("clearinghouse")->info("generated identity {}", path);
  return fresh;
}

}  // namespace

ClearinghouseRole::~ClearinghouseRole() = default;

Result<std::unique_ptr<ClearinghouseRole>> ClearinghouseRole::Create(const Config& config,
                                                                     Clock& clock,
                                                                     RandomSource& random) {
  std::unique_ptr<ClearinghouseRole> role(new ClearinghouseRole());
  BL_ASSIGN_OR_RETURN(role->settings_, ReadSettings(config));
  Settings& s = role->settings_;
  BL_RETURN_IF_ERROR(EnsurePrivateDirectory(s.data_dir, "clearinghouse.data_dir"));
  BL_ASSIGN_OR_RETURN(protocol::Identity identity,
                      LoadOrCreateIdentity(s.data_dir + "/identity.json", random));
  role->identity_ = std::make_unique<protocol::Identity>(std::move(identity));
  for (Product& p : s.products) {
    Result<ImportedContent> c = ImportContent(p.file, s.content_dir);
    if (!c.ok()) return c.status().WithContext("product " + p.id.ToBase32());
    p.content_sha256 = c->sha256;
    p.content_size = c->size;
  }
  BL_ASSIGN_OR_RETURN(role->db_,
                      storage::OpenSqliteDatabase({.path = s.data_dir + "/clearinghouse.db"}));
  BL_RETURN_IF_ERROR(ClearinghouseStore::Migrate(*role->db_, clock));
  BL_RETURN_IF_ERROR(SqlitePurchaseRecorder::Migrate(*role->db_, clock));
  role->store_ = std::make_unique<ClearinghouseStore>(*role->db_);
  role->recorder_ = std::make_unique<SqlitePurchaseRecorder>(*role->db_);
  role->service_ = std::make_unique<ClearinghouseService>(
      role->settings_, *role->identity_, *role->store_, *role->recorder_, clock, random);
  GetLogger("clearinghouse")
      ->info("clearinghouse {} ready: {} merchants, {} delivery nodes, {} products, data in {}",
             s.id, s.merchants.size(), s.delivery_nodes.size(), s.products.size(), s.data_dir);
  return role;
}

void ClearinghouseRole::RegisterRoutes(http::Router& router) {
  RegisterClearinghouseRoutes(router, *service_);
}

}  // namespace backline::clearinghouse
