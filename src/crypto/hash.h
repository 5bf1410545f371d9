// SHA-256, HMAC-SHA256 and HKDF-SHA256 (RFC 5869), on OpenSSL EVP.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/secure.h"

namespace backline::crypto {

inline constexpr size_t kSha256Size = 32;
using Sha256Digest = std::array<uint8_t, kSha256Size>;

Sha256Digest Sha256(ByteSpan data);

// Incremental SHA-256 for data that arrives in pieces (content store, Merkle).
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(Sha256Hasher&&) noexcept;
  Sha256Hasher& operator=(Sha256Hasher&&) noexcept;
  void Update(ByteSpan data);
  // Returns the digest; the hasher is reset for reuse.
  Sha256Digest Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

Sha256Digest HmacSha256(ByteSpan key, ByteSpan data);

// HKDF-Extract: PRK = HMAC-SHA256(salt, ikm). An empty salt means HashLen zeros.
SecretBytes HkdfExtract(ByteSpan salt, ByteSpan ikm);
// HKDF-Expand: `length` bytes of output keying material, at most 255 * 32.
Result<SecretBytes> HkdfExpand(ByteSpan prk, ByteSpan info, size_t length);
// Extract then expand.
Result<SecretBytes> Hkdf(ByteSpan salt, ByteSpan ikm, ByteSpan info, size_t length);

}  // namespace backline::crypto
