#include "storage/sqlite/connection.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace backline::storage::sqlite {
namespace {

// Prepared statements kept per connection. Role stores use a few dozen distinct
// statements; when the cache fills up (generated SQL, say) it is simply emptied.
constexpr size_t kMaxCachedStatements = 256;

// Skips whitespace, ';', "-- ..." and "/* ... */".
std::string_view SkipBlank(std::string_view s) {
  while (!s.empty()) {
    if (std::isspace(static_cast<unsigned char>(s[0])) || s[0] == ';') {
      s.remove_prefix(1);
    } else if (s.starts_with("--")) {
      size_t eol = s.find('\n');
      s.remove_prefix(eol == std::string_view::npos ? s.size() : eol + 1);
    } else if (s.starts_with("/*")) {
      size_t end = s.find("*/", 2);
      s.remove_prefix(end == std::string_view::npos ? s.size() : end + 2);
    } else {
      break;
    }
  }
  return s;
}

// BEGIN, COMMIT, ... would break the backend's own transaction (and, in a group
// commit batch, other callers' work), so only the backend may issue them.
bool IsTransactionControl(std::string_view sql) {
  sql = SkipBlank(sql);
  std::string word;
  for (char c : sql) {
    if (!std::isalpha(static_cast<unsigned char>(c))) break;
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  constexpr std::array<std::string_view, 9> kControl = {
      "BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE", "ATTACH", "DETACH", "VACUUM"};
  for (std::string_view k : kControl) {
    if (word == k) return true;
  }
  return false;
}

// "$12" -> 12; 0 for anything else ("?", "?3", ":name", "$1::bigint", "$01").
int ParameterNumber(const char* name) {
  if (name == nullptr || name[0] != '$' || name[1] < '1' || name[1] > '9') return 0;
  int n = 0;
  for (const char* p = name + 1; *p != '\0'; ++p) {
    if (*p < '0' || *p > '9' || n > 100000) return 0;
    n = n * 10 + (*p - '0');
  }
  return n;
}

std::string Shorten(std::string_view sql) {
  sql = SkipBlank(sql);
  std::string out(sql.substr(0, 160));
  for (char& c : out) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  if (sql.size() > 160) out += "...";
  return out;
}

Status MapCode(int rc, std::string message) {
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      switch (rc) {
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY:
          return AlreadyExists(std::move(message));
        case SQLITE_CONSTRAINT_NOTNULL:
        case SQLITE_CONSTRAINT_CHECK:
          return InvalidArgument(std::move(message));
        default:  // foreign key, trigger RAISE(ABORT, ...)
          return FailedPrecondition(std::move(message));
      }
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
      return Unavailable(std::move(message));
    case SQLITE_FULL:
    case SQLITE_NOMEM:
      return ResourceExhausted(std::move(message));
    case SQLITE_TOOBIG:
      return PayloadTooLarge(std::move(message));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return DataLoss(std::move(message));
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return FailedPrecondition(std::move(message));
    default:  // SQLITE_ERROR (syntax, no such table), SQLITE_RANGE, SQLITE_MISUSE, ...
      return Internal(std::move(message));
  }
}

// Resets a statement when leaving scope, so a cached statement is always ready
// and never keeps pointers to the caller's (borrowed) parameters.
class ResetOnExit {
 public:
  explicit ResetOnExit(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~ResetOnExit() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

}  // namespace

struct Connection::Statement {
  ~Statement() { sqlite3_finalize(stmt); }

  sqlite3_stmt* stmt = nullptr;
  std::string sql;
  bool control = false;
  // numbers[i] is N for SQLite's parameter i + 1, spelled "$N" in the SQL.
  std::vector<int> numbers;
  int max_number = 0;
};

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, Mode mode,
                                                     std::chrono::milliseconds busy_timeout) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  if (mode == Mode::kWriter) flags |= SQLITE_OPEN_CREATE;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  // The handle is closed by ~Connection, even when opening failed.
  std::unique_ptr<Connection> conn(new Connection(db));
  if (rc != SQLITE_OK) {
    return MapCode(rc, "sqlite: cannot open " + path + ": " + sqlite3_errstr(rc));
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(busy_timeout.count()));
  if (mode == Mode::kWriter) {
    // WAL: readers never block the writer, and a commit is one append plus one
    // fsync of the log. synchronous=FULL makes that fsync happen at every COMMIT,
    // so an acknowledged transaction survives a power cut.
    BL_ASSIGN_OR_RETURN(Row row, [&]() -> Result<Row> {
      BL_ASSIGN_OR_RETURN(Rows rows, conn->Query("PRAGMA journal_mode = WAL", {}, false));
      if (rows.size() != 1) return Internal("PRAGMA journal_mode returned no row");
      return rows[0];
    }());
    BL_ASSIGN_OR_RETURN(std::string journal, row.GetText(0));
    if (journal != "wal") {
      return FailedPrecondition("sqlite: " + path + " cannot use WAL (journal mode is " + journal +
                                ")");
    }
    BL_RETURN_IF_ERROR(conn->Execute("PRAGMA synchronous = FULL", {}, false).status());
  } else {
    BL_RETURN_IF_ERROR(conn->Execute("PRAGMA query_only = ON", {}, false).status());
  }
  BL_RETURN_IF_ERROR(conn->Execute("PRAGMA foreign_keys = ON", {}, false).status());
  return conn;
}

Connection::Connection(sqlite3* db) : db_(db) {}

Connection::~Connection() {
  cache_.clear();  // finalizes every statement before the handle goes
  sqlite3_close_v2(db_);
}

bool Connection::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

Status Connection::Error(int rc, std::string_view sql) {
  last_failure_transient_ = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
  return MapCode(rc, std::string("sqlite: ") + sqlite3_errmsg(db_) + " (" + sqlite3_errstr(rc) +
                         ") in: " + Shorten(sql));
}

Result<std::unique_ptr<Connection::Statement>> Connection::PrepareNew(std::string_view sql,
                                                                      std::string_view* tail,
                                                                      bool control) {
  if (IsTransactionControl(sql) && !control) {
    return Internal("transaction control is the backend's job; refused: " + Shorten(sql));
  }
  auto st = std::make_unique<Statement>();
  const char* end = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              tail == nullptr ? SQLITE_PREPARE_PERSISTENT : 0, &st->stmt, &end);
  if (rc != SQLITE_OK) return Error(rc, sql);
  std::string_view rest = sql.substr(static_cast<size_t>(end - sql.data()));
  if (tail != nullptr) {
    *tail = rest;
    if (st->stmt == nullptr) return std::unique_ptr<Statement>();  // only comments left
  } else {
    if (st->stmt == nullptr) return Internal("empty SQL statement");
    if (!SkipBlank(rest).empty()) {
      return Internal("one statement per call (use ExecuteScript for several): " + Shorten(sql));
    }
  }
  st->sql = std::string(sql.substr(0, sql.size() - rest.size()));
  st->control = control;
  int count = sqlite3_bind_parameter_count(st->stmt);
  for (int i = 1; i <= count; ++i) {
    const char* name = sqlite3_bind_parameter_name(st->stmt, i);
    int n = ParameterNumber(name);
    if (n == 0) {
      return Internal(std::string("parameter '") + (name == nullptr ? "?" : name) +
                      "' is not portable; write $1, $2, ... (no casts with ::): " + Shorten(sql));
    }
    st->numbers.push_back(n);
    st->max_number = std::max(st->max_number, n);
  }
  // SQLite gives each distinct name one index, so the numbers are distinct;
  // as many of them as the highest means every one of $1..$max is used.
  if (count != st->max_number) {
    return Internal("parameters must be $1..$" + std::to_string(st->max_number) +
                    " with none left out: " + Shorten(sql));
  }
  return st;
}

Result<Connection::Statement*> Connection::Prepare(std::string_view sql, bool control) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) {
    if (it->second->control && !control) {
      return Internal("transaction control is the backend's job; refused: " + Shorten(sql));
    }
    return it->second.get();
  }
  BL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> st, PrepareNew(sql, nullptr, control));
  if (cache_.size() >= kMaxCachedStatements) cache_.clear();
  Statement* raw = st.get();
  cache_.emplace(std::string(sql), std::move(st));
  return raw;
}

Status Connection::Bind(Statement& st, std::span<const Param> params) {
  if (params.size() != static_cast<size_t>(st.max_number)) {
    return Internal("statement takes " + std::to_string(st.max_number) + " parameters, got " +
                    std::to_string(params.size()) + ": " + Shorten(st.sql));
  }
  BL_RETURN_IF_ERROR(CheckParams(params));
  for (size_t i = 0; i < st.numbers.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    const Param& p = params[static_cast<size_t>(st.numbers[i]) - 1];
    int rc = SQLITE_OK;
    switch (p.kind()) {
      case Param::Kind::kNull:
        rc = sqlite3_bind_null(st.stmt, index);
        break;
      case Param::Kind::kInt64:
        rc = sqlite3_bind_int64(st.stmt, index, p.int64());
        break;
      case Param::Kind::kText:
        // A null data pointer would bind NULL; an empty string is not NULL.
        rc = sqlite3_bind_text64(st.stmt, index, p.text().empty() ? "" : p.text().data(),
                                 p.text().size(), SQLITE_STATIC, SQLITE_UTF8);
        break;
      case Param::Kind::kBlob:
        rc = p.blob().empty() ? sqlite3_bind_zeroblob(st.stmt, index, 0)
                              : sqlite3_bind_blob64(st.stmt, index, p.blob().data(),
                                                    p.blob().size(), SQLITE_STATIC);
        break;
    }
    if (rc != SQLITE_OK) {
      return Error(rc, st.sql).WithContext("binding $" + std::to_string(st.numbers[i]));
    }
  }
  return Status::Ok();
}

Result<int64_t> Connection::Run(Statement& st, std::span<const Param> params, bool read_only,
                                Rows* rows) {
  if (read_only && sqlite3_stmt_readonly(st.stmt) == 0) {
    return Internal("a statement that writes, in a read-only transaction: " + Shorten(st.sql));
  }
  ResetOnExit reset(st.stmt);
  BL_RETURN_IF_ERROR(Bind(st, params));
  const int columns = sqlite3_column_count(st.stmt);
  if (rows != nullptr) {
    std::vector<std::string> names;
    names.reserve(static_cast<size_t>(columns));
    for (int c = 0; c < columns; ++c) names.emplace_back(sqlite3_column_name(st.stmt, c));
    *rows = Rows(std::move(names));
  }
  const sqlite3_int64 changes_before = sqlite3_total_changes64(db_);
  for (;;) {
    int rc = sqlite3_step(st.stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return Error(rc, st.sql);
    if (rows == nullptr) continue;
    std::vector<Value> values;
    values.reserve(static_cast<size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      switch (sqlite3_column_type(st.stmt, c)) {
        case SQLITE_INTEGER:
          values.emplace_back(static_cast<int64_t>(sqlite3_column_int64(st.stmt, c)));
          break;
        case SQLITE_TEXT: {
          // Pointer first, then size: the order SQLite documents as safe.
          const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st.stmt, c));
          values.emplace_back(
              std::string(p, static_cast<size_t>(sqlite3_column_bytes(st.stmt, c))));
          break;
        }
        case SQLITE_BLOB: {
          const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(st.stmt, c));
          auto n = static_cast<size_t>(sqlite3_column_bytes(st.stmt, c));
          values.emplace_back(n == 0 ? Bytes() : Bytes(p, p + n));
          break;
        }
        case SQLITE_NULL:
          values.emplace_back(Null{});
          break;
        default:
          return Internal("column '" + rows->column_names()[static_cast<size_t>(c)] +
                          "' holds a floating-point value; Backline stores none (CAST it to "
                          "BIGINT): " +
                          Shorten(st.sql));
      }
    }
    rows->Add(std::move(values));
  }
  // sqlite3_changes64 keeps the count of the last INSERT/UPDATE/DELETE, even
  // across later statements that change nothing; report 0 for those.
  if (sqlite3_total_changes64(db_) == changes_before) return int64_t{0};
  return static_cast<int64_t>(sqlite3_changes64(db_));
}

Result<int64_t> Connection::Execute(std::string_view sql, std::span<const Param> params,
                                    bool read_only) {
  last_failure_transient_ = false;
  BL_ASSIGN_OR_RETURN(Statement * st, Prepare(sql, false));
  return Run(*st, params, read_only, nullptr);
}

Result<Rows> Connection::Query(std::string_view sql, std::span<const Param> params,
                               bool read_only) {
  last_failure_transient_ = false;
  BL_ASSIGN_OR_RETURN(Statement * st, Prepare(sql, false));
  Rows rows;
  BL_RETURN_IF_ERROR(Run(*st, params, read_only, &rows).status());
  return rows;
}

Status Connection::ExecuteScript(std::string_view sql, bool read_only) {
  last_failure_transient_ = false;
  // Scripts run once (migrations), so their statements are not cached.
  std::string_view rest = SkipBlank(sql);
  while (!rest.empty()) {
    std::string_view tail;
    BL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> st, PrepareNew(rest, &tail, false));
    if (st == nullptr) break;
    BL_RETURN_IF_ERROR(Run(*st, {}, read_only, nullptr).status());
    rest = SkipBlank(tail);
  }
  return Status::Ok();
}

Status Connection::Control(std::string_view sql) {
  last_failure_transient_ = false;
  BL_ASSIGN_OR_RETURN(Statement * st, Prepare(sql, true));
  return Run(*st, {}, false, nullptr).status();
}

template <typename T>
T SqliteTransaction::Note(T result) {
  if (!result.ok() && conn_.last_failure_transient()) RequestRetry();
  return result;
}

Result<int64_t> SqliteTransaction::DoExecute(std::string_view sql, std::span<const Param> params) {
  return Note(conn_.Execute(sql, params, read_only()));
}

Result<Rows> SqliteTransaction::DoQuery(std::string_view sql, std::span<const Param> params) {
  return Note(conn_.Query(sql, params, read_only()));
}

Status SqliteTransaction::DoExecuteScript(std::string_view sql) {
  return Note(conn_.ExecuteScript(sql, read_only()));
}

}  // namespace backline::storage::sqlite
