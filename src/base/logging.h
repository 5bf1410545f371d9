// Structured logging on spdlog. InitLogging() configures the default logger
// once at start-up; code then logs with spdlog::info(...) etc., passing values
// as fmt arguments. Never log secrets, card numbers or key material.
//
// With json = true each line is one JSON object:
//   {"ts":"2026-11-24T22:13:03.123Z","level":"info","logger":"http","msg":"..."}
#pragma once

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

#include "base/status.h"

namespace backline {

struct LogOptions {
  std::string level = "info";  // trace, debug, info, warn, error, critical, off
  bool json = false;
  std::string file;            // empty: stderr
};

Status InitLogging(const LogOptions& options);

// A named logger sharing the default logger's sinks and format.
std::shared_ptr<spdlog::logger> GetLogger(const std::string& name);

// Escapes `text` for inclusion in a JSON string (without the quotes).
std::string JsonEscape(std::string_view text);

}  // namespace backline
