// A party's key material and how it travels and rests.
//
//   Identity    an Ed25519 key pair (signs: download requests, tokens, service
//               requests) and an X25519 key pair (receives: HPKE messages and
//               one-time download keys). Buyers and every role have one.
//   PublicKeys  the public halves, as {"ed25519":"<b64u>","x25519":"<b64u>"}.
//   binding     SHA-256("backline binding v1" || 0x00 || ed25519 || x25519):
//               what ties a transaction to the buyer's keys (docs/protocol.md).
//
// Identity files (docs/protocol.md, "Identity files") are JSON:
//   {"v":1,"type":"backline-identity","ed25519_seed":"<b64u 32>",
//    "x25519_private":"<b64u 32>","ed25519":"<b64u 32>","x25519":"<b64u 32>"}
// written atomically (a temporary file in the same directory, fsync, rename)
// with mode 0600. Loading refuses a file that group or others may access, or
// that is not a regular file, with an error naming the file and the fix.
//
//   Identity me = Identity::Generate(SystemRandom::Instance());
//   BL_RETURN_IF_ERROR(SaveIdentityFile(me, "/home/a/.backline/identity.json"));
//   BL_ASSIGN_OR_RETURN(Identity again, LoadIdentityFile("/home/a/.backline/identity.json"));
//   std::string b = BindingOf(again.public_keys());   // goes into the reservation
//
// Secrets: the key pairs hold their private halves in SecretBytes (wiped on
// destruction); file buffers holding secrets are wiped after use. Nothing here
// logs.
//
// Thread-safety: values; const methods may be called from several threads.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "base/random.h"
#include "base/status.h"
#include "crypto/ed25519.h"
#include "crypto/hash.h"
#include "crypto/x25519.h"
#include "protocol/json_fields.h"

namespace backline::protocol {

struct PublicKeys {
  crypto::Ed25519PublicKey ed25519{};
  crypto::X25519PublicKey x25519{};

  // {"ed25519":"<base64url>","x25519":"<base64url>"}
  boost::json::object ToJson() const;
  // Strict: both fields present, base64url of exactly 32 bytes. `what` names
  // the enclosing message in errors.
  static Result<PublicKeys> FromJson(const boost::json::value& value,
                                     std::string_view what = "public keys");
  // The same, from an object being read (errors carry its path: "buyer.x25519").
  static Result<PublicKeys> Read(const JsonReader& r);

  friend bool operator==(const PublicKeys&, const PublicKeys&) = default;
};

// The 32-byte binding digest of `keys` and its base64url text (43 characters).
crypto::Sha256Digest BindingDigest(const PublicKeys& keys);
std::string BindingOf(const PublicKeys& keys);
// True iff `binding` (base64url) is the binding of `keys`. Constant time in
// the digest comparison.
bool BindingMatches(const PublicKeys& keys, std::string_view binding);

class Identity {
 public:
  // Draws the Ed25519 seed (32 bytes) then the X25519 private key (32 bytes).
  static Identity Generate(RandomSource& random);
  static Result<Identity> FromSecrets(ByteSpan ed25519_seed, ByteSpan x25519_private);

  const crypto::Ed25519KeyPair& ed25519() const { return ed25519_; }
  const crypto::X25519KeyPair& x25519() const { return x25519_; }
  // A reference, so spans of its keys stay valid as long as the Identity.
  const PublicKeys& public_keys() const { return public_keys_; }

  // The identity-file JSON (holds secrets: never log it).
  std::string ToFileJson() const;
  // Parses identity-file JSON; checks that the stored public keys match the
  // secrets. `what` names the source in errors.
  static Result<Identity> FromFileJson(std::string_view text, std::string_view what);

 private:
  Identity(crypto::Ed25519KeyPair ed, crypto::X25519KeyPair x)
      : ed25519_(std::move(ed)),
        x25519_(std::move(x)),
        public_keys_{ed25519_.public_key(), x25519_.public_key()} {}
  crypto::Ed25519KeyPair ed25519_;
  crypto::X25519KeyPair x25519_;
  PublicKeys public_keys_;
};

struct SaveIdentityOptions {
  // When false, an existing file at `path` is left alone: kAlreadyExists.
  bool overwrite = false;
};

// Writes `identity` to `path` atomically with mode 0600. The directory must
// exist. I/O failures are kUnavailable naming the path.
Status SaveIdentityFile(const Identity& identity, const std::string& path,
                        SaveIdentityOptions options = {});

// Reads an identity file. Errors name the path:
//   kNotFound            no such file
//   kFailedPrecondition  group/other permission bits set ("run chmod 600 PATH"),
//                        or not a regular file
//   kInvalidArgument     malformed contents (naming the field)
//   kUnavailable         other I/O failures
Result<Identity> LoadIdentityFile(const std::string& path);

}  // namespace backline::protocol
