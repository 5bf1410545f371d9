#include "delivery/completion_sender.h"

#include <algorithm>

#include "base/logging.h"
#include "protocol/messages.h"

namespace backline::delivery {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::shared_ptr<spdlog::logger> Log() { return GetLogger("delivery"); }

}  // namespace

CompletionSender::CompletionSender(CompletionOutbox& outbox, ClearinghouseClient& clearinghouse,
                                   CompletionSenderOptions options)
    : outbox_(outbox), clearinghouse_(clearinghouse), options_(options) {}

CompletionSender::~CompletionSender() { Stop(); }

void CompletionSender::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  woken_ = true;  // replay the outbox first
  thread_ = std::thread([this] { Run(); });
}

void CompletionSender::Stop() {
  {
    std::lock_guard lock(mu_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
  std::lock_guard lock(mu_);
  thread_ = std::thread();
}

void CompletionSender::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

void CompletionSender::QueueAbort(const Id& delivery_id, const Id& transaction_id) {
  {
    std::lock_guard lock(mu_);
    aborts_.emplace_back(delivery_id, transaction_id);
    woken_ = true;
  }
  cv_.notify_all();
}

CompletionSenderStats CompletionSender::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

std::chrono::milliseconds CompletionSender::Delay(int failures) const {
  auto delay = options_.initial_backoff;
  for (int i = 1; i < failures && delay < options_.max_backoff; ++i) delay *= 2;
  return std::min(delay, options_.max_backoff);
}

void CompletionSender::Run() {
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      woken_ = false;
    }
    SendAborts();
    SteadyClock::time_point next = SendDue();
    std::unique_lock lock(mu_);
    auto ready = [&] { return stopping_ || woken_; };
    if (next == SteadyClock::time_point::max()) {
      cv_.wait(lock, ready);
    } else {
      cv_.wait_until(lock, next, ready);
    }
  }
}

void CompletionSender::SendAborts() {
  std::vector<std::pair<Id, Id>> aborts;
  {
    std::lock_guard lock(mu_);
    aborts.swap(aborts_);
  }
  for (const auto& [delivery, transaction] : aborts) {
    Result<http::ClientResponse> r =
        clearinghouse_.PostBlocking(AbortPath(delivery), AbortBody(delivery, transaction));
    {
      std::lock_guard lock(mu_);
      ++stats_.aborts_sent;
    }
    if (!r.ok() || !r->ok()) {
      // Best effort: the slot's lease expires on its own.
      Log()->info("abort of delivery {} not acknowledged ({}); its lease will expire",
                  delivery.ToBase32(), r.ok() ? r->ToStatus().ToString() : r.status().ToString());
    }
  }
}

SteadyClock::time_point CompletionSender::SendDue() {
  SteadyClock::time_point next = SteadyClock::time_point::max();
  Result<std::vector<PendingCompletion>> pending = outbox_.Pending();
  if (!pending.ok()) {
    Log()->error("cannot read the completion outbox: {}", pending.status().ToString());
    return SteadyClock::now() + options_.max_backoff;
  }
  for (const PendingCompletion& completion : *pending) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return next;
    }
    Backoff& backoff = backoff_[completion.delivery_id];
    if (backoff.due > SteadyClock::now()) {
      next = std::min(next, backoff.due);
      continue;
    }
    Result<Id> id = Id::FromBase32(completion.delivery_id);
    Result<http::ClientResponse> r =
        id.ok() ? clearinghouse_.PostBlocking(protocol::CompletionPath(*id), completion.body)
                : Result<http::ClientResponse>(id.status());
    bool acknowledged = r.ok() && IsCompletionAcknowledged(*r);
    {
      std::lock_guard lock(mu_);
      ++stats_.attempts;
    }
    if (acknowledged) {
      Status removed = outbox_.Remove(completion.delivery_id);
      if (removed.ok()) {
        backoff_.erase(completion.delivery_id);
        std::lock_guard lock(mu_);
        ++stats_.acknowledged;
        continue;
      }
      // The clearinghouse has it; sending it again is harmless (idempotent).
      Log()->error("completion {} acknowledged but not removed from the outbox: {}",
                   completion.delivery_id, removed.ToString());
    }
    ++backoff.failures;
    backoff.due = SteadyClock::now() + Delay(backoff.failures);
    next = std::min(next, backoff.due);
    Log()->warn("completion of delivery {} not acknowledged (attempt {}: {}); retrying in {} ms",
                completion.delivery_id, backoff.failures,
                r.ok() ? r->ToStatus().ToString() : r.status().ToString(),
                Delay(backoff.failures).count());
  }
  return next;
}

}  // namespace backline::delivery
