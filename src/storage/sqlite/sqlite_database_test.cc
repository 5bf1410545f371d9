// What only the SQLite backend promises, beyond the conformance suite: its
// pragmas, its refusals, and its retries when another process holds the lock.
#include "storage/sqlite/sqlite_database.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace backline::storage {
namespace {

// Fails the test with the status' message when `expr` is not OK.
#define ASSERT_OK(expr)                          \
  do {                                           \
    const ::backline::Status bl_s_ = (expr);     \
    ASSERT_TRUE(bl_s_.ok()) << bl_s_.ToString(); \
  } while (false)
#define EXPECT_OK(expr)                          \
  do {                                           \
    const ::backline::Status bl_s_ = (expr);     \
    EXPECT_TRUE(bl_s_.ok()) << bl_s_.ToString(); \
  } while (false)

class SqliteDatabaseTest : public testing::Test {
 protected:
  SqliteDatabaseTest() {
    std::string templ = testing::TempDir() + "backline_sqlite_XXXXXX";
    if (mkdtemp(templ.data()) == nullptr) {
      perror("mkdtemp");
      abort();
    }
    dir_ = templ;
    options_.path = dir_ + "/test.db";
  }
  ~SqliteDatabaseTest() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::unique_ptr<Database> Open() {
    auto db = OpenSqliteDatabase(options_);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  std::string dir_;
  SqliteOptions options_;
};

Result<int64_t> PragmaInt(Transaction& tx, std::string_view pragma) {
  BL_ASSIGN_OR_RETURN(Row row, tx.QueryRow(pragma));
  return row.GetInt64(0);
}

TEST_F(SqliteDatabaseTest, WalFullSyncAndForeignKeys) {
  auto db = Open();
  ASSERT_NE(nullptr, db);
  ASSERT_OK(db->Transact([](Transaction& tx) -> Status {
    BL_ASSIGN_OR_RETURN(Row mode, tx.QueryRow("PRAGMA journal_mode"));
    EXPECT_EQ("wal", mode.GetText(0).value());
    EXPECT_EQ(2, PragmaInt(tx, "PRAGMA synchronous").value());  // FULL
    EXPECT_EQ(1, PragmaInt(tx, "PRAGMA foreign_keys").value());
    return Status::Ok();
  }));
  ASSERT_OK(db->Read([](Transaction& tx) -> Status {
    EXPECT_EQ(1, PragmaInt(tx, "PRAGMA foreign_keys").value());
    EXPECT_EQ(1, PragmaInt(tx, "PRAGMA query_only").value());
    return Status::Ok();
  }));
  EXPECT_EQ(Dialect::kSqlite, db->dialect());
}

TEST_F(SqliteDatabaseTest, RefusesTransactionControlAndSeveralStatements) {
  auto db = Open();
  ASSERT_NE(nullptr, db);
  for (std::string_view sql :
       {"COMMIT", "  begin immediate", "/* x */ SAVEPOINT s", "ROLLBACK", "SELECT 1; SELECT 2"}) {
    Status s = db->Transact([&](Transaction& tx) { return tx.Execute(sql).status(); });
    EXPECT_EQ(StatusCode::kInternal, s.code()) << sql << ": " << s.ToString();
  }
  Status script = db->Transact([](Transaction& tx) {
    return tx.ExecuteScript("CREATE TABLE a (x BIGINT); COMMIT; CREATE TABLE b (x BIGINT);");
  });
  EXPECT_EQ(StatusCode::kInternal, script.code()) << script.ToString();
  // The database still works, and the refused script left nothing behind.
  EXPECT_OK(db->Transact([](Transaction& tx) {
    return tx.ExecuteScript("-- ok\nCREATE TABLE a (x BIGINT);\n/* end */");
  }));
}

TEST_F(SqliteDatabaseTest, RefusesNestedCallsInsteadOfDeadlocking) {
  auto db = Open();
  ASSERT_NE(nullptr, db);
  Status inner_write;
  Status inner_read;
  ASSERT_OK(db->Transact([&](Transaction&) {
    inner_write = db->Transact([](Transaction&) { return Status::Ok(); });
    inner_read = db->Read([](Transaction&) { return Status::Ok(); });
    return Status::Ok();
  }));
  EXPECT_EQ(StatusCode::kInternal, inner_write.code());
  EXPECT_EQ(StatusCode::kInternal, inner_read.code());
  Status from_read;
  ASSERT_OK(db->Read([&](Transaction&) {
    from_read = db->Transact([](Transaction&) { return Status::Ok(); });
    return Status::Ok();
  }));
  EXPECT_EQ(StatusCode::kInternal, from_read.code());
}

TEST_F(SqliteDatabaseTest, FloatsAreRefused) {
  auto db = Open();
  ASSERT_NE(nullptr, db);
  Status s = db->Read([](Transaction& tx) { return tx.Query("SELECT 1.5 AS x").status(); });
  EXPECT_EQ(StatusCode::kInternal, s.code());
  EXPECT_NE(std::string::npos, s.message().find("'x'")) << s.ToString();
}

TEST_F(SqliteDatabaseTest, NotADatabaseIsDataLossAndAMissingFolderUnavailable) {
  std::ofstream(options_.path) << "this is not a database, just some text that is long enough";
  auto garbage = OpenSqliteDatabase(options_);
  EXPECT_EQ(StatusCode::kDataLoss, garbage.status().code()) << garbage.status().ToString();

  options_.path = dir_ + "/no/such/folder/test.db";
  auto missing = OpenSqliteDatabase(options_);
  EXPECT_EQ(StatusCode::kUnavailable, missing.status().code()) << missing.status().ToString();

  options_.readers = 0;
  EXPECT_EQ(StatusCode::kInvalidArgument, OpenSqliteDatabase(options_).status().code());
}

// Another process (here: another connection) holding the write lock.
class ForeignWriter {
 public:
  explicit ForeignWriter(const std::string& path) {
    EXPECT_EQ(SQLITE_OK, sqlite3_open(path.c_str(), &db_));
    EXPECT_EQ(SQLITE_OK, sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr));
  }
  ~ForeignWriter() {
    Release();
    sqlite3_close(db_);
  }
  void Release() {
    if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

 private:
  sqlite3* db_ = nullptr;
};

TEST_F(SqliteDatabaseTest, BusyIsRetriedThenReportedAsUnavailable) {
  options_.busy_timeout = std::chrono::milliseconds(20);
  options_.max_attempts = 3;
  auto db = Open();
  ASSERT_NE(nullptr, db);
  ForeignWriter other(options_.path);
  int runs = 0;
  Status s = db->Transact([&](Transaction&) {
    ++runs;
    return Status::Ok();
  });
  EXPECT_EQ(StatusCode::kUnavailable, s.code()) << s.ToString();
  EXPECT_NE(std::string::npos, s.message().find("gave up after 3 attempts")) << s.ToString();
  EXPECT_EQ(0, runs);  // the lock was never ours
  EXPECT_EQ(2, db->stats().retries);

  other.Release();
  EXPECT_OK(db->Transact([&](Transaction&) {
    ++runs;
    return Status::Ok();
  }));
  EXPECT_EQ(1, runs);
}

TEST_F(SqliteDatabaseTest, ReadsRunWhileAnotherProcessWrites) {
  auto db = Open();
  ASSERT_NE(nullptr, db);
  ASSERT_OK(db->Transact([](Transaction& tx) {
    return tx.ExecuteScript("CREATE TABLE t (x BIGINT); INSERT INTO t VALUES (1);");
  }));
  ForeignWriter other(options_.path);
  EXPECT_OK(db->Read([](Transaction& tx) { return tx.QueryRow("SELECT x FROM t").status(); }));
}

}  // namespace
}  // namespace backline::storage
