#include "crypto/aes_gcm.h"

#include <openssl/evp.h>

#include <climits>

#include "crypto/secure.h"

namespace backline::crypto {

struct AesGcm::Impl {
  EVP_CIPHER_CTX* enc = nullptr;
  EVP_CIPHER_CTX* dec = nullptr;
  ~Impl() {
    EVP_CIPHER_CTX_free(enc);
    EVP_CIPHER_CTX_free(dec);
  }
};

AesGcm::AesGcm(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AesGcm::~AesGcm() = default;
AesGcm::AesGcm(AesGcm&&) noexcept = default;
AesGcm& AesGcm::operator=(AesGcm&&) noexcept = default;

Result<AesGcm> AesGcm::Create(ByteSpan key) {
  const EVP_CIPHER* cipher = nullptr;
  switch (key.size()) {
    case 16: cipher = EVP_aes_128_gcm(); break;
    case 24: cipher = EVP_aes_192_gcm(); break;
    case 32: cipher = EVP_aes_256_gcm(); break;
    default: return InvalidArgument("aes-gcm: key must be 16, 24 or 32 bytes");
  }
  auto impl = std::make_unique<Impl>();
  impl->enc = EVP_CIPHER_CTX_new();
  impl->dec = EVP_CIPHER_CTX_new();
  if (impl->enc == nullptr || impl->dec == nullptr ||
      EVP_EncryptInit_ex(impl->enc, cipher, nullptr, key.data(), nullptr) != 1 ||
      EVP_DecryptInit_ex(impl->dec, cipher, nullptr, key.data(), nullptr) != 1) {
    return Internal("aes-gcm: cipher initialisation failed");
  }
  return AesGcm(std::move(impl));
}

Status AesGcm::SealInto(ByteSpan nonce, ByteSpan aad, ByteSpan plaintext,
                        std::span<uint8_t> out) {
  if (nonce.empty()) return InvalidArgument("aes-gcm: empty nonce");
  if (out.size() != plaintext.size() + kTagSize) {
    return InvalidArgument("aes-gcm: output buffer has the wrong size");
  }
  if (plaintext.size() > INT_MAX || aad.size() > INT_MAX) {
    return PayloadTooLarge("aes-gcm: input too large for one call");
  }
  EVP_CIPHER_CTX* ctx = impl_->enc;
  int len = 0;
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()), nullptr) !=
          1 ||
      EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data()) != 1 ||
      (!aad.empty() &&
       EVP_EncryptUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) ||
      EVP_EncryptUpdate(ctx, out.data(), &len, plaintext.data(),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx, out.data() + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTagSize, out.data() + plaintext.size()) !=
          1) {
    return Internal("aes-gcm: seal failed");
  }
  return Status::Ok();
}

Result<Bytes> AesGcm::Seal(ByteSpan nonce, ByteSpan aad, ByteSpan plaintext) {
  Bytes out(plaintext.size() + kTagSize);
  BL_RETURN_IF_ERROR(SealInto(nonce, aad, plaintext, out));
  return out;
}

Status AesGcm::OpenInto(ByteSpan nonce, ByteSpan aad, ByteSpan sealed, std::span<uint8_t> out) {
  if (nonce.empty()) return InvalidArgument("aes-gcm: empty nonce");
  if (sealed.size() < kTagSize) return Unauthenticated("aes-gcm: ciphertext shorter than the tag");
  size_t ct_size = sealed.size() - kTagSize;
  if (out.size() != ct_size) return InvalidArgument("aes-gcm: output buffer has the wrong size");
  if (ct_size > INT_MAX || aad.size() > INT_MAX) {
    return PayloadTooLarge("aes-gcm: input too large for one call");
  }
  EVP_CIPHER_CTX* ctx = impl_->dec;
  uint8_t tag[kTagSize];
  std::copy(sealed.begin() + static_cast<ptrdiff_t>(ct_size), sealed.end(), tag);
  int len = 0;
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()), nullptr) !=
          1 ||
      EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data()) != 1 ||
      (!aad.empty() &&
       EVP_DecryptUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) ||
      EVP_DecryptUpdate(ctx, out.data(), &len, sealed.data(), static_cast<int>(ct_size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kTagSize, tag) != 1) {
    SecureWipe(out);
    return Internal("aes-gcm: open failed");
  }
  if (EVP_DecryptFinal_ex(ctx, out.data() + len, &len) != 1) {
    SecureWipe(out);
    return Unauthenticated("aes-gcm: authentication tag mismatch");
  }
  return Status::Ok();
}

Result<Bytes> AesGcm::Open(ByteSpan nonce, ByteSpan aad, ByteSpan sealed) {
  if (sealed.size() < kTagSize) return Unauthenticated("aes-gcm: ciphertext shorter than the tag");
  Bytes out(sealed.size() - kTagSize);
  BL_RETURN_IF_ERROR(OpenInto(nonce, aad, sealed, out));
  return out;
}

}  // namespace backline::crypto
