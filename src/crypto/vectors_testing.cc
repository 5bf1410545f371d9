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

Bytes Unhex(std::string_view hex) {
  auto r = HexDecode(hex);
  if (!r.ok()) {
    std::fprintf(stderr, "bad hex in vector: %.*s\n", static_cast<int>(hex.size()), hex.data());
    std::abort();
  }
  return std::move(r).value();
}

}  // namespace backline::testing
