// Feeds arbitrary strings to the PASETO v4 parsers as tokens, with the fixed
// keys of the paseto-standard test vectors (so the seed corpus reaches the
// cryptographic checks), and to the claims decoder as JSON.
//
// Beyond "no crash", it checks that an accepted token is canonical: opening
// then re-making it (same nonce, same deterministic signature) must give back
// exactly the input, or one payload would have two accepted tokens.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/clock.h"
#include "crypto/ed25519.h"
#include "crypto/paseto.h"
#include "crypto/paseto_claims.h"

namespace {

using namespace backline;          // NOLINT(google-build-using-namespace)
using namespace backline::crypto;  // NOLINT(google-build-using-namespace)

Bytes MustHex(std::string_view hex) { return HexDecode(hex).value(); }

const PasetoLocalKey& LocalKey() {
  static const PasetoLocalKey key =
      PasetoLocalKey::FromBytes(
          MustHex("707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f"))
          .value();
  return key;
}

const Ed25519KeyPair& SigningKey() {
  static const Ed25519KeyPair key =
      Ed25519KeyPair::FromSeed(
          MustHex("b4cbfb43df4ce210727d953e4a713307fa19bb7d9f85041438d9e11b942a3774"))
          .value();
  return key;
}

void Check(bool ok, const char* what, std::string_view token) {
  if (ok) return;
  std::fprintf(stderr, "invariant broken: %s\ntoken: %.*s\n", what, static_cast<int>(token.size()),
               token.data());
  std::abort();
}

void ExerciseClaims(std::string_view payload) {
  auto claims = DecodeClaims(payload);
  if (!claims.ok()) return;
  FakeClock clock(1'640'995'200);
  (void)ValidateClaims(*claims, ClaimsPolicy{.audience = "x"}, clock);
  // Encoding what we decoded must decode again.
  Check(DecodeClaims(EncodeClaims(*claims)).ok(), "claims re-encode", payload);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // The vectors use an empty implicit assertion or {"test-vector":"4-x-n"};
  // a '|' splits an implicit assertion off the end of the input.
  std::string_view token = input;
  std::string_view implicit;
  if (size_t bar = input.rfind('|'); bar != std::string_view::npos) {
    token = input.substr(0, bar);
    implicit = input.substr(bar + 1);
  }
  const PasetoOpenOptions options{.implicit_assertion = implicit};

  (void)PasetoUnverifiedFooter(token);

  auto local = PasetoV4Decrypt(token, LocalKey(), options);
  if (local.ok()) {
    Bytes body = Base64UrlDecode(token.substr(9, token.find('.', 9) - 9)).value();
    auto again = PasetoV4EncryptWithNonce(LocalKey(), local->payload, local->footer, implicit,
                                          ByteSpan(body).first(kPasetoLocalNonceSize));
    Check(again.ok() && *again == token, "v4.local token is not canonical", token);
    ExerciseClaims(local->payload);
  }

  auto pub = PasetoV4Verify(token, SigningKey().public_key(), options);
  if (pub.ok()) {
    Check(PasetoV4Sign(SigningKey(), pub->payload, pub->footer, implicit) == token,
          "v4.public token is not canonical", token);
    ExerciseClaims(pub->payload);
  }

  ExerciseClaims(input);
  (void)ParseRfc3339(input);
  return 0;
}
