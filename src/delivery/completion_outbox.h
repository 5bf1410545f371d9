// CompletionOutbox: the delivery node's one piece of local state, a durable
// queue of completions not yet acknowledged by the clearinghouse (claim 2:
// a completion is never lost, neither while the clearinghouse is down nor
// across a restart of the node).
//
//   completions   one row per finished delivery: delivery_id (primary key),
//                 the CompletionRequest JSON exactly as it will be sent, and
//                 when it was queued. A row is deleted once acknowledged.
//
// The body is stored, not the signed request: signatures are made at each
// attempt, so a completion queued an hour ago still goes out fresh.
//
// Thread-safety: safe from any number of threads. The Database is borrowed
// and must outlive the outbox (and every EnqueueAsync's callback).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "protocol/messages.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace backline::delivery {

// Schema "delivery", migrations 1, 2, ... (append only).
std::span<const storage::Migration> DeliveryMigrations();

struct PendingCompletion {
  std::string delivery_id;  // canonical base32
  std::string body;         // CompletionRequest JSON
  int64_t queued_at = 0;    // Unix seconds
};

class CompletionOutbox {
 public:
  explicit CompletionOutbox(storage::Database& db) : db_(db) {}

  static Status Migrate(storage::Database& db, const Clock& clock);

  // Queues `completion` (a second one for the same delivery is ignored).
  // Blocking: returns once durable.
  Status Enqueue(const protocol::CompletionRequest& completion, int64_t now);
  // The same without blocking: `done` runs on a database thread once the row
  // is durable (or the write failed). For Response::on_complete, which must
  // not block.
  void EnqueueAsync(const protocol::CompletionRequest& completion, int64_t now,
                    std::function<void(Status)> done);

  // Every queued completion, oldest first.
  Result<std::vector<PendingCompletion>> Pending();
  // Forgets an acknowledged completion (no error if it is already gone).
  Status Remove(const std::string& delivery_id);

 private:
  storage::Database& db_;
};

}  // namespace backline::delivery
