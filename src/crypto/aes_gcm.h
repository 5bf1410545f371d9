// AES-GCM (128, 192 or 256-bit keys, 16-byte tags) on OpenSSL EVP.
//
// An AesGcm object holds the expanded key and reusable cipher contexts, so
// sealing many records under one key (RFC 8188 streams) costs no set-up per
// record. Not thread-safe: use one object per thread or stream.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "base/bytes.h"
#include "base/status.h"

namespace backline::crypto {

class AesGcm {
 public:
  static constexpr size_t kTagSize = 16;

  // `key` must be 16, 24 or 32 bytes.
  static Result<AesGcm> Create(ByteSpan key);
  ~AesGcm();
  AesGcm(AesGcm&&) noexcept;
  AesGcm& operator=(AesGcm&&) noexcept;

  // Writes ciphertext || tag into `out`, which must hold plaintext.size() + 16
  // bytes. `out` may alias `plaintext` exactly (in-place). The nonce must be
  // non-empty (an empty one is InvalidArgument); 12 bytes is the normal size,
  // and any other length is hashed as NIST SP 800-38D says.
  Status SealInto(ByteSpan nonce, ByteSpan aad, ByteSpan plaintext, std::span<uint8_t> out);
  Result<Bytes> Seal(ByteSpan nonce, ByteSpan aad, ByteSpan plaintext);

  // SealInto of the concatenation of `parts`, without joining them first:
  // `out` must hold their total size + 16 bytes and receives the same
  // ciphertext || tag. Each part either lies exactly where its ciphertext
  // goes in `out` (sealed in place) or does not overlap `out` at all. For a
  // caller's data followed by bytes of one's own, like RFC 8188's
  // data || delimiter || padding, sealed straight into the output.
  Status SealPartsInto(ByteSpan nonce, ByteSpan aad, std::span<const ByteSpan> parts,
                       std::span<uint8_t> out);

  // Verifies and decrypts ciphertext || tag into `out` (ciphertext size bytes;
  // may alias exactly). On failure `out` is wiped and Unauthenticated returned.
  Status OpenInto(ByteSpan nonce, ByteSpan aad, ByteSpan sealed, std::span<uint8_t> out);
  Result<Bytes> Open(ByteSpan nonce, ByteSpan aad, ByteSpan sealed);

 private:
  struct Impl;
  explicit AesGcm(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace backline::crypto
