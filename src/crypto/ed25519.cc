#include "crypto/ed25519.h"

#include <sodium.h>

#include "crypto/sodium_init.h"

namespace backline::crypto {

Ed25519KeyPair Ed25519KeyPair::Generate(RandomSource& random) {
  SecretBytes seed(kEd25519SeedSize);
  random.Fill(seed.mutable_span());
  return FromSeed(seed).value();
}

Result<Ed25519KeyPair> Ed25519KeyPair::FromSeed(ByteSpan seed) {
  if (seed.size() != kEd25519SeedSize) return InvalidArgument("ed25519: seed must be 32 bytes");
  internal::EnsureSodium();
  Ed25519KeyPair kp;
  crypto_sign_seed_keypair(kp.public_key_.data(), kp.secret_.data(), seed.data());
  return kp;
}

Ed25519Signature Ed25519KeyPair::Sign(ByteSpan message) const {
  Ed25519Signature sig{};
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), secret_.data());
  return sig;
}

bool Ed25519Verify(ByteSpan public_key, ByteSpan message, ByteSpan signature) {
  if (public_key.size() != kEd25519PublicKeySize || signature.size() != kEd25519SignatureSize) {
    return false;
  }
  internal::EnsureSodium();
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                     public_key.data()) == 0;
}

}  // namespace backline::crypto
