// The SQLite backend of storage::Database: one database file per role, the
// embedded default (see storage/README.md).
//
// The file is opened in WAL mode with synchronous=FULL (a COMMIT returns only
// after the log is fsynced), foreign keys enforced, and a busy timeout for locks
// held by other processes.
//
// Writes: one writer connection, driven by one writer thread. Transact calls
// from all threads queue up; the writer takes everything queued (up to
// max_batch) and runs it as one SQLite transaction: each caller's function
// inside its own SAVEPOINT, so a failing function rolls back only its own work,
// then a single COMMIT, one fsync, after which every caller in the batch is
// acknowledged. While one batch is being fsynced the next one gathers, so the
// more concurrent writers, the more commits per fsync (group commit; see
// DatabaseStats::batches). Transaction functions run on the writer thread, one
// after another, so a slow one delays everybody's writes.
//
// Reads: a pool of `readers` read-only connections; Read takes one (waiting if
// all are busy), so that many reads run in parallel with each other and with
// the writer, each seeing the last committed state.
//
// Thread-safety: the Database returned is safe to use from any number of threads.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "base/status.h"
#include "storage/database.h"

namespace backline::storage {

struct SqliteOptions {
  std::string path;  // the database file, created if missing (its folder must exist)
  int readers = 4;   // read-only connections in the pool
  // Most callers' transactions in one batch (one COMMIT).
  int max_batch = 256;
  // How long a statement waits for a lock held by another process before it
  // fails as busy.
  std::chrono::milliseconds busy_timeout{5000};
  // How many times a transaction function runs before a transient failure
  // (busy) is returned as kUnavailable.
  int max_attempts = 5;
};

// Opens (creating if needed) the database file. kUnavailable when the file
// cannot be opened, kDataLoss when it is not a SQLite database.
Result<std::unique_ptr<Database>> OpenSqliteDatabase(const SqliteOptions& options);

}  // namespace backline::storage
