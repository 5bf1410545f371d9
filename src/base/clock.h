// Clock: the one source of "now" in Backline. Code that reads the time takes a
// Clock& so tests can pin it (token expiry, signature freshness, checkpoints).
//
// Thread-safety: SystemClock is stateless; FakeClock is safe to read and
// advance from several threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace backline {

class Clock {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;

  // Whole seconds since the Unix epoch.
  int64_t NowUnixSeconds() const {
    return std::chrono::duration_cast<std::chrono::seconds>(Now().time_since_epoch()).count();
  }
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
  // A process-wide instance; lives forever.
  static SystemClock& Instance();
};

// A clock that only moves when told to.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t unix_seconds = 1'700'000'000) : micros_(unix_seconds * 1'000'000) {}
  TimePoint Now() const override {
    return TimePoint(std::chrono::microseconds(micros_.load(std::memory_order_relaxed)));
  }
  void Advance(std::chrono::microseconds d) { micros_.fetch_add(d.count()); }
  void SetUnixSeconds(int64_t s) { micros_.store(s * 1'000'000); }

 private:
  std::atomic<int64_t> micros_;
};

// RFC 3339 UTC with seconds, e.g. "2026-11-24T22:13:03Z".
std::string FormatRfc3339(Clock::TimePoint t);

}  // namespace backline
