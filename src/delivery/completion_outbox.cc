#include "delivery/completion_outbox.h"

#include <memory>
#include <utility>

#include "protocol/json_fields.h"

namespace backline::delivery {
namespace {

constexpr storage::Migration kMigrations[] = {
    {1, "completion outbox", R"sql(
CREATE TABLE completions (
  delivery_id TEXT PRIMARY KEY,
  body TEXT NOT NULL,
  queued_at BIGINT NOT NULL
);
CREATE INDEX completions_by_age ON completions (queued_at);
)sql"},
};

constexpr std::string_view kInsert =
    "INSERT INTO completions (delivery_id, body, queued_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (delivery_id) DO NOTHING";

}  // namespace

std::span<const storage::Migration> DeliveryMigrations() { return kMigrations; }

Status CompletionOutbox::Migrate(storage::Database& db, const Clock& clock) {
  return storage::Migrate(db, "delivery", DeliveryMigrations(), clock);
}

Status CompletionOutbox::Enqueue(const protocol::CompletionRequest& completion, int64_t now) {
  std::string id = completion.delivery_id.ToBase32();
  std::string body = protocol::SerializeJson(completion.ToJson());
  return db_.Transact([&](storage::Transaction& tx) -> Status {
    return tx.Execute(kInsert, {id, body, now}).status();
  });
}

void CompletionOutbox::EnqueueAsync(const protocol::CompletionRequest& completion, int64_t now,
                                    std::function<void(Status)> done) {
  // The function must live until `done`: it owns copies of what it writes.
  auto row = std::make_shared<PendingCompletion>(PendingCompletion{
      completion.delivery_id.ToBase32(), protocol::SerializeJson(completion.ToJson()), now});
  db_.TransactAsync(
      [row](storage::Transaction& tx) -> Status {
        return tx.Execute(kInsert, {row->delivery_id, row->body, row->queued_at}).status();
      },
      std::move(done));
}

Result<std::vector<PendingCompletion>> CompletionOutbox::Pending() {
  return storage::ReadValue<std::vector<PendingCompletion>>(
      db_, [](storage::Transaction& tx) -> Result<std::vector<PendingCompletion>> {
        BL_ASSIGN_OR_RETURN(storage::Rows rows,
                            tx.Query("SELECT delivery_id, body, queued_at FROM completions "
                                     "ORDER BY queued_at, delivery_id"));
        std::vector<PendingCompletion> out;
        for (const storage::Row& row : rows) {
          PendingCompletion p;
          BL_ASSIGN_OR_RETURN(p.delivery_id, row.GetText("delivery_id"));
          BL_ASSIGN_OR_RETURN(p.body, row.GetText("body"));
          BL_ASSIGN_OR_RETURN(p.queued_at, row.GetInt64("queued_at"));
          out.push_back(std::move(p));
        }
        return out;
      });
}

Status CompletionOutbox::Remove(const std::string& delivery_id) {
  return db_.Transact([&](storage::Transaction& tx) -> Status {
    return tx.Execute("DELETE FROM completions WHERE delivery_id = $1", {delivery_id}).status();
  });
}

}  // namespace backline::delivery
