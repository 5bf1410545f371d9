// Id: a 128-bit random identifier (orders, transactions, requests).
//
// Text forms: 26 lowercase base32 characters (the canonical form, used in URLs
// and databases) or 22 base64url characters. Ids are values; compare with ==.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/random.h"
#include "base/status.h"

namespace backline {

class Id {
 public:
  static constexpr size_t kSize = 16;

  Id() = default;  // all zero
  explicit Id(const std::array<uint8_t, kSize>& bytes) : bytes_(bytes) {}

  static Id Random(RandomSource& random);
  static Result<Id> FromBase32(std::string_view text);
  static Result<Id> FromBase64Url(std::string_view text);

  std::string ToBase32() const;     // canonical
  std::string ToBase64Url() const;
  const std::array<uint8_t, kSize>& bytes() const { return bytes_; }
  bool IsZero() const;

  auto operator<=>(const Id&) const = default;

 private:
  std::array<uint8_t, kSize> bytes_{};
};

}  // namespace backline

template <>
struct std::hash<backline::Id> {
  size_t operator()(const backline::Id& id) const noexcept {
    size_t h = 0;
    for (size_t i = 0; i < sizeof(size_t); ++i) h = (h << 8) | id.bytes()[i];
    return h;
  }
};
