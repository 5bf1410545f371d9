// The storage conformance suite: what every backend of storage::Database
// promises, checked on a real database. Each backend adds one entry to
// Backends() below (PostgreSQL: a scratch database on a server the test starts);
// every TEST_P then runs against each of them.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "storage/sqlite/sqlite_database.h"

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

// A fresh, empty place for one database (a temp file, a scratch database),
// removed when destroyed. Open() may be called again to reopen it.
class Place {
 public:
  virtual ~Place() = default;
  virtual Result<std::unique_ptr<Database>> Open() = 0;
};

struct Backend {
  std::string name;
  bool group_commit;  // whether stats().batches < stats().commits under concurrency
  std::function<std::unique_ptr<Place>()> make_place;
};

void PrintTo(const Backend& backend, std::ostream* os) { *os << backend.name; }

class SqlitePlace final : public Place {
 public:
  SqlitePlace() {
    std::string templ = testing::TempDir() + "backline_storage_XXXXXX";
    if (mkdtemp(templ.data()) == nullptr) {
      perror("mkdtemp");
      abort();
    }
    dir_ = templ;
  }
  ~SqlitePlace() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  Result<std::unique_ptr<Database>> Open() override {
    SqliteOptions options;
    options.path = dir_ + "/test.db";
    return OpenSqliteDatabase(options);
  }

 private:
  std::string dir_;
};

std::vector<Backend> Backends() {
  return {
      {"sqlite", true, [] { return std::make_unique<SqlitePlace>(); }},
  };
}

// Set once, waited for by many; Notify may be called more than once.
class Notification {
 public:
  void Notify() {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
    cv_.notify_all();
  }
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return done_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
};

constexpr Migration kItems[] = {
    {1, "items", R"sql(
       CREATE TABLE items (
         id BIGINT PRIMARY KEY,
         name TEXT NOT NULL,
         qty BIGINT CHECK (qty >= 0),
         data BLOB
       );)sql"},
    {2, "tags", R"sql(
       CREATE TABLE tags (
         item_id BIGINT NOT NULL REFERENCES items (id),
         tag TEXT NOT NULL,
         UNIQUE (item_id, tag)
       );)sql"},
};

// Each migration needs the one before it, so applying them out of order fails.
constexpr Migration kLog[] = {
    {1, "log table", "CREATE TABLE log (n BIGINT NOT NULL)"},
    {2, "first entry", "INSERT INTO log (n) VALUES (2)"},
    {3, "log note", "ALTER TABLE log ADD COLUMN note TEXT; UPDATE log SET note = 'after 2';"},
};

class StorageConformanceTest : public testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    place_ = GetParam().make_place();
    Reopen();
    ASSERT_OK(Migrate(db(), "items", kItems, clock_));
  }

  void Reopen() {
    db_.reset();
    auto opened = place_->Open();
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    db_ = std::move(opened).value();
  }

  Database& db() { return *db_; }

  Status Insert(int64_t id, std::string_view name = "item") {
    return db().Transact([&](Transaction& tx) {
      return tx.Execute("INSERT INTO items (id, name) VALUES ($1, $2)", {id, name}).status();
    });
  }

  std::vector<int64_t> Ids() {
    auto ids = ReadValue<std::vector<int64_t>>(db(), [](Transaction& tx) { return ReadIds(tx); });
    EXPECT_TRUE(ids.ok()) << ids.status().ToString();
    return ids.value_or({});
  }

  static Result<std::vector<int64_t>> ReadIds(Transaction& tx) {
    BL_ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT id FROM items ORDER BY id"));
    std::vector<int64_t> ids;
    for (const Row& row : rows) {
      BL_ASSIGN_OR_RETURN(int64_t id, row.GetInt64(0));
      ids.push_back(id);
    }
    return ids;
  }

  FakeClock clock_;
  std::unique_ptr<Place> place_;  // declared first: outlives the database in it
  std::unique_ptr<Database> db_;
};

using IdList = std::vector<int64_t>;

// --- migrations

TEST_P(StorageConformanceTest, MigrationsApplyOnceInOrderAndSurviveReopen) {
  ASSERT_OK(Migrate(db(), "log", std::span(kLog).first(2), clock_));
  EXPECT_EQ(2, SchemaVersion(db(), "log").value());
  ASSERT_OK(Migrate(db(), "log", kLog, clock_));
  ASSERT_OK(Migrate(db(), "log", kLog, clock_));
  Reopen();
  ASSERT_OK(Migrate(db(), "log", kLog, clock_));
  EXPECT_EQ(3, SchemaVersion(db(), "log").value());

  ASSERT_OK(db().Read([](Transaction& tx) -> Status {
    // Migration 2 ran exactly once, migration 3 after it.
    BL_ASSIGN_OR_RETURN(Row log, tx.QueryRow("SELECT n, note FROM log"));
    EXPECT_EQ(2, log.GetInt64(0).value());
    EXPECT_EQ("after 2", log.GetText("note").value());
    BL_ASSIGN_OR_RETURN(Rows recorded, tx.Query("SELECT version, name, applied_at "
                                                "FROM schema_migrations "
                                                "WHERE schema_name = $1 ORDER BY version",
                                                {"log"}));
    EXPECT_EQ(3u, recorded.size());
    for (size_t i = 0; i < recorded.size(); ++i) {
      EXPECT_EQ(kLog[i].version, recorded[i].GetInt64(0).value());
      EXPECT_EQ(kLog[i].name, recorded[i].GetText(1).value());
    }
    return Status::Ok();
  }));
}

TEST_P(StorageConformanceTest, SchemasAreIndependent) {
  EXPECT_EQ(2, SchemaVersion(db(), "items").value());
  EXPECT_EQ(0, SchemaVersion(db(), "log").value());
  ASSERT_OK(Migrate(db(), "log", kLog, clock_));
  EXPECT_EQ(2, SchemaVersion(db(), "items").value());
  EXPECT_EQ(3, SchemaVersion(db(), "log").value());
}

TEST_P(StorageConformanceTest, FailedMigrationChangesNothing) {
  constexpr Migration kBroken[] = {
      {1, "log table", "CREATE TABLE log (n BIGINT NOT NULL)"},
      {2, "typo", "INSERT INTO lgo (n) VALUES (1)"},
  };
  Status s = Migrate(db(), "log", kBroken, clock_);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string::npos, s.message().find("log/2 'typo'")) << s.ToString();
  EXPECT_EQ(0, SchemaVersion(db(), "log").value());
  // Migration 1 was undone with it, so the real list applies cleanly.
  EXPECT_OK(Migrate(db(), "log", kLog, clock_));
}

TEST_P(StorageConformanceTest, NewerSchemaIsRefused) {
  ASSERT_OK(Migrate(db(), "log", kLog, clock_));
  Reopen();
  // An older build knows only two migrations.
  Status s = Migrate(db(), "log", std::span(kLog).first(2), clock_);
  EXPECT_EQ(StatusCode::kFailedPrecondition, s.code());
  EXPECT_NE(std::string::npos, s.message().find("newer than this build")) << s.ToString();
  EXPECT_EQ(3, SchemaVersion(db(), "log").value());
}

TEST_P(StorageConformanceTest, RenamedOrMisnumberedMigrationsAreRefused) {
  ASSERT_OK(Migrate(db(), "log", std::span(kLog).first(2), clock_));
  Migration renamed[] = {kLog[0], kLog[1], kLog[2]};
  renamed[1].name = "something else";
  EXPECT_EQ(StatusCode::kFailedPrecondition, Migrate(db(), "log", renamed, clock_).code());
  Migration gap[] = {kLog[0], kLog[2]};
  EXPECT_EQ(StatusCode::kInvalidArgument, Migrate(db(), "log", gap, clock_).code());
  EXPECT_EQ(2, SchemaVersion(db(), "log").value());
}

// --- values

TEST_P(StorageConformanceTest, EveryKindRoundTripsIncludingLargeBlobsAndNull) {
  Bytes large(8 << 20);
  for (size_t i = 0; i < large.size(); ++i) large[i] = static_cast<uint8_t>(i * 7 + i / 4096);
  const std::string text = "Sigur Rós — Ágætis byrjun 東京 🎵 'quoted' \"double\" \\ %";
  ASSERT_OK(db().Transact([&](Transaction& tx) -> Status {
    BL_RETURN_IF_ERROR(tx.Execute("INSERT INTO items (id, name, qty, data) VALUES ($1, $2, $3, $4)",
                                  {INT64_MAX, text, INT64_C(0), large}));
    BL_RETURN_IF_ERROR(tx.Execute("INSERT INTO items (id, name, qty, data) VALUES ($1, $2, $3, $4)",
                                  {INT64_MIN, "", nullptr, Bytes()}));
    return tx
        .Execute("INSERT INTO items (id, name, qty, data) VALUES ($1, $2, $3, $4)",
                 {1, "nulls", std::optional<int64_t>(), std::optional<Bytes>()})
        .status();
  }));

  ASSERT_OK(db().Read([&](Transaction& tx) -> Status {
    BL_ASSIGN_OR_RETURN(
        Row max, tx.QueryRow("SELECT id, name, qty, data FROM items WHERE id = $1", {INT64_MAX}));
    EXPECT_EQ(INT64_MAX, max.GetInt64("id").value());
    EXPECT_EQ(text, max.GetText("name").value());
    EXPECT_EQ(0, max.GetInt64("qty").value());
    EXPECT_TRUE(max.GetBlob("data").value() == large);

    // Empty text and empty blobs are values, not NULL.
    BL_ASSIGN_OR_RETURN(
        Row min, tx.QueryRow("SELECT id, name, qty, data FROM items WHERE id = $1", {INT64_MIN}));
    EXPECT_EQ(INT64_MIN, min.GetInt64(0).value());
    EXPECT_EQ("", min.GetText(1).value());
    EXPECT_TRUE(min.IsNull(2).value());
    EXPECT_EQ(Bytes(), min.GetBlob(3).value());

    BL_ASSIGN_OR_RETURN(Row nulls, tx.QueryRow("SELECT qty, data FROM items WHERE id = 1"));
    EXPECT_EQ(std::nullopt, nulls.GetOptionalInt64(0).value());
    EXPECT_EQ(std::nullopt, nulls.GetOptionalBlob(1).value());
    EXPECT_EQ(StatusCode::kInternal, nulls.GetBlob(1).status().code());
    return Status::Ok();
  }));
}

TEST_P(StorageConformanceTest, ParametersAreNumberedUsableInAnyOrderAndTwice) {
  ASSERT_OK(db().Transact([](Transaction& tx) {
    return tx.Execute("INSERT INTO items (name, id, qty) VALUES ($2, $1, $1)", {5, "five"})
        .status();
  }));
  ASSERT_OK(db().Read([](Transaction& tx) -> Status {
    BL_ASSIGN_OR_RETURN(Row row, tx.QueryRow("SELECT name AS item_name, qty FROM items "
                                             "WHERE id = $1 AND qty = $1",
                                             {5}));
    EXPECT_EQ("item_name", row.column_names()[0]);
    EXPECT_EQ("five", row.GetText("item_name").value());
    EXPECT_EQ(5, row.GetInt64("qty").value());
    return Status::Ok();
  }));
}

TEST_P(StorageConformanceTest, NonPortableParametersAreRefused) {
  for (std::string_view sql :
       {"SELECT id FROM items WHERE id = ?", "SELECT id FROM items WHERE id = :id",
        "SELECT id FROM items WHERE id = $2"}) {
    Status s = db().Read([&](Transaction& tx) { return tx.Query(sql, {1}).status(); });
    EXPECT_EQ(StatusCode::kInternal, s.code()) << sql << ": " << s.ToString();
  }
  Status too_many = db().Read([](Transaction& tx) {
    return tx.Query("SELECT id FROM items WHERE id = $1", {1, 2}).status();
  });
  EXPECT_EQ(StatusCode::kInternal, too_many.code()) << too_many.ToString();
  Status bad_text = Insert(1, std::string_view("a\0b", 3));
  EXPECT_EQ(StatusCode::kInvalidArgument, bad_text.code()) << bad_text.ToString();
}

// --- transactions

TEST_P(StorageConformanceTest, ErrorFromTheFunctionRollsEverythingBack) {
  Status s = db().Transact([](Transaction& tx) -> Status {
    BL_RETURN_IF_ERROR(tx.Execute("INSERT INTO items (id, name) VALUES (1, 'a')"));
    BL_RETURN_IF_ERROR(tx.Execute("INSERT INTO items (id, name) VALUES (2, 'b')"));
    return Conflict("changed my mind");
  });
  EXPECT_EQ(Conflict("changed my mind"), s);
  EXPECT_EQ(Ids(), IdList{});
  EXPECT_EQ(1, db().stats().rollbacks);
}

TEST_P(StorageConformanceTest, AFailedStatementEndsTheTransaction) {
  ASSERT_OK(Insert(1));
  Status s = db().Transact([](Transaction& tx) -> Status {
    EXPECT_TRUE(tx.Execute("INSERT INTO items (id, name) VALUES (2, 'b')").ok());
    EXPECT_FALSE(tx.Execute("INSERT INTO items (id, name) VALUES (1, 'dup')").ok());
    auto later = tx.Execute("INSERT INTO items (id, name) VALUES (3, 'c')");
    EXPECT_EQ(StatusCode::kFailedPrecondition, later.status().code());
    return Status::Ok();  // ignoring the failure does not commit anything
  });
  EXPECT_EQ(StatusCode::kAlreadyExists, s.code()) << s.ToString();
  EXPECT_EQ(Ids(), IdList{1});
}

TEST_P(StorageConformanceTest, ConstraintViolationsMapToClearCodes) {
  ASSERT_OK(Insert(1));
  Status dup = Insert(1, "again");
  EXPECT_EQ(StatusCode::kAlreadyExists, dup.code()) << dup.ToString();
  Status unique = db().Transact([](Transaction& tx) -> Status {
    BL_RETURN_IF_ERROR(tx.Execute("INSERT INTO tags (item_id, tag) VALUES (1, 'x')"));
    return tx.Execute("INSERT INTO tags (item_id, tag) VALUES (1, 'x')").status();
  });
  EXPECT_EQ(StatusCode::kAlreadyExists, unique.code()) << unique.ToString();
  Status foreign = db().Transact([](Transaction& tx) {
    return tx.Execute("INSERT INTO tags (item_id, tag) VALUES (99, 'x')").status();
  });
  EXPECT_EQ(StatusCode::kFailedPrecondition, foreign.code()) << foreign.ToString();
  Status not_null = db().Transact([](Transaction& tx) {
    return tx.Execute("INSERT INTO items (id, name) VALUES (2, $1)", {nullptr}).status();
  });
  EXPECT_EQ(StatusCode::kInvalidArgument, not_null.code()) << not_null.ToString();
  Status check = db().Transact([](Transaction& tx) {
    return tx.Execute("INSERT INTO items (id, name, qty) VALUES (3, 'c', -1)").status();
  });
  EXPECT_EQ(StatusCode::kInvalidArgument, check.code()) << check.ToString();
  Status syntax = db().Transact([](Transaction& tx) {
    return tx.Execute("INSERT INTO no_such_table (id) VALUES (1)").status();
  });
  EXPECT_EQ(StatusCode::kInternal, syntax.code()) << syntax.ToString();
  EXPECT_EQ(Ids(), IdList{1});
}

TEST_P(StorageConformanceTest, PortableIdiomsUpsertAndReturning) {
  ASSERT_OK(db().Transact([](Transaction& tx) -> Status {
    BL_ASSIGN_OR_RETURN(Row row, tx.QueryRow("INSERT INTO items (id, name, qty) VALUES (1, 'a', 1) "
                                             "RETURNING id, qty"));
    EXPECT_EQ(1, row.GetInt64("qty").value());
    BL_ASSIGN_OR_RETURN(int64_t changed, tx.Execute("INSERT INTO items (id, name) VALUES (1, 'b') "
                                                    "ON CONFLICT (id) DO NOTHING"));
    EXPECT_EQ(0, changed);
    BL_ASSIGN_OR_RETURN(changed, tx.Execute("INSERT INTO items (id, name, qty) VALUES (1, 'c', 5) "
                                            "ON CONFLICT (id) DO UPDATE SET qty = excluded.qty"));
    EXPECT_EQ(1, changed);
    return Status::Ok();
  }));
  ASSERT_OK(Insert(2));
  ASSERT_OK(db().Transact([](Transaction& tx) -> Status {
    BL_ASSIGN_OR_RETURN(int64_t changed, tx.Execute("UPDATE items SET qty = 7"));
    EXPECT_EQ(2, changed);
    return Status::Ok();
  }));
}

TEST_P(StorageConformanceTest, QueryRowWantsExactlyOneRow) {
  ASSERT_OK(Insert(1));
  ASSERT_OK(Insert(2));
  ASSERT_OK(db().Read([](Transaction& tx) -> Status {
    EXPECT_EQ(StatusCode::kNotFound,
              tx.QueryRow("SELECT id FROM items WHERE id = 3").status().code());
    EXPECT_EQ(StatusCode::kInternal, tx.QueryRow("SELECT id FROM items").status().code());
    // Neither ended the transaction: those are answers, not failed statements.
    EXPECT_TRUE(tx.QueryRow("SELECT id FROM items WHERE id = 2").ok());
    return Status::Ok();
  }));
}

TEST_P(StorageConformanceTest, ReadOnlyTransactionsRefuseWrites) {
  Status s = db().Read([](Transaction& tx) -> Status {
    EXPECT_TRUE(tx.read_only());
    return tx.Execute("INSERT INTO items (id, name) VALUES (1, 'a')").status();
  });
  EXPECT_EQ(StatusCode::kInternal, s.code()) << s.ToString();
  EXPECT_EQ(Ids(), IdList{});
}

TEST_P(StorageConformanceTest, TransactValueReturnsWhatTheFunctionMade) {
  auto id = TransactValue<int64_t>(db(), [](Transaction& tx) -> Result<int64_t> {
    BL_ASSIGN_OR_RETURN(Row row, tx.QueryRow("INSERT INTO items (id, name) VALUES (9, 'n') "
                                             "RETURNING id"));
    return row.GetInt64(0);
  });
  EXPECT_EQ(9, id.value());
  auto missing = ReadValue<int64_t>(db(), [](Transaction& tx) -> Result<int64_t> {
    BL_ASSIGN_OR_RETURN(Row row, tx.QueryRow("SELECT id FROM items WHERE id = 10"));
    return row.GetInt64(0);
  });
  EXPECT_EQ(StatusCode::kNotFound, missing.status().code());
}

// --- concurrency and durability

TEST_P(StorageConformanceTest, ConcurrentWritersAllCommitInFewerBatches) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 25;
  const DatabaseStats before = db().stats();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (!Insert(1 + t * kPerThread + i).ok()) failures++;
      }
    });
  }
  // Readers run alongside and only ever see whole transactions.
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop) {
      EXPECT_TRUE(db().Read([](Transaction& tx) { return ReadIds(tx).status(); }).ok());
    }
  });
  for (auto& th : threads) th.join();
  stop = true;
  reader.join();

  EXPECT_EQ(0, failures.load());
  EXPECT_EQ(static_cast<size_t>(kThreads * kPerThread), Ids().size());
  const DatabaseStats after = db().stats();
  const int64_t commits = after.commits - before.commits;
  const int64_t batches = after.batches - before.batches;
  EXPECT_EQ(kThreads * kPerThread, commits);
  if (GetParam().group_commit) {
    EXPECT_LT(batches, commits) << "no group commit observed";
  }
  std::cout << "[          ] " << commits << " commits in " << batches << " batches\n";
}

TEST_P(StorageConformanceTest, AFailingTransactionInABatchUndoesOnlyItsOwnWork) {
  // A first transaction holds the writer; the next four queue up behind it and,
  // on a group-committing backend, are then applied together in one batch.
  Notification started;
  Notification release;
  Notification all_done;
  std::mutex mu;
  std::vector<Status> results(5);
  int done_count = 0;
  auto done = [&](size_t slot) {
    return [&, slot](Status s) {
      std::lock_guard<std::mutex> lock(mu);
      results[slot] = std::move(s);
      if (++done_count == 5) all_done.Notify();
    };
  };
  auto insert = [](Transaction& tx, int64_t id) {
    return tx.Execute("INSERT INTO items (id, name) VALUES ($1, 'x')", {id}).status();
  };
  db().TransactAsync(
      [&](Transaction& tx) {
        started.Notify();
        release.Wait();
        return insert(tx, 1);
      },
      done(0));
  started.Wait();
  const DatabaseStats before = db().stats();
  db().TransactAsync([&](Transaction& tx) { return insert(tx, 2); }, done(1));
  db().TransactAsync(
      [&](Transaction& tx) -> Status {
        BL_RETURN_IF_ERROR(insert(tx, 3));
        return insert(tx, 2);  // taken by the transaction before, in the same batch
      },
      done(2));
  db().TransactAsync([&](Transaction& tx) { return insert(tx, 4); }, done(3));
  db().TransactAsync(
      [&](Transaction& tx) -> Status {
        BL_RETURN_IF_ERROR(insert(tx, 5));
        return Conflict("no");
      },
      done(4));
  release.Notify();
  all_done.Wait();

  EXPECT_TRUE(results[0].ok()) << results[0].ToString();
  EXPECT_TRUE(results[1].ok()) << results[1].ToString();
  EXPECT_EQ(StatusCode::kAlreadyExists, results[2].code()) << results[2].ToString();
  EXPECT_TRUE(results[3].ok()) << results[3].ToString();
  EXPECT_EQ(Conflict("no"), results[4]);
  EXPECT_EQ(Ids(), (IdList{1, 2, 4}));
  const DatabaseStats after = db().stats();
  EXPECT_EQ(3, after.commits - before.commits);
  EXPECT_EQ(2, after.rollbacks - before.rollbacks);
  if (GetParam().group_commit) {
    EXPECT_EQ(2, after.batches - before.batches) << "the four did not share one batch";
  }
}

TEST_P(StorageConformanceTest, DataSurvivesCloseAndReopen) {
  ASSERT_OK(Insert(1, "kept"));
  // Queued but not waited for: closing finishes it first.
  Notification committed;
  Status late;
  db().TransactAsync(
      [](Transaction& tx) {
        return tx
            .Execute("INSERT INTO items (id, name, data) VALUES (2, 'late', $1)", {Bytes{0, 1, 2}})
            .status();
      },
      [&](Status s) {
        late = std::move(s);
        committed.Notify();
      });
  Reopen();
  committed.Wait();
  EXPECT_TRUE(late.ok()) << late.ToString();
  ASSERT_OK(Migrate(db(), "items", kItems, clock_));
  EXPECT_EQ(Ids(), (IdList{1, 2}));
  ASSERT_OK(db().Read([](Transaction& tx) -> Status {
    BL_ASSIGN_OR_RETURN(Row row, tx.QueryRow("SELECT name, data FROM items WHERE id = 2"));
    EXPECT_EQ("late", row.GetText(0).value());
    EXPECT_EQ((Bytes{0, 1, 2}), row.GetBlob(1).value());
    return Status::Ok();
  }));
}

INSTANTIATE_TEST_SUITE_P(Backends, StorageConformanceTest, testing::ValuesIn(Backends()),
                         [](const testing::TestParamInfo<Backend>& param) {
                           return param.param.name;
                         });

}  // namespace
}  // namespace backline::storage
