#include "crypto/x25519.h"

#include <sodium.h>

#include "crypto/sodium_init.h"

namespace backline::crypto {

X25519KeyPair X25519KeyPair::Generate(RandomSource& random) {
  SecretBytes sk(kX25519KeySize);
  random.Fill(sk.mutable_span());
  return FromPrivate(sk).value();
}

Result<X25519KeyPair> X25519KeyPair::FromPrivate(ByteSpan private_key) {
  if (private_key.size() != kX25519KeySize) {
    return InvalidArgument("x25519: private key must be 32 bytes");
  }
  internal::EnsureSodium();
  X25519KeyPair kp;
  std::copy(private_key.begin(), private_key.end(), kp.secret_.data());
  crypto_scalarmult_base(kp.public_key_.data(), kp.secret_.data());
  return kp;
}

Result<SecretBytes> X25519(ByteSpan private_key, ByteSpan peer_public) {
  if (private_key.size() != kX25519KeySize || peer_public.size() != kX25519KeySize) {
    return InvalidArgument("x25519: keys must be 32 bytes");
  }
  internal::EnsureSodium();
  SecretBytes shared(kX25519KeySize);
  // libsodium returns -1 when the result is all zeros.
  if (crypto_scalarmult(shared.data(), private_key.data(), peer_public.data()) != 0) {
    return InvalidArgument("x25519: peer public key has small order (all-zero shared secret)");
  }
  return shared;
}

}  // namespace backline::crypto
