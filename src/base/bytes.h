// Byte buffers and the text encodings Backline puts them in.
//
// Decoders are strict: they reject padding where none is allowed, characters
// outside the alphabet, and non-canonical trailing bits, so one byte string
// has exactly one accepted encoding (tokens and signatures rely on this).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace backline {

using Bytes = std::vector<uint8_t>;
using ByteSpan = std::span<const uint8_t>;

inline ByteSpan AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline Bytes ToBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }
inline std::string ToString(ByteSpan b) { return std::string(b.begin(), b.end()); }

// Lowercase hex. HexDecode accepts either case.
std::string HexEncode(ByteSpan data);
Result<Bytes> HexDecode(std::string_view hex);

// RFC 4648 section 5, URL-safe alphabet, no padding (what PASETO and JWS use).
std::string Base64UrlEncode(ByteSpan data);
Result<Bytes> Base64UrlDecode(std::string_view text);

// RFC 4648 section 4, standard alphabet, with padding (HTTP structured fields).
std::string Base64Encode(ByteSpan data);
Result<Bytes> Base64Decode(std::string_view text);

// RFC 4648 section 6 alphabet in lowercase, no padding (ids in URLs and
// file names: case-insensitive filesystems and humans both cope).
std::string Base32Encode(ByteSpan data);
Result<Bytes> Base32Decode(std::string_view text);

// Big-endian integer helpers for wire formats.
void AppendU16(Bytes& out, uint16_t v);
void AppendU32(Bytes& out, uint32_t v);
void AppendU64(Bytes& out, uint64_t v);
uint32_t ReadU32(ByteSpan in);  // precondition: in.size() >= 4

inline void Append(Bytes& out, ByteSpan data) { out.insert(out.end(), data.begin(), data.end()); }

}  // namespace backline
