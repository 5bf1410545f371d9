#include "storage/sqlite/sqlite_database.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "base/logging.h"
#include "storage/sqlite/connection.h"

namespace backline::storage {
namespace {

using sqlite::Connection;
using sqlite::SqliteTransaction;

// The Database whose transaction function is running on this thread, if any:
// calling back into it from there would deadlock (writer thread) or hide the
// caller's own uncommitted writes (reader), so it is refused.
thread_local const Database* tl_running = nullptr;

class RunningOn {
 public:
  explicit RunningOn(const Database* db) : saved_(tl_running) { tl_running = db; }
  ~RunningOn() { tl_running = saved_; }
  RunningOn(const RunningOn&) = delete;
  RunningOn& operator=(const RunningOn&) = delete;

 private:
  const Database* saved_;
};

Status NestedCall() {
  return Internal(
      "Transact or Read called from inside a transaction function of the same "
      "database; do all the work in the one transaction");
}

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(const SqliteOptions& options, std::unique_ptr<Connection> writer,
                 std::vector<std::unique_ptr<Connection>> readers);
  ~SqliteDatabase() override;

  Status Transact(TransactionFn fn) override;
  void TransactAsync(TransactionFn fn, DoneFn done) override;
  Status Read(const TransactionFn& fn) override;
  Dialect dialect() const override { return Dialect::kSqlite; }
  DatabaseStats stats() const override;

 private:
  struct Request {
    TransactionFn fn;
    DoneFn done;
    int attempts = 0;  // runs so far
  };
  // What became of one batch: callers to answer, and callers to run again.
  struct Outcome {
    std::vector<std::pair<DoneFn, Status>> finished;
    std::vector<Request> again;
  };

  void WriterLoop();
  void RunBatch(std::vector<Request>& batch, Outcome& out);
  // Runs one caller's function inside SAVEPOINT; false when its work must be undone.
  bool RunMember(Request& request, Status& status, bool& transient);
  // Either queues `r` to run again or, out of attempts, answers it with `error`.
  void RetryOrFail(Request r, const Status& error, bool transient, Outcome& out);

  Connection* AcquireReader();
  void ReleaseReader(Connection* conn);

  const SqliteOptions options_;

  std::unique_ptr<Connection> writer_;  // used only on writer_thread_
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Request> queue_;  // guarded by queue_mu_
  bool stopping_ = false;      // guarded by queue_mu_
  std::thread writer_thread_;

  std::vector<std::unique_ptr<Connection>> readers_;  // all of them, owned
  std::mutex readers_mu_;
  std::condition_variable readers_cv_;
  std::vector<Connection*> idle_readers_;  // guarded by readers_mu_

  std::atomic<int64_t> commits_{0};
  std::atomic<int64_t> rollbacks_{0};
  std::atomic<int64_t> retries_{0};
  std::atomic<int64_t> batches_{0};
  std::atomic<int64_t> reads_{0};
};

SqliteDatabase::SqliteDatabase(const SqliteOptions& options, std::unique_ptr<Connection> writer,
                               std::vector<std::unique_ptr<Connection>> readers)
    : options_(options), writer_(std::move(writer)), readers_(std::move(readers)) {
  for (auto& r : readers_) idle_readers_.push_back(r.get());
  writer_thread_ = std::thread([this] { WriterLoop(); });
}

SqliteDatabase::~SqliteDatabase() {
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_one();
  writer_thread_.join();  // the writer finishes everything queued first
}

DatabaseStats SqliteDatabase::stats() const {
  DatabaseStats s;
  s.commits = commits_.load(std::memory_order_relaxed);
  s.rollbacks = rollbacks_.load(std::memory_order_relaxed);
  s.retries = retries_.load(std::memory_order_relaxed);
  s.batches = batches_.load(std::memory_order_relaxed);
  s.reads = reads_.load(std::memory_order_relaxed);
  return s;
}

Status SqliteDatabase::Transact(TransactionFn fn) {
  if (tl_running == this) return NestedCall();
  // From a DoneFn, which runs on the writer thread, waiting for the writer
  // would wait forever. (TransactAsync from there is fine.)
  if (std::this_thread::get_id() == writer_thread_.get_id()) {
    return Internal("blocking Transact called on the database's writer thread (from a DoneFn?)");
  }
  return Database::Transact(std::move(fn));
}

void SqliteDatabase::TransactAsync(TransactionFn fn, DoneFn done) {
  if (tl_running == this) return done(NestedCall());
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    if (!stopping_) {
      queue_.push_back(Request{std::move(fn), std::move(done), 0});
      queue_cv_.notify_one();
      return;
    }
  }
  done(Unavailable("the database is closing"));
}

void SqliteDatabase::WriterLoop() {
  std::vector<Request> batch;
  const size_t max_batch = static_cast<size_t>(options_.max_batch);
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(queue_mu_);
      queue_cv_.wait(lock, [&] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping, and nothing left to do
      // No waiting for a batch to fill: whatever queued up while the previous
      // batch was being fsynced is the next batch.
      while (!queue_.empty() && batch.size() < max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    Outcome out;
    RunBatch(batch, out);
    batch.clear();
    if (!out.again.empty()) {
      std::lock_guard<std::mutex> lock(queue_mu_);
      // First in line again, in their original order.
      for (auto it = out.again.rbegin(); it != out.again.rend(); ++it) {
        queue_.push_front(std::move(*it));
      }
    }
    for (auto& [done, status] : out.finished) done(std::move(status));
  }
}

bool SqliteDatabase::RunMember(Request& request, Status& status, bool& transient) {
  SqliteTransaction tx(*writer_, /*read_only=*/false);
  {
    RunningOn running(this);
    status = request.fn(tx);
  }
  // A failed statement fails the transaction, whatever the function returned.
  if (status.ok()) status = tx.failure();
  transient = tx.retry_requested();
  return status.ok();
}

void SqliteDatabase::RetryOrFail(Request r, const Status& error, bool transient, Outcome& out) {
  r.attempts++;
  if (transient && r.attempts < options_.max_attempts) {
    retries_.fetch_add(1, std::memory_order_relaxed);
    out.again.push_back(std::move(r));
    return;
  }
  rollbacks_.fetch_add(1, std::memory_order_relaxed);
  Status final_error = error;
  if (transient) {
    final_error = Unavailable("gave up after " + std::to_string(r.attempts) +
                              " attempts: " + error.message());
  }
  out.finished.emplace_back(std::move(r.done), std::move(final_error));
}

// One SQLite transaction for the whole batch; one SAVEPOINT per caller.
void SqliteDatabase::RunBatch(std::vector<Request>& batch, Outcome& out) {
  Status begin = writer_->Control("BEGIN IMMEDIATE");
  if (!begin.ok()) {
    // The write lock stayed with another process past busy_timeout, or the disk
    // failed. Nobody's function ran.
    bool transient = writer_->last_failure_transient();
    for (auto& r : batch) RetryOrFail(std::move(r), begin, transient, out);
    return;
  }
  std::vector<Request> in_batch;  // functions whose work the COMMIT will carry
  Status lost;                    // set when SQLite rolled the whole transaction back by itself
  size_t i = 0;
  for (; i < batch.size() && lost.ok(); ++i) {
    Request& r = batch[i];
    Status sp = writer_->Control("SAVEPOINT caller");
    if (!sp.ok()) {
      lost = sp;
      break;
    }
    Status status;
    bool transient = false;
    if (RunMember(r, status, transient)) {
      Status release = writer_->Control("RELEASE caller");
      if (release.ok()) {
        in_batch.push_back(std::move(r));
      } else {
        lost = release;
        RetryOrFail(std::move(r), release, writer_->last_failure_transient(), out);
      }
      continue;
    }
    // Undo only this caller's work; the others' stays in the batch.
    if (writer_->InTransaction()) {
      Status undo = writer_->Control("ROLLBACK TO caller");
      if (undo.ok()) undo = writer_->Control("RELEASE caller");
      if (!undo.ok()) lost = undo;
    } else {
      lost = status;
    }
    RetryOrFail(std::move(r), status, transient, out);
  }
  if (!lost.ok()) {
    // Everything done so far is gone: run the others again.
    GetLogger("storage")->warn("sqlite: batch of {} rolled back: {}", batch.size(),
                               lost.ToString());
    if (writer_->InTransaction()) (void)writer_->Control("ROLLBACK");
    for (auto& r : in_batch) RetryOrFail(std::move(r), lost, /*transient=*/true, out);
    for (; i < batch.size(); ++i) {
      // Not run in this batch: not an attempt of theirs.
      out.again.push_back(std::move(batch[i]));
    }
    return;
  }
  if (in_batch.empty()) {
    (void)writer_->Control("ROLLBACK");  // nothing to make durable: skip the fsync
    return;
  }
  Status commit = writer_->Control("COMMIT");
  if (!commit.ok()) {
    bool transient = writer_->last_failure_transient();
    if (writer_->InTransaction()) (void)writer_->Control("ROLLBACK");
    GetLogger("storage")->warn("sqlite: COMMIT of {} failed: {}", in_batch.size(),
                               commit.ToString());
    for (auto& r : in_batch) RetryOrFail(std::move(r), commit, transient, out);
    return;
  }
  batches_.fetch_add(1, std::memory_order_relaxed);
  commits_.fetch_add(static_cast<int64_t>(in_batch.size()), std::memory_order_relaxed);
  for (auto& r : in_batch) out.finished.emplace_back(std::move(r.done), Status::Ok());
}

Connection* SqliteDatabase::AcquireReader() {
  std::unique_lock<std::mutex> lock(readers_mu_);
  readers_cv_.wait(lock, [&] { return !idle_readers_.empty(); });
  Connection* conn = idle_readers_.back();
  idle_readers_.pop_back();
  return conn;
}

void SqliteDatabase::ReleaseReader(Connection* conn) {
  {
    std::lock_guard<std::mutex> lock(readers_mu_);
    idle_readers_.push_back(conn);
  }
  readers_cv_.notify_one();
}

Status SqliteDatabase::Read(const TransactionFn& fn) {
  if (tl_running == this) return NestedCall();
  Connection* conn = AcquireReader();
  Status status;
  for (int attempt = 1;; ++attempt) {
    // BEGIN (deferred): the snapshot is taken at the first SELECT and kept to
    // the end, so every statement of fn sees the same committed state.
    status = conn->Control("BEGIN");
    bool transient = conn->last_failure_transient();
    if (status.ok()) {
      SqliteTransaction tx(*conn, /*read_only=*/true);
      {
        RunningOn running(this);
        status = fn(tx);
      }
      if (status.ok()) status = tx.failure();
      transient = tx.retry_requested();
      (void)conn->Control("ROLLBACK");  // nothing was written; ends the snapshot
    }
    if (status.ok() || !transient) break;
    if (attempt >= options_.max_attempts) {
      status = Unavailable("gave up after " + std::to_string(attempt) +
                           " attempts: " + status.message());
      break;
    }
    retries_.fetch_add(1, std::memory_order_relaxed);
  }
  ReleaseReader(conn);
  reads_.fetch_add(1, std::memory_order_relaxed);
  return status;
}

Status CheckOptions(const SqliteOptions& o) {
  if (o.path.empty()) return InvalidArgument("sqlite: no database path");
  if (o.readers < 1) return InvalidArgument("sqlite: readers must be at least 1");
  if (o.max_batch < 1) return InvalidArgument("sqlite: max_batch must be at least 1");
  if (o.max_attempts < 1) return InvalidArgument("sqlite: max_attempts must be at least 1");
  if (o.busy_timeout.count() < 0) return InvalidArgument("sqlite: negative busy_timeout");
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Database>> OpenSqliteDatabase(const SqliteOptions& options) {
  BL_RETURN_IF_ERROR(CheckOptions(options));
  // The writer first: it creates the file and switches it to WAL, which the
  // readers then find.
  BL_ASSIGN_OR_RETURN(
      std::unique_ptr<Connection> writer,
      Connection::Open(options.path, Connection::Mode::kWriter, options.busy_timeout));
  std::vector<std::unique_ptr<Connection>> readers;
  for (int i = 0; i < options.readers; ++i) {
    BL_ASSIGN_OR_RETURN(
        std::unique_ptr<Connection> r,
        Connection::Open(options.path, Connection::Mode::kReader, options.busy_timeout));
    readers.push_back(std::move(r));
  }
  return std::unique_ptr<Database>(
      std::make_unique<SqliteDatabase>(options, std::move(writer), std::move(readers)));
}

}  // namespace backline::storage
