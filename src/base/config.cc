#include "base/config.h"

#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

namespace backline {
namespace {

void Flatten(const toml::node& node, const std::string& prefix,
             std::map<std::string, std::string, std::less<>>& out) {
  if (const auto* table = node.as_table()) {
    for (const auto& [k, v] : *table) {
      std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
      Flatten(v, key, out);
    }
  } else if (const auto* array = node.as_array()) {
    for (size_t i = 0; i < array->size(); ++i) {
      Flatten(*array->get(i), prefix + "." + std::to_string(i), out);
    }
  } else if (const auto* s = node.as_string()) {
    out[prefix] = s->get();
  } else if (const auto* i = node.as_integer()) {
    out[prefix] = std::to_string(i->get());
  } else if (const auto* f = node.as_floating_point()) {
    std::ostringstream os;
    os << f->get();
    out[prefix] = os.str();
  } else if (const auto* b = node.as_boolean()) {
    out[prefix] = b->get() ? "true" : "false";
  } else {
    // Dates and times: keep TOML's own text form.
    std::ostringstream os;
    node.visit([&os](const auto& v) { os << v; });
    out[prefix] = os.str();
  }
}

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

Result<int64_t> ParseInt(std::string_view text) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || text.empty()) {
    return InvalidArgument("not an integer: '" + std::string(text) + "'");
  }
  return v;
}

// Splits "30s" into 30 and "s".
Result<std::pair<int64_t, std::string_view>> SplitNumberUnit(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0) return InvalidArgument("expected a number in '" + std::string(text) + "'");
  BL_ASSIGN_OR_RETURN(int64_t n, ParseInt(text.substr(0, digits)));
  return std::make_pair(n, text.substr(digits));
}

}  // namespace

Result<Config> Config::ParseToml(std::string_view text, std::string_view source_name) {
  // toml++ is built with exceptions here; they stop at this edge.
  toml::table table;
  try {
    table = toml::parse(text, source_name);
  } catch (const toml::parse_error& err) {
    std::ostringstream os;
    os << source_name << ":" << err.source().begin.line << ":" << err.source().begin.column
       << ": " << err.description();
    return InvalidArgument(os.str());
  }
  Config config;
  Flatten(table, "", config.values_);
  return config;
}

Result<Config> Config::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open config file " + path);
  std::ostringstream buf;
  buf << in.rdbuf();
  return ParseToml(buf.str(), path);
}

void Config::ApplyEnvironment(char** envp) {
  constexpr std::string_view kPrefix = "BACKLINE_";
  for (char** e = envp; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    if (!entry.starts_with(kPrefix)) continue;
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = entry.substr(kPrefix.size(), eq - kPrefix.size());
    if (name.find("__") == std::string_view::npos) continue;
    std::string key;
    for (size_t i = 0; i < name.size(); ++i) {
      if (name[i] == '_' && i + 1 < name.size() && name[i + 1] == '_') {
        key += '.';
        ++i;
      } else {
        key += static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
      }
    }
    values_[key] = std::string(entry.substr(eq + 1));
  }
}

Status Config::ApplyOverride(std::string_view assignment) {
  size_t eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return InvalidArgument("override '" + std::string(assignment) + "' is not key=value");
  }
  values_[Trim(assignment.substr(0, eq))] = Trim(assignment.substr(eq + 1));
  return Status::Ok();
}

std::string Config::GetString(std::string_view key, std::string_view fallback) const {
  auto it = values_.find(key);
  return it == values_.end() ? std::string(fallback) : it->second;
}

Result<std::string> Config::GetRequiredString(std::string_view key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return InvalidArgument("missing setting '" + std::string(key) + "'");
  return it->second;
}

Result<int64_t> Config::GetInt(std::string_view key, int64_t fallback) const {
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  auto v = ParseInt(it->second);
  if (!v.ok()) return v.status().WithContext("setting '" + std::string(key) + "'");
  return v;
}

Result<bool> Config::GetBool(std::string_view key, bool fallback) const {
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  const std::string& v = it->second;
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  return InvalidArgument("setting '" + std::string(key) + "': not a boolean: '" + v + "'");
}

Result<std::chrono::milliseconds> Config::GetDuration(std::string_view key,
                                                      std::chrono::milliseconds fallback) const {
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  auto v = ParseDuration(it->second);
  if (!v.ok()) return v.status().WithContext("setting '" + std::string(key) + "'");
  return v;
}

Result<uint64_t> Config::GetBytes(std::string_view key, uint64_t fallback) const {
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  auto v = ParseByteSize(it->second);
  if (!v.ok()) return v.status().WithContext("setting '" + std::string(key) + "'");
  return v;
}

std::vector<std::string> Config::KeysWithPrefix(std::string_view prefix) const {
  std::vector<std::string> keys;
  for (auto it = values_.lower_bound(prefix); it != values_.end() && it->first.starts_with(prefix);
       ++it) {
    keys.push_back(it->first);
  }
  return keys;
}

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  BL_ASSIGN_OR_RETURN(auto parts, SplitNumberUnit(text));
  auto [n, unit] = parts;
  using std::chrono::milliseconds;
  if (unit == "ms") return milliseconds(n);
  if (unit == "" || unit == "s") return milliseconds(n * 1000);
  if (unit == "m") return milliseconds(n * 60'000);
  if (unit == "h") return milliseconds(n * 3'600'000);
  if (unit == "d") return milliseconds(n * 86'400'000);
  return InvalidArgument("unknown duration unit '" + std::string(unit) +
                         "' (use ms, s, m, h or d)");
}

Result<uint64_t> ParseByteSize(std::string_view text) {
  BL_ASSIGN_OR_RETURN(auto parts, SplitNumberUnit(text));
  auto [n, unit] = parts;
  uint64_t v = static_cast<uint64_t>(n);
  if (unit == "" || unit == "B") return v;
  if (unit == "KiB") return v << 10;
  if (unit == "MiB") return v << 20;
  if (unit == "GiB") return v << 30;
  return InvalidArgument("unknown size unit '" + std::string(unit) +
                         "' (use B, KiB, MiB or GiB)");
}

}  // namespace backline
