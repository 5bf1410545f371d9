#include "base/clock.h"

#include <ctime>

namespace backline {

SystemClock& SystemClock::Instance() {
  static SystemClock instance;
  return instance;
}

std::string FormatRfc3339(Clock::TimePoint t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace backline
