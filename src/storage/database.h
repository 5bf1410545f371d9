// The storage interface every role store is written against, once, for every
// backend (SQLite today, PostgreSQL later): a Database runs transaction
// functions, a Transaction runs SQL with typed parameters and typed rows.
//
//   Status OrderStore::Create(const Order& o) {
//     return db_.Transact([&](Transaction& tx) -> Status {
//       BL_RETURN_IF_ERROR(tx.Execute(
//           "INSERT INTO orders (id, buyer, total_cents) VALUES ($1, $2, $3)",
//           {o.id, o.buyer, o.total_cents}));
//       return tx.Execute("UPDATE buyers SET orders = orders + 1 WHERE id = $1", {o.buyer})
//           .status();
//     });
//   }
//   Result<Order> OrderStore::Get(std::string_view id) {
//     return ReadValue<Order>(db_, [&](Transaction& tx) -> Result<Order> {
//       BL_ASSIGN_OR_RETURN(Row row, tx.QueryRow(
//           "SELECT buyer, total_cents FROM orders WHERE id = $1", {id}));
//       ...
//     });
//   }
//
// The rules a transaction function lives by:
//  - It commits when it returns OK and rolls back when it returns an error;
//    Transact returns that error unchanged (kAlreadyExists stays kAlreadyExists).
//  - It may run more than once: a backend re-runs it after a transient failure
//    (a lock held by another process, a PostgreSQL serialization failure). So it
//    must only touch the database and its own outputs, assigning (not
//    appending to) anything it hands back. No HTTP calls, no sleeping: while it
//    runs it may hold the only write lock.
//  - A failed statement ends the transaction. After Execute/Query returns an
//    error every later statement fails with kFailedPrecondition and the
//    transaction rolls back even if the function returns OK (PostgreSQL works
//    this way; SQLite is made to, so code tested on it stays portable). To
//    "insert unless present" use INSERT ... ON CONFLICT DO NOTHING, not an
//    insert whose error is ignored.
//  - It must not call Transact or Read on the same Database (deadlock; SQLite
//    refuses with kInternal) and must not issue BEGIN/COMMIT/ROLLBACK/SAVEPOINT.
//
// SQL is written in the portable dialect described in storage/README.md:
// parameters are $1, $2, ... (PostgreSQL's own syntax; each number from 1 to
// the number of parameters used at least once, in any order, any number of
// times), integers are BIGINT, blobs BLOB, no floats, upserts with
// ON CONFLICT, generated keys with RETURNING.
//
// How statement errors map to codes (every backend maps the same way):
//   unique or primary key violation   kAlreadyExists
//   foreign key violation             kFailedPrecondition
//   NOT NULL or CHECK violation       kInvalidArgument
//   database locked / busy, I/O error kUnavailable (after the retries)
//   disk or quota full                kResourceExhausted
//   value too large for the backend   kPayloadTooLarge
//   file corrupt, not a database      kDataLoss
//   SQL syntax, unknown table, wrong parameters, a write in a read-only
//   transaction                       kInternal (a bug in our SQL)
//
// Thread-safety: a Database is safe to use from any number of threads. A
// Transaction belongs to the one call of the function it is passed to; it must
// not be kept or shared.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>
#include <utility>

#include "base/status.h"
#include "storage/values.h"

namespace backline::storage {

enum class Dialect : uint8_t { kSqlite, kPostgres };

// "sqlite", "postgres".
std::string_view DialectName(Dialect dialect);

// One transaction, handed to a transaction function. Backends derive from it and
// implement the Do* methods; the public methods add the rules every backend
// shares (a failed statement ends the transaction, QueryRow's row count).
class Transaction {
 public:
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  virtual ~Transaction() = default;

  // Runs one statement; returns how many rows it inserted, updated or deleted.
  Result<int64_t> Execute(std::string_view sql, std::initializer_list<Param> params = {}) {
    return Execute(sql, std::span<const Param>(params.begin(), params.size()));
  }
  Result<int64_t> Execute(std::string_view sql, std::span<const Param> params);

  // Runs one statement (a SELECT, or anything with RETURNING) and returns all its rows.
  Result<Rows> Query(std::string_view sql, std::initializer_list<Param> params = {}) {
    return Query(sql, std::span<const Param>(params.begin(), params.size()));
  }
  Result<Rows> Query(std::string_view sql, std::span<const Param> params);

  // Like Query, for exactly one row: kNotFound when there is none (this does not
  // end the transaction), kInternal when there are several.
  Result<Row> QueryRow(std::string_view sql, std::initializer_list<Param> params = {}) {
    return QueryRow(sql, std::span<const Param>(params.begin(), params.size()));
  }
  Result<Row> QueryRow(std::string_view sql, std::span<const Param> params);

  // Runs several ';'-separated statements without parameters (schema changes).
  Status ExecuteScript(std::string_view sql);

  Dialect dialect() const { return dialect_; }
  // True inside Database::Read: statements that write fail with kInternal.
  bool read_only() const { return read_only_; }

  // For backends running the function: the first statement error (OK if none),
  // and whether that error is transient so the function should be run again.
  const Status& failure() const { return failure_; }
  bool retry_requested() const { return retry_requested_; }

 protected:
  Transaction(Dialect dialect, bool read_only) : dialect_(dialect), read_only_(read_only) {}

  virtual Result<int64_t> DoExecute(std::string_view sql, std::span<const Param> params) = 0;
  virtual Result<Rows> DoQuery(std::string_view sql, std::span<const Param> params) = 0;
  virtual Status DoExecuteScript(std::string_view sql) = 0;

  // Called by a Do* method that is about to return a transient error (busy,
  // serialization failure): the backend will run the function again.
  void RequestRetry() { retry_requested_ = true; }

 private:
  Status CheckUsable() const;
  void Record(const Status& status);

  Dialect dialect_;
  bool read_only_;
  Status failure_;
  bool retry_requested_ = false;
};

// Counters of a Database since it was opened. Tests and benchmarks read them to
// see group commit happen: with many writers, `batches` grows slower than
// `commits`.
struct DatabaseStats {
  int64_t commits = 0;    // transaction functions whose work was durably committed
  int64_t rollbacks = 0;  // transaction functions that failed; their work was undone
  int64_t retries = 0;    // re-runs of a function after a transient failure
  int64_t batches = 0;    // durable commits to storage (one COMMIT, one fsync each)
  int64_t reads = 0;      // read-only transactions completed
};

// A database of one role. Open one with a backend's factory (e.g.
// OpenSqliteDatabase in storage/sqlite/sqlite_database.h), then bring its
// schema up to date with Migrate (storage/migrations.h).
//
// Destroy it only after every call into it has returned and every DoneFn has
// run; the destructor finishes queued transactions first.
class Database {
 public:
  using TransactionFn = std::function<Status(Transaction&)>;
  using DoneFn = std::function<void(Status)>;

  Database() = default;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  virtual ~Database() = default;

  // Runs fn in a read-write transaction and returns once its work is durable
  // (or undone): fn's own error, a statement error, or kUnavailable when the
  // retries ran out.
  virtual Status Transact(TransactionFn fn);

  // The same, without blocking: `done` gets the status when the work is durable
  // or undone, called on a backend thread (it must be quick and must not call
  // back into this Database synchronously). fn and all it refers to must live
  // until then.
  virtual void TransactAsync(TransactionFn fn, DoneFn done) = 0;

  // Runs fn in a read-only transaction that sees one consistent snapshot of
  // committed data. Reads run concurrently with each other and with writes.
  virtual Status Read(const TransactionFn& fn) = 0;

  virtual Dialect dialect() const = 0;
  virtual DatabaseStats stats() const = 0;
};

// Read / Transact for a function that returns a value: the value of its last
// (successful) run, or the error.
template <typename T, typename Fn>
Result<T> ReadValue(Database& db, Fn&& fn) {
  std::optional<T> out;
  BL_RETURN_IF_ERROR(db.Read([&](Transaction& tx) -> Status {
    Result<T> r = fn(tx);
    if (!r.ok()) return r.status();
    out = std::move(r).value();
    return Status::Ok();
  }));
  return std::move(*out);
}
template <typename T, typename Fn>
Result<T> TransactValue(Database& db, Fn&& fn) {
  std::optional<T> out;
  BL_RETURN_IF_ERROR(db.Transact([&](Transaction& tx) -> Status {
    Result<T> r = fn(tx);
    if (!r.ok()) return r.status();
    out = std::move(r).value();
    return Status::Ok();
  }));
  return std::move(*out);
}

}  // namespace backline::storage
