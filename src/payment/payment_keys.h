// The payment authority's secrets: the Ed25519 key that signs authorization
// tokens and the 32-byte key of the card fingerprint (HMAC-SHA256 of PANs;
// it also keys the stored hashes of Idempotency-Keys, under its own label).
//
// They live in one key file, JSON, readable by its owner only (mode 0600):
//
//   {"kind":"backline-payment-keys","version":1,
//    "ed25519_seed":"<base64url, 32 bytes>","card_hmac_key":"<base64url, 32 bytes>"}
//
// LoadOrCreateKeyFile generates the file on first start (written to a
// temporary file, fsynced, then linked into place so a crash never leaves a
// half-written key file and two processes starting at once agree on one), and
// refuses to load a file that its group or others may read or write.
// Two separate keys, not one derived from the other, so the signing key can
// be rotated without changing every stored card fingerprint.
//
// Thread-safety: PaymentKeys is immutable once built; share it by const&.
#pragma once

#include <string>
#include <string_view>

#include "base/random.h"
#include "base/status.h"
#include "crypto/ed25519.h"
#include "crypto/secure.h"

namespace backline::payment {

inline constexpr size_t kCardKeySize = 32;

struct PaymentKeys {
  crypto::Ed25519KeyPair signing;
  crypto::SecretBytes card_key;  // kCardKeySize bytes
};

PaymentKeys GeneratePaymentKeys(RandomSource& random);

// The key file's text (secret) and its parser. Parse errors are
// kInvalidArgument and never quote the file's content.
std::string SerializeKeyFile(const PaymentKeys& keys);
Result<PaymentKeys> ParseKeyFile(std::string_view text);

// Loads `path`, creating it (mode 0600) with fresh keys if it does not exist.
// `*created` (optional) says which happened. kFailedPrecondition for a file
// with group/other permissions, kUnavailable when it cannot be read or
// written, kInvalidArgument when it is malformed.
Result<PaymentKeys> LoadOrCreateKeyFile(const std::string& path, RandomSource& random,
                                        bool* created = nullptr);

}  // namespace backline::payment
