// Numbered schema migrations.
//
// Each role (or module with tables of its own, e.g. the ledger) names a schema
// and keeps its migrations as a constant array, appending new ones and never
// editing old ones:
//
//   constexpr Migration kMerchantMigrations[] = {
//       {1, "orders", R"sql(
//          CREATE TABLE orders (id TEXT PRIMARY KEY, total_cents BIGINT NOT NULL);
//        )sql"},
//       {2, "order buyer", "ALTER TABLE orders ADD COLUMN buyer TEXT"},
//   };
//   BL_RETURN_IF_ERROR(Migrate(db, "merchant", kMerchantMigrations, clock));
//
// Migrate applies every migration the database has not seen yet, in version
// order, all inside one transaction (so a crash leaves the old schema or the new
// one), and records each in the table schema_migrations (schema, version, name,
// applied_at). Run again, it does nothing. Several schemas share one database
// without interfering.
//
// It refuses, with kFailedPrecondition and changing nothing, a database whose
// schema is newer than the code (an older binary started on an upgraded
// database), and one whose recorded migration names differ from the code's (a
// migration renumbered or replaced). Versions in the array must be 1, 2, 3, ...
// in order; anything else is kInvalidArgument.
//
// Thread-safety: as for Database::Transact; concurrent Migrate calls on one
// database apply each migration once.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "base/clock.h"
#include "base/status.h"
#include "storage/database.h"

namespace backline::storage {

struct Migration {
  int64_t version;        // 1, 2, 3, ... without gaps
  std::string_view name;  // short and stable: recorded, and checked on every start
  // Portable SQL (see README.md), several ';'-separated statements allowed.
  std::string_view sql;
  // Used instead of `sql` on that backend, for DDL that has no portable form
  // (e.g. generated identity columns). Empty: use `sql`.
  std::string_view sqlite_sql = {};
  std::string_view postgres_sql = {};
};

// Brings `schema` up to date with `migrations` (see the file comment). `clock`
// stamps applied_at.
Status Migrate(Database& db, std::string_view schema, std::span<const Migration> migrations,
               const Clock& clock);

// The highest migration version recorded for `schema`; 0 for none (also when
// schema_migrations does not exist yet).
Result<int64_t> SchemaVersion(Database& db, std::string_view schema);

}  // namespace backline::storage
