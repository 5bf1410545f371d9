// ProgressBar: one line on a terminal, redrawn in place with '\r':
//   [##########----------]  48%  4.8 MiB / 10.0 MiB  12.3 MiB/s
// Without a known total it shows bytes and rate only. Redraws at most ten
// times a second (and always on Finish), so it costs nothing per chunk.
//
// Thread-safety: one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

namespace backline::client {

// "512 B", "4.8 KiB", "10.0 MiB", "1.2 GiB".
std::string FormatBytes(uint64_t bytes);

class ProgressBar {
 public:
  // `out` is borrowed and must outlive the bar.
  explicit ProgressBar(std::ostream& out);
  void SetTotal(std::optional<uint64_t> total) { total_ = total; }
  void Update(uint64_t done);
  // Draws the last state and ends the line.
  void Finish();

 private:
  void Draw(uint64_t done);

  std::ostream& out_;
  std::optional<uint64_t> total_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_{};
  uint64_t done_ = 0;
  bool drawn_ = false;
};

}  // namespace backline::client
