#include "crypto/hash.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <cstdio>
#include <cstdlib>

namespace backline::crypto {
namespace {

[[noreturn]] void Fatal(const char* what) {
  // OpenSSL failing on valid inputs means a broken library: crash loudly.
  std::fprintf(stderr, "openssl failure: %s\n", what);
  std::abort();
}

// Both HKDF halves go through EVP_KDF with an explicit mode.
Status RunHkdf(int mode, ByteSpan salt, ByteSpan key, ByteSpan info, std::span<uint8_t> out) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  if (kdf == nullptr) Fatal("EVP_KDF_fetch(HKDF)");
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  if (ctx == nullptr) Fatal("EVP_KDF_CTX_new");
  static const uint8_t kEmpty = 0;
  char digest[] = "SHA256";
  OSSL_PARAM params[6];
  size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[n++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
  // OpenSSL wants a non-null pointer even for an empty key.
  params[n++] = OSSL_PARAM_construct_octet_string(
      OSSL_KDF_PARAM_KEY, const_cast<uint8_t*>(key.empty() ? &kEmpty : key.data()), key.size());
  if (mode != EVP_KDF_HKDF_MODE_EXPAND_ONLY && !salt.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
                                                     const_cast<uint8_t*>(salt.data()), salt.size());
  }
  if (mode != EVP_KDF_HKDF_MODE_EXTRACT_ONLY && !info.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
                                                     const_cast<uint8_t*>(info.data()), info.size());
  }
  params[n] = OSSL_PARAM_construct_end();
  int rc = EVP_KDF_derive(ctx, out.data(), out.size(), params);
  EVP_KDF_CTX_free(ctx);
  if (rc != 1) return InvalidArgument("hkdf: derivation failed");
  return Status::Ok();
}

}  // namespace

Sha256Digest Sha256(ByteSpan data) {
  Sha256Digest out{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1) {
    Fatal("EVP_Digest");
  }
  return out;
}

struct Sha256Hasher::Impl {
  EVP_MD_CTX* ctx = nullptr;
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Sha256Hasher::Sha256Hasher() : impl_(std::make_unique<Impl>()) {
  impl_->ctx = EVP_MD_CTX_new();
  if (impl_->ctx == nullptr || EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr) != 1) {
    Fatal("EVP_DigestInit_ex");
  }
}
Sha256Hasher::~Sha256Hasher() = default;
Sha256Hasher::Sha256Hasher(Sha256Hasher&&) noexcept = default;
Sha256Hasher& Sha256Hasher::operator=(Sha256Hasher&&) noexcept = default;

void Sha256Hasher::Update(ByteSpan data) {
  if (EVP_DigestUpdate(impl_->ctx, data.data(), data.size()) != 1) Fatal("EVP_DigestUpdate");
}

Sha256Digest Sha256Hasher::Finish() {
  Sha256Digest out{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(impl_->ctx, out.data(), &len) != 1 ||
      EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr) != 1) {
    Fatal("EVP_DigestFinal_ex");
  }
  return out;
}

Sha256Digest HmacSha256(ByteSpan key, ByteSpan data) {
  Sha256Digest out{};
  size_t len = 0;
  static const uint8_t kEmpty = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.empty() ? &kEmpty : key.data(),
                key.size(), data.data(), data.size(), out.data(), out.size(), &len) == nullptr) {
    Fatal("EVP_Q_mac");
  }
  return out;
}

SecretBytes HkdfExtract(ByteSpan salt, ByteSpan ikm) {
  SecretBytes prk(kSha256Size);
  if (!RunHkdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, salt, ikm, {}, prk.mutable_span()).ok()) {
    Fatal("HKDF extract");
  }
  return prk;
}

Result<SecretBytes> HkdfExpand(ByteSpan prk, ByteSpan info, size_t length) {
  if (length > 255 * kSha256Size) {
    return InvalidArgument("hkdf: output length above 255 * 32 bytes");
  }
  SecretBytes okm(length);
  if (length == 0) return okm;
  BL_RETURN_IF_ERROR(RunHkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, {}, prk, info, okm.mutable_span()));
  return okm;
}

Result<SecretBytes> Hkdf(ByteSpan salt, ByteSpan ikm, ByteSpan info, size_t length) {
  SecretBytes prk = HkdfExtract(salt, ikm);
  return HkdfExpand(prk, info, length);
}

}  // namespace backline::crypto
