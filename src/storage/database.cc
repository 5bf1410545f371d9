#include "storage/database.h"

#include <future>
#include <memory>

namespace backline::storage {

std::string_view DialectName(Dialect dialect) {
  switch (dialect) {
    case Dialect::kSqlite:
      return "sqlite";
    case Dialect::kPostgres:
      return "postgres";
  }
  return "unknown";
}

// PostgreSQL refuses every statement after a failed one until the transaction
// ends; enforcing that here, for every backend, keeps code that was only ever
// tested on SQLite from relying on SQLite's leniency.
Status Transaction::CheckUsable() const {
  if (failure_.ok()) return Status::Ok();
  return FailedPrecondition("an earlier statement in this transaction failed (" +
                            failure_.ToString() + "); the transaction can only roll back");
}

void Transaction::Record(const Status& status) {
  if (!status.ok() && failure_.ok()) failure_ = status;
}

Result<int64_t> Transaction::Execute(std::string_view sql, std::span<const Param> params) {
  BL_RETURN_IF_ERROR(CheckUsable());
  Result<int64_t> r = DoExecute(sql, params);
  Record(r.status());
  return r;
}

Result<Rows> Transaction::Query(std::string_view sql, std::span<const Param> params) {
  BL_RETURN_IF_ERROR(CheckUsable());
  Result<Rows> r = DoQuery(sql, params);
  Record(r.status());
  return r;
}

Result<Row> Transaction::QueryRow(std::string_view sql, std::span<const Param> params) {
  BL_ASSIGN_OR_RETURN(Rows rows, Query(sql, params));
  if (rows.empty()) return NotFound("no row matches");
  if (rows.size() > 1) {
    return Internal("expected one row, got " + std::to_string(rows.size()) +
                    " from: " + std::string(sql.substr(0, 120)));
  }
  return std::move(rows[0]);
}

Status Transaction::ExecuteScript(std::string_view sql) {
  BL_RETURN_IF_ERROR(CheckUsable());
  Status s = DoExecuteScript(sql);
  Record(s);
  return s;
}

Status Database::Transact(TransactionFn fn) {
  // shared_ptr: the promise must outlive the backend's call of `done`, which may
  // still be returning when get() wakes this thread.
  auto promise = std::make_shared<std::promise<Status>>();
  std::future<Status> result = promise->get_future();
  TransactAsync(std::move(fn), [promise](Status s) { promise->set_value(std::move(s)); });
  return result.get();
}

}  // namespace backline::storage
