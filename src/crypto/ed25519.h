// Ed25519 signatures (RFC 8032), on libsodium.
//
// Verification is strict: it rejects non-canonical encodings of S and of the
// public key and small-order keys (Wycheproof's "invalid" cases).
#pragma once

#include <array>
#include <cstdint>

#include "base/bytes.h"
#include "base/random.h"
#include "base/status.h"
#include "crypto/secure.h"

namespace backline::crypto {

inline constexpr size_t kEd25519PublicKeySize = 32;
inline constexpr size_t kEd25519SeedSize = 32;
inline constexpr size_t kEd25519SignatureSize = 64;

using Ed25519PublicKey = std::array<uint8_t, kEd25519PublicKeySize>;
using Ed25519Signature = std::array<uint8_t, kEd25519SignatureSize>;

class Ed25519KeyPair {
 public:
  static Ed25519KeyPair Generate(RandomSource& random);
  // `seed` is the 32-byte private key of RFC 8032.
  static Result<Ed25519KeyPair> FromSeed(ByteSpan seed);

  const Ed25519PublicKey& public_key() const { return public_key_; }
  // The 32-byte seed; treat as secret.
  ByteSpan seed() const { return ByteSpan(secret_.data(), kEd25519SeedSize); }

  Ed25519Signature Sign(ByteSpan message) const;

 private:
  Ed25519KeyPair() : secret_(64) {}
  SecretBytes secret_;  // libsodium's 64-byte form: seed || public key
  Ed25519PublicKey public_key_{};
};

// True iff `signature` is a valid signature of `message` under `public_key`.
// Wrong sizes are simply invalid.
[[nodiscard]] bool Ed25519Verify(ByteSpan public_key, ByteSpan message, ByteSpan signature);

}  // namespace backline::crypto
