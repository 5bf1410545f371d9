// PASETO version 4 tokens (paseto-standard/paseto-spec, "Version 4").
//
//   v4.local   symmetric: XChaCha20 for secrecy and a keyed BLAKE2b-256 tag
//              for integrity; encryption and authentication keys are split
//              from one 32-byte key and a fresh 32-byte nonce with BLAKE2b.
//              Used for tokens only the issuer reads (vouchers).
//   v4.public  Ed25519 signatures; anyone with the public key can verify.
//              The payload is signed, not encrypted. Used for delivery tokens
//              and payment authorizations.
//
// A token is "v4.<purpose>.<base64url body>[.<base64url footer>]". The footer
// is authenticated but not encrypted (put a key id there, never a secret). The
// implicit assertion is authenticated but not carried in the token: both sides
// must supply the same bytes, e.g. the id of the resource the token is for.
//
// Parsing is strict: the header must be exactly "v4.local." or "v4.public.",
// base64url must be unpadded and canonical, an empty footer must be omitted
// rather than sent as a trailing ".", and a body too short to hold its nonce,
// tag or signature is rejected. Errors:
//   kInvalidArgument  the token is malformed or of the other purpose/version;
//   kUnauthenticated  the tag or signature does not verify, or the footer is
//                     not the one the caller expected.
//
// Payloads and footers are byte strings held in std::string; the claims layer
// (crypto/paseto_claims.h) puts JSON in them.
//
// Thread-safety: the functions are reentrant; a PasetoLocalKey is an immutable
// value once built.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/random.h"
#include "base/status.h"
#include "crypto/ed25519.h"
#include "crypto/secure.h"

namespace backline::crypto {

inline constexpr size_t kPasetoLocalKeySize = 32;
inline constexpr size_t kPasetoLocalNonceSize = 32;

// A v4.local key: 32 secret bytes, wiped when the key is destroyed. Typed so a
// v4.local key cannot be handed where an Ed25519 key is expected.
class PasetoLocalKey {
 public:
  // `key` must be exactly 32 bytes.
  static Result<PasetoLocalKey> FromBytes(ByteSpan key);
  static PasetoLocalKey Generate(RandomSource& random);

  // Treat as secret.
  ByteSpan bytes() const { return key_.span(); }

 private:
  explicit PasetoLocalKey(SecretBytes key) : key_(std::move(key)) {}
  SecretBytes key_;
};

// What an opened token holds.
struct PasetoMessage {
  std::string payload;
  std::string footer;  // empty when the token has none
};

// Options for opening (decrypting or verifying) a token.
struct PasetoOpenOptions {
  // Must equal the implicit assertion the token was made with.
  std::string_view implicit_assertion{};
  // When set, the token's footer must equal it exactly (compared in constant
  // time); a token without a footer matches only an empty expectation.
  std::optional<std::string_view> expected_footer{};
};

// Pre-Authentication Encoding: LE64(count) || for each piece LE64(len) || piece,
// with the top bit of every LE64 cleared.
Bytes PasetoPae(std::span<const ByteSpan> pieces);

// v4.local with a fresh nonce drawn from `random`.
std::string PasetoV4Encrypt(const PasetoLocalKey& key, std::string_view payload,
                            std::string_view footer, std::string_view implicit_assertion,
                            RandomSource& random);
// v4.local with an explicit 32-byte nonce. For known-answer tests only: a
// reused nonce reveals the XOR of the two payloads.
Result<std::string> PasetoV4EncryptWithNonce(const PasetoLocalKey& key, std::string_view payload,
                                             std::string_view footer,
                                             std::string_view implicit_assertion, ByteSpan nonce);
Result<PasetoMessage> PasetoV4Decrypt(std::string_view token, const PasetoLocalKey& key,
                                      const PasetoOpenOptions& options = {});

// v4.public. Ed25519 is deterministic, so the same inputs give the same token.
std::string PasetoV4Sign(const Ed25519KeyPair& key, std::string_view payload,
                         std::string_view footer = {}, std::string_view implicit_assertion = {});
// `public_key` must be 32 bytes (kInvalidArgument otherwise).
Result<PasetoMessage> PasetoV4Verify(std::string_view token, ByteSpan public_key,
                                     const PasetoOpenOptions& options = {});

// The footer of a v4 token of either purpose, decoded but NOT authenticated:
// only for choosing a key (by key id) before verifying. Empty if there is none.
Result<std::string> PasetoUnverifiedFooter(std::string_view token);

}  // namespace backline::crypto
