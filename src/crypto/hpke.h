// HPKE (RFC 9180) for one suite: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
// AES-128-GCM; modes base (0) and auth (2). Built on our primitives because
// OpenSSL 3.0 has no HPKE.
//
// A sender sets up a context against the recipient's public key and gets
// `enc` (the 32-byte encapsulated key) to send along; the recipient sets up
// the matching context from `enc` and its key pair. Each context then seals or
// opens a sequence of messages (the nth Seal pairs with the nth successful
// Open) and can export secrets (RFC 9180 section 5.3).
//
//   BL_ASSIGN_OR_RETURN(HpkeSenderSetup s, HpkeSetupBaseSender(pk_r, info, random));
//   BL_ASSIGN_OR_RETURN(Bytes ct, s.context.Seal(aad, plaintext));
//   ... send s.enc and ct ...
//   BL_ASSIGN_OR_RETURN(HpkeRecipientContext r, HpkeSetupBaseRecipient(enc, key_r, info));
//   BL_ASSIGN_OR_RETURN(Bytes pt, r.Open(aad, ct));
//
// Randomness: the sender draws 32 bytes from `random` and turns them into the
// ephemeral key with DeriveKeyPair (RFC 9180 section 7.1.3). A RandomSource
// that yields a vector's ikmE therefore reproduces the RFC's ciphertexts.
//
// Errors: malformed keys or sizes are InvalidArgument (a peer key of small
// order too, since X25519 then yields all zeros); a ciphertext that does not
// authenticate is Unauthenticated; a context that has sealed or opened
// 2^64 - 1 messages refuses more with ResourceExhausted (RFC 9180 allows
// 2^96 - 1; no stream comes near either).
//
// Thread-safety: contexts are values with a mutable sequence number; use one
// per thread. The free functions are thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <utility>

#include "base/bytes.h"
#include "base/random.h"
#include "base/status.h"
#include "crypto/aes_gcm.h"
#include "crypto/secure.h"
#include "crypto/x25519.h"

namespace backline::crypto {

inline constexpr size_t kHpkeEncSize = 32;                  // Nenc: the X25519 public key
inline constexpr size_t kHpkeKeySize = 16;                  // Nk: AES-128
inline constexpr size_t kHpkeNonceSize = 12;                // Nn
inline constexpr size_t kHpkeTagSize = 16;                  // Nt
inline constexpr size_t kHpkeMaxExport = size_t{255} * 32;  // 255 * Nh

enum class HpkeMode : uint8_t { kBase = 0x00, kAuth = 0x02 };

// DeriveKeyPair(ikm) of DHKEM(X25519, HKDF-SHA256), RFC 9180 section 7.1.3.
// Deterministic: the same ikm always gives the same key pair. `ikm` should
// hold at least 32 bytes of entropy; an empty ikm is rejected.
Result<X25519KeyPair> HpkeDeriveKeyPair(ByteSpan ikm);

class HpkeTestPeer;
namespace internal {
struct HpkeAccess;
// What the key schedule (section 5.1) hands a context.
struct HpkeKeys {
  HpkeMode mode;
  AesGcm aead;
  SecretBytes base_nonce;
  SecretBytes exporter_secret;
};
}  // namespace internal

// The state both sides share after setup: AEAD key, base nonce, sequence
// number and exporter secret. Made only by the setup functions below.
class HpkeContext {
 public:
  HpkeContext(HpkeContext&&) noexcept = default;
  HpkeContext& operator=(HpkeContext&&) noexcept = default;

  // Exporter secret of `length` bytes for `exporter_context` (section 5.3);
  // length at most kHpkeMaxExport. Both sides export the same value.
  Result<SecretBytes> Export(ByteSpan exporter_context, size_t length) const;

  HpkeMode mode() const { return mode_; }
  // Messages sealed or opened so far (the next message's sequence number).
  uint64_t sequence() const { return seq_; }

 protected:
  explicit HpkeContext(internal::HpkeKeys keys)
      : mode_(keys.mode),
        aead_(std::move(keys.aead)),
        base_nonce_(std::move(keys.base_nonce)),
        exporter_secret_(std::move(keys.exporter_secret)) {}

  // base_nonce XOR I2OSP(seq, 12); ResourceExhausted once seq is used up.
  Result<std::array<uint8_t, kHpkeNonceSize>> CurrentNonce() const;

  HpkeMode mode_;
  AesGcm aead_;
  SecretBytes base_nonce_;
  SecretBytes exporter_secret_;
  uint64_t seq_ = 0;

 private:
  friend class HpkeTestPeer;
};

class HpkeSenderContext : public HpkeContext {
 public:
  // Encrypts the next message: ciphertext || 16-byte tag.
  Result<Bytes> Seal(ByteSpan aad, ByteSpan plaintext);

 private:
  friend struct internal::HpkeAccess;
  explicit HpkeSenderContext(internal::HpkeKeys keys) : HpkeContext(std::move(keys)) {}
};

class HpkeRecipientContext : public HpkeContext {
 public:
  // Decrypts the next message. On Unauthenticated the sequence number does
  // not advance, so a forged message does not desynchronise the stream.
  Result<Bytes> Open(ByteSpan aad, ByteSpan ciphertext);

 private:
  friend struct internal::HpkeAccess;
  explicit HpkeRecipientContext(internal::HpkeKeys keys) : HpkeContext(std::move(keys)) {}
};

struct HpkeSenderSetup {
  Bytes enc;  // kHpkeEncSize bytes: send this to the recipient
  HpkeSenderContext context;
};

// SetupBaseS: anyone holding the recipient's public key can send.
Result<HpkeSenderSetup> HpkeSetupBaseSender(ByteSpan recipient_public, ByteSpan info,
                                            RandomSource& random);
// SetupAuthS: the recipient learns that the holder of `sender` sent it.
Result<HpkeSenderSetup> HpkeSetupAuthSender(ByteSpan recipient_public, ByteSpan info,
                                            const X25519KeyPair& sender, RandomSource& random);

// SetupBaseR.
Result<HpkeRecipientContext> HpkeSetupBaseRecipient(ByteSpan enc, const X25519KeyPair& recipient,
                                                    ByteSpan info);
// SetupAuthR: fails to open anything unless `sender_public` really sent it.
Result<HpkeRecipientContext> HpkeSetupAuthRecipient(ByteSpan enc, const X25519KeyPair& recipient,
                                                    ByteSpan info, ByteSpan sender_public);

// Single-shot encryption (section 6.1): one message, sequence number 0.
struct HpkeSealed {
  Bytes enc;
  Bytes ciphertext;
};
Result<HpkeSealed> HpkeSealBase(ByteSpan recipient_public, ByteSpan info, ByteSpan aad,
                                ByteSpan plaintext, RandomSource& random);
Result<Bytes> HpkeOpenBase(ByteSpan enc, const X25519KeyPair& recipient, ByteSpan info,
                           ByteSpan aad, ByteSpan ciphertext);
Result<HpkeSealed> HpkeSealAuth(ByteSpan recipient_public, ByteSpan info, ByteSpan aad,
                                ByteSpan plaintext, const X25519KeyPair& sender,
                                RandomSource& random);
Result<Bytes> HpkeOpenAuth(ByteSpan enc, const X25519KeyPair& recipient, ByteSpan info,
                           ByteSpan aad, ByteSpan ciphertext, ByteSpan sender_public);

}  // namespace backline::crypto
