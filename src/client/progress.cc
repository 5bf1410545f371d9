#include "client/progress.h"

#include <algorithm>
#include <cstdio>

namespace backline::client {

std::string FormatBytes(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f %s", value, kUnits[unit]);
  return text;
}

ProgressBar::ProgressBar(std::ostream& out)
    : out_(out), start_(std::chrono::steady_clock::now()) {}

void ProgressBar::Update(uint64_t done) {
  done_ = done;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  Draw(done);
}

void ProgressBar::Finish() {
  Draw(done_);
  out_ << '\n' << std::flush;
}

void ProgressBar::Draw(uint64_t done) {
  drawn_ = true;
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string rate =
      seconds > 0 ? FormatBytes(static_cast<uint64_t>(static_cast<double>(done) / seconds)) + "/s"
                  : "";
  std::string line = "\r";
  if (total_.has_value() && *total_ > 0) {
    constexpr int kWidth = 30;
    double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(*total_));
    int filled = static_cast<int>(fraction * kWidth);
    line += "[" + std::string(filled, '#') + std::string(kWidth - filled, '-') + "]";
    char percent[8];
    std::snprintf(percent, sizeof(percent), " %3d%%", static_cast<int>(fraction * 100));
    line += percent;
    line += "  " + FormatBytes(done) + " / " + FormatBytes(*total_);
  } else {
    line += FormatBytes(done);
  }
  line += "  " + rate + "\x1b[K";  // erase what a longer previous line left
  out_ << line << std::flush;
}

}  // namespace backline::client
