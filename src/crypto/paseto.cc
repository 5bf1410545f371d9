#include "crypto/paseto.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <initializer_list>

#include "crypto/sodium_init.h"

namespace backline::crypto {
namespace {

constexpr std::string_view kLocalHeader = "v4.local.";
constexpr std::string_view kPublicHeader = "v4.public.";
constexpr size_t kLocalTagSize = 32;
constexpr size_t kXChaChaNonceSize = crypto_stream_xchacha20_NONCEBYTES;  // 24
constexpr size_t kXChaChaKeySize = crypto_stream_xchacha20_KEYBYTES;      // 32

// The spec's domain-separation strings for the key split.
constexpr std::string_view kEncryptionKeyInfo = "paseto-encryption-key";
constexpr std::string_view kAuthKeyInfo = "paseto-auth-key-for-aead";

static_assert(kXChaChaKeySize + kXChaChaNonceSize == 56);

void AppendLe64(Bytes& out, uint64_t n) {
  n &= 0x7fffffffffffffffULL;  // the spec clears the top bit for languages without u64
  for (int i = 0; i < 8; ++i) {
    out.push_back(static_cast<uint8_t>(n & 0xff));
    n >>= 8;
  }
}

// Keyed BLAKE2b over the concatenation of `parts`; out.size() in [16, 64].
void Blake2b(std::span<uint8_t> out, ByteSpan key, std::initializer_list<ByteSpan> parts) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, key.data(), key.size(), out.size());
  for (ByteSpan part : parts) crypto_generichash_update(&state, part.data(), part.size());
  crypto_generichash_final(&state, out.data(), out.size());
  SecureWipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(&state), sizeof state));
}

struct LocalSubkeys {
  SecretBytes encryption_key{kXChaChaKeySize};
  std::array<uint8_t, kXChaChaNonceSize> xchacha_nonce{};
  SecretBytes auth_key{kLocalTagSize};
};

// Ek || n2 = BLAKE2b-448(key, "paseto-encryption-key" || n);
// Ak = BLAKE2b-256(key, "paseto-auth-key-for-aead" || n).
LocalSubkeys SplitLocalKey(const PasetoLocalKey& key, ByteSpan nonce) {
  internal::EnsureSodium();
  LocalSubkeys sub;
  SecretBytes tmp(kXChaChaKeySize + kXChaChaNonceSize);
  Blake2b(tmp.mutable_span(), key.bytes(), {AsBytes(kEncryptionKeyInfo), nonce});
  std::copy_n(tmp.data(), kXChaChaKeySize, sub.encryption_key.data());
  std::copy_n(tmp.data() + kXChaChaKeySize, kXChaChaNonceSize, sub.xchacha_nonce.data());
  Blake2b(sub.auth_key.mutable_span(), key.bytes(), {AsBytes(kAuthKeyInfo), nonce});
  return sub;
}

Bytes XChaCha20(const LocalSubkeys& sub, ByteSpan in) {
  Bytes out(in.size());
  if (!in.empty()) {
    crypto_stream_xchacha20_xor(out.data(), in.data(), in.size(), sub.xchacha_nonce.data(),
                                sub.encryption_key.data());
  }
  return out;
}

std::array<uint8_t, kLocalTagSize> LocalTag(const LocalSubkeys& sub, ByteSpan nonce,
                                            ByteSpan ciphertext, ByteSpan footer,
                                            ByteSpan implicit_assertion) {
  const std::array<ByteSpan, 5> pieces = {AsBytes(kLocalHeader), nonce, ciphertext, footer,
                                          implicit_assertion};
  std::array<uint8_t, kLocalTagSize> tag{};
  Blake2b(tag, sub.auth_key, {PasetoPae(pieces)});
  return tag;
}

std::string Assemble(std::string_view header, ByteSpan body, std::string_view footer) {
  std::string token(header);
  token += Base64UrlEncode(body);
  if (!footer.empty()) {
    token += '.';
    token += Base64UrlEncode(AsBytes(footer));
  }
  return token;
}

struct DecodedToken {
  Bytes body;
  std::string footer;
};

// Splits "<header><body>[.<footer>]" and decodes both parts strictly.
Result<DecodedToken> Decode(std::string_view token, std::string_view header) {
  if (!token.starts_with(header)) {
    std::string_view name = header.substr(0, header.size() - 1);
    if (token.starts_with("v4.")) {
      return InvalidArgument("paseto: expected a " + std::string(name) + " token");
    }
    return InvalidArgument("paseto: token does not start with " + std::string(header));
  }
  std::string_view rest = token.substr(header.size());
  std::string_view body = rest;
  std::string_view footer;
  size_t dot = rest.find('.');
  if (dot != std::string_view::npos) {
    body = rest.substr(0, dot);
    footer = rest.substr(dot + 1);
    if (footer.empty()) return InvalidArgument("paseto: empty footer section");
    if (footer.find('.') != std::string_view::npos) {
      return InvalidArgument("paseto: too many sections");
    }
  }
  DecodedToken out;
  auto decoded_body = Base64UrlDecode(body);
  if (!decoded_body.ok()) return decoded_body.status().WithContext("paseto: body");
  out.body = std::move(decoded_body).value();
  if (!footer.empty()) {
    auto decoded_footer = Base64UrlDecode(footer);
    if (!decoded_footer.ok()) return decoded_footer.status().WithContext("paseto: footer");
    out.footer = ToString(*decoded_footer);
  }
  return out;
}

Status CheckFooter(const DecodedToken& token, const PasetoOpenOptions& options) {
  if (options.expected_footer.has_value() &&
      !ConstantTimeEqual(AsBytes(token.footer), AsBytes(*options.expected_footer))) {
    return Unauthenticated("paseto: footer does not match the expected footer");
  }
  return Status::Ok();
}

}  // namespace

Result<PasetoLocalKey> PasetoLocalKey::FromBytes(ByteSpan key) {
  if (key.size() != kPasetoLocalKeySize) {
    return InvalidArgument("paseto: a v4.local key must be 32 bytes");
  }
  return PasetoLocalKey(SecretBytes(key));
}

PasetoLocalKey PasetoLocalKey::Generate(RandomSource& random) {
  SecretBytes key(kPasetoLocalKeySize);
  random.Fill(key.mutable_span());
  return PasetoLocalKey(std::move(key));
}

Bytes PasetoPae(std::span<const ByteSpan> pieces) {
  Bytes out;
  AppendLe64(out, pieces.size());
  for (ByteSpan piece : pieces) {
    AppendLe64(out, piece.size());
    Append(out, piece);
  }
  return out;
}

std::string PasetoV4Encrypt(const PasetoLocalKey& key, std::string_view payload,
                            std::string_view footer, std::string_view implicit_assertion,
                            RandomSource& random) {
  std::array<uint8_t, kPasetoLocalNonceSize> nonce{};
  random.Fill(nonce);
  return PasetoV4EncryptWithNonce(key, payload, footer, implicit_assertion, nonce).value();
}

Result<std::string> PasetoV4EncryptWithNonce(const PasetoLocalKey& key, std::string_view payload,
                                             std::string_view footer,
                                             std::string_view implicit_assertion, ByteSpan nonce) {
  if (nonce.size() != kPasetoLocalNonceSize) {
    return InvalidArgument("paseto: a v4.local nonce must be 32 bytes");
  }
  LocalSubkeys sub = SplitLocalKey(key, nonce);
  Bytes ciphertext = XChaCha20(sub, AsBytes(payload));
  auto tag = LocalTag(sub, nonce, ciphertext, AsBytes(footer), AsBytes(implicit_assertion));
  Bytes body;
  body.reserve(nonce.size() + ciphertext.size() + tag.size());
  Append(body, nonce);
  Append(body, ciphertext);
  Append(body, tag);
  return Assemble(kLocalHeader, body, footer);
}

Result<PasetoMessage> PasetoV4Decrypt(std::string_view token, const PasetoLocalKey& key,
                                      const PasetoOpenOptions& options) {
  BL_ASSIGN_OR_RETURN(DecodedToken decoded, Decode(token, kLocalHeader));
  if (decoded.body.size() < kPasetoLocalNonceSize + kLocalTagSize) {
    return InvalidArgument("paseto: v4.local body is too short");
  }
  BL_RETURN_IF_ERROR(CheckFooter(decoded, options));
  ByteSpan body = decoded.body;
  ByteSpan nonce = body.first(kPasetoLocalNonceSize);
  ByteSpan tag = body.last(kLocalTagSize);
  ByteSpan ciphertext =
      body.subspan(kPasetoLocalNonceSize, body.size() - kPasetoLocalNonceSize - kLocalTagSize);

  LocalSubkeys sub = SplitLocalKey(key, nonce);
  auto expected = LocalTag(sub, nonce, ciphertext, AsBytes(decoded.footer),
                           AsBytes(options.implicit_assertion));
  if (!ConstantTimeEqual(expected, tag)) {
    return Unauthenticated("paseto: v4.local authentication tag does not verify");
  }
  Bytes plaintext = XChaCha20(sub, ciphertext);
  PasetoMessage message{ToString(plaintext), std::move(decoded.footer)};
  SecureWipe(plaintext);
  return message;
}

std::string PasetoV4Sign(const Ed25519KeyPair& key, std::string_view payload,
                         std::string_view footer, std::string_view implicit_assertion) {
  const std::array<ByteSpan, 4> pieces = {AsBytes(kPublicHeader), AsBytes(payload), AsBytes(footer),
                                          AsBytes(implicit_assertion)};
  Ed25519Signature signature = key.Sign(PasetoPae(pieces));
  Bytes body;
  body.reserve(payload.size() + signature.size());
  Append(body, AsBytes(payload));
  Append(body, signature);
  return Assemble(kPublicHeader, body, footer);
}

Result<PasetoMessage> PasetoV4Verify(std::string_view token, ByteSpan public_key,
                                     const PasetoOpenOptions& options) {
  if (public_key.size() != kEd25519PublicKeySize) {
    return InvalidArgument("paseto: a v4.public key must be 32 bytes");
  }
  BL_ASSIGN_OR_RETURN(DecodedToken decoded, Decode(token, kPublicHeader));
  if (decoded.body.size() < kEd25519SignatureSize) {
    return InvalidArgument("paseto: v4.public body is too short");
  }
  BL_RETURN_IF_ERROR(CheckFooter(decoded, options));
  ByteSpan body = decoded.body;
  ByteSpan payload = body.first(body.size() - kEd25519SignatureSize);
  ByteSpan signature = body.last(kEd25519SignatureSize);
  const std::array<ByteSpan, 4> pieces = {AsBytes(kPublicHeader), payload, AsBytes(decoded.footer),
                                          AsBytes(options.implicit_assertion)};
  if (!Ed25519Verify(public_key, PasetoPae(pieces), signature)) {
    return Unauthenticated("paseto: v4.public signature does not verify");
  }
  return PasetoMessage{ToString(payload), std::move(decoded.footer)};
}

Result<std::string> PasetoUnverifiedFooter(std::string_view token) {
  std::string_view header = token.starts_with(kLocalHeader)    ? kLocalHeader
                            : token.starts_with(kPublicHeader) ? kPublicHeader
                                                               : std::string_view();
  if (header.empty()) return InvalidArgument("paseto: not a v4.local or v4.public token");
  BL_ASSIGN_OR_RETURN(DecodedToken decoded, Decode(token, header));
  return std::move(decoded.footer);
}

}  // namespace backline::crypto
