#include "storage/migrations.h"

#include <string>

#include "base/logging.h"

namespace backline::storage {
namespace {

// Portable DDL: the same statement creates the table on every backend.
constexpr std::string_view kCreateMigrationsTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  schema_name TEXT NOT NULL,
  version BIGINT NOT NULL,
  name TEXT NOT NULL,
  applied_at BIGINT NOT NULL,
  PRIMARY KEY (schema_name, version)
))sql";

Status ValidateList(std::string_view schema, std::span<const Migration> migrations) {
  if (schema.empty()) return InvalidArgument("a schema needs a name");
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int64_t>(i) + 1) {
      return InvalidArgument("migrations of schema '" + std::string(schema) +
                             "' must be numbered 1, 2, 3, ... in order; entry " +
                             std::to_string(i) + " has version " +
                             std::to_string(migrations[i].version));
    }
    if (migrations[i].name.empty()) {
      return InvalidArgument("migration " + std::to_string(i + 1) + " of schema '" +
                             std::string(schema) + "' has no name");
    }
  }
  return Status::Ok();
}

std::string_view SqlFor(const Migration& m, Dialect dialect) {
  if (dialect == Dialect::kSqlite && !m.sqlite_sql.empty()) return m.sqlite_sql;
  if (dialect == Dialect::kPostgres && !m.postgres_sql.empty()) return m.postgres_sql;
  return m.sql;
}

// Reads what is recorded for `schema` and checks it against the code's list.
// Returns how many of the list's migrations are already applied.
Result<size_t> CheckRecorded(Transaction& tx, std::string_view schema,
                             std::span<const Migration> migrations) {
  BL_ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT version, name FROM schema_migrations "
                                          "WHERE schema_name = $1 ORDER BY version",
                                          {schema}));
  const std::string where = "database schema '" + std::string(schema) + "'";
  if (!rows.empty()) {
    BL_ASSIGN_OR_RETURN(int64_t newest, rows[rows.size() - 1].GetInt64(0));
    if (newest > static_cast<int64_t>(migrations.size())) {
      return FailedPrecondition(
          where + " is at version " + std::to_string(newest) + ", newer than this build knows (" +
          std::to_string(migrations.size()) + "); refusing to use it with an older binary");
    }
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    BL_ASSIGN_OR_RETURN(int64_t version, rows[i].GetInt64(0));
    BL_ASSIGN_OR_RETURN(std::string name, rows[i].GetText(1));
    if (version != static_cast<int64_t>(i) + 1) {
      return FailedPrecondition(where + " records migration " + std::to_string(version) +
                                " but not " + std::to_string(i + 1));
    }
    if (name != migrations[i].name) {
      std::string message = where + " records migration " + std::to_string(version);
      message += " as '" + name + "' but this build calls it '";
      message += migrations[i].name;
      message += "'";
      return FailedPrecondition(std::move(message));
    }
  }
  return rows.size();
}

}  // namespace

Status Migrate(Database& db, std::string_view schema, std::span<const Migration> migrations,
               const Clock& clock) {
  BL_RETURN_IF_ERROR(ValidateList(schema, migrations));
  size_t before = 0;
  Status s = db.Transact([&](Transaction& tx) -> Status {
    BL_RETURN_IF_ERROR(tx.ExecuteScript(kCreateMigrationsTable));
    BL_ASSIGN_OR_RETURN(before, CheckRecorded(tx, schema, migrations));
    for (size_t i = before; i < migrations.size(); ++i) {
      const Migration& m = migrations[i];
      Status applied = tx.ExecuteScript(SqlFor(m, tx.dialect()));
      if (!applied.ok()) {
        return applied.WithContext("migration " + std::string(schema) + "/" +
                                   std::to_string(m.version) + " '" + std::string(m.name) + "'");
      }
      BL_RETURN_IF_ERROR(
          tx.Execute("INSERT INTO schema_migrations (schema_name, version, name, applied_at) "
                     "VALUES ($1, $2, $3, $4)",
                     {schema, m.version, m.name, clock.NowUnixSeconds()}));
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (before < migrations.size()) {
    GetLogger("storage")->info("schema {}: applied migrations {}..{}", schema, before + 1,
                               migrations.size());
  }
  return Status::Ok();
}

Result<int64_t> SchemaVersion(Database& db, std::string_view schema) {
  return ReadValue<int64_t>(db, [&](Transaction& tx) -> Result<int64_t> {
    // Whether the table exists is the one question without a portable answer.
    std::string_view exists =
        tx.dialect() == Dialect::kSqlite
            ? "SELECT count(*) FROM sqlite_master "
              "WHERE type = 'table' AND name = 'schema_migrations'"
            : "SELECT count(*) FROM information_schema.tables "
              "WHERE table_schema = current_schema() AND table_name = 'schema_migrations'";
    BL_ASSIGN_OR_RETURN(Row found, tx.QueryRow(exists));
    BL_ASSIGN_OR_RETURN(int64_t count, found.GetInt64(0));
    if (count == 0) return int64_t{0};
    BL_ASSIGN_OR_RETURN(Row row, tx.QueryRow("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) "
                                             "FROM schema_migrations WHERE schema_name = $1",
                                             {schema}));
    return row.GetInt64(0);
  });
}

}  // namespace backline::storage
