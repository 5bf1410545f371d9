// X25519 key agreement (RFC 7748), on libsodium.
#pragma once

#include <array>
#include <cstdint>

#include "base/bytes.h"
#include "base/random.h"
#include "base/status.h"
#include "crypto/secure.h"

namespace backline::crypto {

inline constexpr size_t kX25519KeySize = 32;
using X25519PublicKey = std::array<uint8_t, kX25519KeySize>;

class X25519KeyPair {
 public:
  static X25519KeyPair Generate(RandomSource& random);
  // Any 32 bytes are a valid private key (clamped as RFC 7748 says).
  static Result<X25519KeyPair> FromPrivate(ByteSpan private_key);

  const X25519PublicKey& public_key() const { return public_key_; }
  ByteSpan private_key() const { return secret_; }

 private:
  X25519KeyPair() : secret_(kX25519KeySize) {}
  SecretBytes secret_;
  X25519PublicKey public_key_{};
};

// The shared secret X25519(private_key, peer_public). Fails on wrong sizes and
// when the result is all zeros (a small-order peer key, RFC 7748 section 6.1).
Result<SecretBytes> X25519(ByteSpan private_key, ByteSpan peer_public);

}  // namespace backline::crypto
