#include "crypto/vectors_testing.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace backline::testing {

std::string VectorPath(std::string_view relative) {
  return std::string(BACKLINE_VECTORS_DIR) + "/" + std::string(relative);
}

std::string ReadVectorFile(std::string_view relative) {
  std::string path = VectorPath(relative);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read vector file %s\n", path.c_str());
    std::abort();
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

boost::json::value ReadVectorJson(std::string_view relative) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(ReadVectorFile(relative), ec);
  if (ec) {
    std::fprintf(stderr, "vector file %s is not JSON: %s\n", std::string(relative).c_str(),
                 ec.message().c_str());
    std::abort();
  }
  return v;
}

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::vector<CountBlock> ParseCountBlocks(std::string_view text) {
  std::vector<CountBlock> blocks;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = Trim(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    size_t eq = line.find('=');
    if (line.empty() || line.front() == '#' || eq == std::string_view::npos) continue;
    std::string key(Trim(line.substr(0, eq)));
    if (key == "COUNT") blocks.emplace_back();
    if (blocks.empty()) continue;
    blocks.back()[key] = std::string(Trim(line.substr(eq + 1)));
  }
  return blocks;
}

Bytes Unhex(std::string_view hex) {
  auto r = HexDecode(hex);
  if (!r.ok()) {
    std::fprintf(stderr, "bad hex in vector: %.*s\n", static_cast<int>(hex.size()), hex.data());
    std::abort();
  }
  return std::move(r).value();
}

}  // namespace backline::testing
