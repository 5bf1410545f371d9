// Test support: loads published test vectors from ../shared/vectors/.
// Only tests and benchmarks link this.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "base/bytes.h"

namespace backline::testing {

// Absolute path of a file under the vectors folder.
std::string VectorPath(std::string_view relative);
// The file's contents; aborts with the path if it cannot be read, since a
// missing vector file must fail the test loudly, never pass it silently.
std::string ReadVectorFile(std::string_view relative);
boost::json::value ReadVectorJson(std::string_view relative);
// One block of a NIST-style "KEY = value" file: the keys from one COUNT line
// to the next.
using CountBlock = std::map<std::string, std::string, std::less<>>;
// Parses such a file: a new block starts at each COUNT; '#' lines are comments.
std::vector<CountBlock> ParseCountBlocks(std::string_view text);

// Hex to bytes; aborts on malformed hex (vector files are trusted input).
Bytes Unhex(std::string_view hex);

}  // namespace backline::testing
