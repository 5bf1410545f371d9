// Durable single-row commits per second on the SQLite backend: one writer
// thread (every commit its own fsync) against sixteen concurrent writers (group
// commit: the writer thread folds whatever queued up during one fsync into the
// next). `batches_per_commit` is fsyncs per commit: 1 without batching, 1/16 at
// best with sixteen writers.
//
// The database lives in a fresh folder under $TMPDIR (or /tmp) per run. The
// figures are bound by that disk's fsync latency, which on a shared virtual disk
// swings between runs (0.2 ms to 4 ms per fdatasync seen on one machine), so
// compare the two lines of one run, and read commits_per_fsync as the
// machine-independent figure.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "storage/database.h"
#include "storage/sqlite/sqlite_database.h"

namespace backline::storage {
namespace {

std::string g_dir;               // NOLINT: benchmark fixture state, set in Setup
std::unique_ptr<Database> g_db;  // NOLINT
std::atomic<int64_t> g_next_id{1};
DatabaseStats g_before;

void Setup(const benchmark::State&) {
  std::string templ = (std::filesystem::temp_directory_path() / "backline_bench_XXXXXX").string();
  if (mkdtemp(templ.data()) == nullptr) {
    perror("mkdtemp");
    abort();
  }
  g_dir = templ;
  SqliteOptions options;
  options.path = g_dir + "/bench.db";
  auto db = OpenSqliteDatabase(options);
  if (!db.ok()) {
    fprintf(stderr, "open: %s\n", db.status().ToString().c_str());
    abort();
  }
  g_db = std::move(db).value();
  Status s = g_db->Transact([](Transaction& tx) {
    return tx.ExecuteScript("CREATE TABLE events (id BIGINT PRIMARY KEY, body TEXT NOT NULL)");
  });
  if (!s.ok()) {
    fprintf(stderr, "schema: %s\n", s.ToString().c_str());
    abort();
  }
  g_before = g_db->stats();
}

void Teardown(const benchmark::State&) {
  g_db.reset();
  std::error_code ignored;
  std::filesystem::remove_all(g_dir, ignored);
}

void BM_DurableCommit(benchmark::State& state) {
  const std::string body(100, 'x');
  for (auto _ : state) {
    const int64_t id = g_next_id.fetch_add(1, std::memory_order_relaxed);
    Status s = g_db->Transact([&](Transaction& tx) {
      return tx.Execute("INSERT INTO events (id, body) VALUES ($1, $2)", {id, body}).status();
    });
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  // Every thread has finished its iterations once the loop is over.
  if (state.thread_index() == 0) {
    DatabaseStats after = g_db->stats();
    const double commits = static_cast<double>(after.commits - g_before.commits);
    const double batches = static_cast<double>(after.batches - g_before.batches);
    state.counters["batches_per_commit"] = commits > 0 ? batches / commits : 0;
    state.counters["commits_per_fsync"] = batches > 0 ? commits / batches : 0;
  }
}
BENCHMARK(BM_DurableCommit)->Setup(Setup)->Teardown(Teardown)->UseRealTime()->Threads(1);
BENCHMARK(BM_DurableCommit)->Setup(Setup)->Teardown(Teardown)->UseRealTime()->Threads(16);

}  // namespace
}  // namespace backline::storage

BENCHMARK_MAIN();
