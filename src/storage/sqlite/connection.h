// One SQLite connection as the SQLite backend uses it (internal to
// storage/sqlite; role code uses storage/database.h).
//
// A Connection owns its sqlite3 handle and a cache of prepared statements. It
// translates Backline's portable statements ($1-style parameters, typed Params)
// into SQLite calls and SQLite's result codes into Status (the mapping is listed
// in storage/database.h).
//
// SqliteTransaction is the Transaction handed to transaction functions; it runs
// statements on a borrowed Connection, which must outlive it.
//
// Thread-safety: none. A Connection is used by one thread at a time (the writer
// thread, or whichever reader currently holds it from the pool).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "storage/database.h"
#include "storage/values.h"

struct sqlite3;
struct sqlite3_stmt;

namespace backline::storage::sqlite {

class Connection {
 public:
  enum class Mode : uint8_t {
    kWriter,  // creates the file; sets WAL, synchronous=FULL, foreign keys
    kReader,  // an existing file; query_only
  };

  static Result<std::unique_ptr<Connection>> Open(const std::string& path, Mode mode,
                                                  std::chrono::milliseconds busy_timeout);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Statements from transaction functions. `read_only` refuses statements that
  // write. Each accepts exactly one statement.
  Result<int64_t> Execute(std::string_view sql, std::span<const Param> params, bool read_only);
  Result<Rows> Query(std::string_view sql, std::span<const Param> params, bool read_only);
  // Several statements, no parameters.
  Status ExecuteScript(std::string_view sql, bool read_only);

  // Transaction control for the backend itself (BEGIN, COMMIT, SAVEPOINT, ...),
  // which Execute refuses.
  Status Control(std::string_view sql);

  // Whether a transaction is open. SQLite rolls a whole transaction back by
  // itself after some errors (disk full, I/O error); this is how to tell.
  bool InTransaction() const;

  // Whether the last failure was transient (busy / locked): worth running the
  // whole transaction again.
  bool last_failure_transient() const { return last_failure_transient_; }

 private:
  struct Statement;
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };

  explicit Connection(sqlite3* db);

  // The cached statement for `sql`, preparing it on first use.
  Result<Statement*> Prepare(std::string_view sql, bool control);
  Result<std::unique_ptr<Statement>> PrepareNew(std::string_view sql, std::string_view* tail,
                                                bool control);
  Status Bind(Statement& stmt, std::span<const Param> params);
  // Steps to the end; collects rows into `rows` when it is not null.
  Result<int64_t> Run(Statement& stmt, std::span<const Param> params, bool read_only, Rows* rows);
  Status Error(int rc, std::string_view sql);

  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<Statement>, StringHash, std::equal_to<>> cache_;
  bool last_failure_transient_ = false;
};

class SqliteTransaction final : public Transaction {
 public:
  SqliteTransaction(Connection& conn, bool read_only)
      : Transaction(Dialect::kSqlite, read_only), conn_(conn) {}

 private:
  Result<int64_t> DoExecute(std::string_view sql, std::span<const Param> params) override;
  Result<Rows> DoQuery(std::string_view sql, std::span<const Param> params) override;
  Status DoExecuteScript(std::string_view sql) override;
  template <typename T>
  T Note(T result);

  Connection& conn_;
};

}  // namespace backline::storage::sqlite
