#include "base/id.h"

#include <algorithm>

#include "base/bytes.h"

namespace backline {
namespace {

Result<Id> FromDecoded(Result<Bytes> decoded, std::string_view what) {
  if (!decoded.ok()) return decoded.status().WithContext(what);
  if (decoded->size() != Id::kSize) {
    return InvalidArgument(std::string(what) + ": expected 16 bytes");
  }
  std::array<uint8_t, Id::kSize> b{};
  std::copy(decoded->begin(), decoded->end(), b.begin());
  return Id(b);
}

}  // namespace

Id Id::Random(RandomSource& random) {
  std::array<uint8_t, kSize> b{};
  random.Fill(b);
  return Id(b);
}

Result<Id> Id::FromBase32(std::string_view text) {
  if (text.size() != 26) return InvalidArgument("id: expected 26 base32 characters");
  return FromDecoded(Base32Decode(text), "id");
}

Result<Id> Id::FromBase64Url(std::string_view text) {
  if (text.size() != 22) return InvalidArgument("id: expected 22 base64url characters");
  return FromDecoded(Base64UrlDecode(text), "id");
}

std::string Id::ToBase32() const { return Base32Encode(bytes_); }
std::string Id::ToBase64Url() const { return Base64UrlEncode(bytes_); }

bool Id::IsZero() const {
  return std::all_of(bytes_.begin(), bytes_.end(), [](uint8_t b) { return b == 0; });
}

}  // namespace backline
