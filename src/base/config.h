// Config: settings for a role, layered from lowest to highest precedence:
//   1. defaults passed at each Get*() call,
//   2. a TOML file (tables flatten to dotted keys: [http] port = 1 -> "http.port";
//      arrays flatten by index: "merchants.0.name"),
//   3. environment variables BACKLINE_<KEY> with dots written as "__"
//      (BACKLINE_HTTP__PORT=8080 sets "http.port"),
//   4. command-line overrides "--set http.port=8080".
// Values are kept as text and parsed by the typed getters, which name the key
// and the bad value in their error.
//
// Thread-safety: const methods may be called concurrently; mutation is for
// start-up only.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace backline {

class Config {
 public:
  static Result<Config> ParseToml(std::string_view text, std::string_view source_name = "config");
  static Result<Config> LoadFile(const std::string& path);

  // Applies BACKLINE_* variables from `envp` (a null-terminated array as in
  // environ); variables without "__" are not settings and are skipped.
  void ApplyEnvironment(char** envp);
  // "key=value"; an error names the malformed assignment.
  Status ApplyOverride(std::string_view assignment);
  void Set(std::string key, std::string value) { values_[std::move(key)] = std::move(value); }

  bool Has(std::string_view key) const { return values_.contains(std::string(key)); }
  std::string GetString(std::string_view key, std::string_view fallback) const;
  Result<std::string> GetRequiredString(std::string_view key) const;
  Result<int64_t> GetInt(std::string_view key, int64_t fallback) const;
  Result<bool> GetBool(std::string_view key, bool fallback) const;
  // "250ms", "30s", "5m", "2h", "7d"; a bare integer means seconds.
  Result<std::chrono::milliseconds> GetDuration(std::string_view key,
                                                std::chrono::milliseconds fallback) const;
  // "64KiB", "1MiB", "2GiB" or a bare integer of bytes.
  Result<uint64_t> GetBytes(std::string_view key, uint64_t fallback) const;

  // Every key that starts with `prefix`, in order.
  std::vector<std::string> KeysWithPrefix(std::string_view prefix) const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

// Parsers shared with flags: exposed for reuse and tests.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);
Result<uint64_t> ParseByteSize(std::string_view text);

}  // namespace backline
