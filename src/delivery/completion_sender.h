// CompletionSender: the background thread that delivers the outbox's
// completions to the clearinghouse and the best-effort aborts of interrupted
// streams.
//
// Each queued completion is signed afresh and POSTed; on an acknowledgment
// (IsCompletionAcknowledged) its row is deleted, otherwise (no answer, 5xx,
// or any other refusal) it is retried with exponential backoff from
// initial_backoff up to max_backoff, for as long as it takes: a completion is
// only dropped when acknowledged. Whatever is in the outbox when Start() runs
// (a previous process's unacknowledged completions) is sent at once.
// Aborts are kept in memory and tried once.
//
//   CompletionSender sender(outbox, clearinghouse, {.initial_backoff = 200ms});
//   sender.Start();
//   ... outbox.EnqueueAsync(c, now, [&](Status) { sender.Wake(); });
//   sender.Stop();   // also in the destructor
//
// Thread-safety: Wake, QueueAbort and stats from any thread; Start and Stop
// from one owner thread. The outbox and the client are borrowed and must
// outlive the sender.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/id.h"
#include "delivery/clearinghouse_client.h"
#include "delivery/completion_outbox.h"

namespace backline::delivery {

struct CompletionSenderOptions {
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{30'000};
};

struct CompletionSenderStats {
  int64_t attempts = 0;      // completion POSTs tried
  int64_t acknowledged = 0;  // completions acknowledged and removed
  int64_t aborts_sent = 0;   // abort POSTs tried
};

class CompletionSender {
 public:
  CompletionSender(CompletionOutbox& outbox, ClearinghouseClient& clearinghouse,
                   CompletionSenderOptions options = {});
  ~CompletionSender();
  CompletionSender(const CompletionSender&) = delete;
  CompletionSender& operator=(const CompletionSender&) = delete;

  // Starts the thread; it replays the outbox first. Idempotent.
  void Start();
  // Stops the thread after the request in flight, if any. Idempotent. What
  // is still queued stays in the outbox for the next Start.
  void Stop();

  // Something new is in the outbox: look now.
  void Wake();
  // Queues a best-effort abort of a delivery.
  void QueueAbort(const Id& delivery_id, const Id& transaction_id);

  CompletionSenderStats stats() const;

 private:
  struct Backoff {
    int failures = 0;
    std::chrono::steady_clock::time_point due{};
  };
  void Run();
  // Sends what is due; returns when the next retry is due (max() if none).
  std::chrono::steady_clock::time_point SendDue();
  void SendAborts();
  std::chrono::milliseconds Delay(int failures) const;

  CompletionOutbox& outbox_;
  ClearinghouseClient& clearinghouse_;
  CompletionSenderOptions options_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  std::vector<std::pair<Id, Id>> aborts_;  // (delivery, transaction)
  CompletionSenderStats stats_;
  std::map<std::string, Backoff> backoff_;  // thread-only
  std::thread thread_;
};

}  // namespace backline::delivery
