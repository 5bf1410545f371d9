#include "crypto/aes_gcm.h"

#include <openssl/evp.h>
#include <openssl/modes.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

#include "crypto/secure.h"

namespace backline::crypto {

namespace {

// OpenSSL 3's EVP GCM refuses nonces longer than 128 bytes (GCM_IV_MAX_SIZE
// in its providers), although SP 800-38D allows any non-empty length and
// Wycheproof has valid 257-byte cases. Longer nonces go through OpenSSL's
// generic GCM (CRYPTO_gcm128_*, modes.h), which hashes any IV length; it is
// slower, but nonces that long only come from unusual peers.
constexpr size_t kMaxEvpNonceSize = 128;

// The AES block function CRYPTO_gcm128 calls; `key` is an AES-ECB encryption
// context without padding.
void EncryptBlock(const unsigned char in[16], unsigned char out[16], const void* key) {
  auto* ecb = static_cast<EVP_CIPHER_CTX*>(const_cast<void*>(key));
  int len = 0;
  if (EVP_EncryptUpdate(ecb, out, &len, in, 16) != 1 || len != 16) {
    // An initialised ECB context cannot fail on one block: the library is broken.
    std::fputs("aes-gcm: AES block encryption failed\n", stderr);
    std::abort();
  }
}

// A GCM128 context for one long-nonce operation, released (and wiped) on exit.
class LongNonceGcm {
 public:
  LongNonceGcm(EVP_CIPHER_CTX* ecb, ByteSpan nonce) : ctx_(CRYPTO_gcm128_new(ecb, EncryptBlock)) {
    if (ctx_ != nullptr) CRYPTO_gcm128_setiv(ctx_, nonce.data(), nonce.size());
  }
  ~LongNonceGcm() { CRYPTO_gcm128_release(ctx_); }
  LongNonceGcm(const LongNonceGcm&) = delete;
  LongNonceGcm& operator=(const LongNonceGcm&) = delete;
  GCM128_CONTEXT* get() const { return ctx_; }

 private:
  GCM128_CONTEXT* ctx_;
};

}  // namespace

struct AesGcm::Impl {
  EVP_CIPHER_CTX* enc = nullptr;
  EVP_CIPHER_CTX* dec = nullptr;
  EVP_CIPHER_CTX* ecb = nullptr;  // the block cipher for nonces above kMaxEvpNonceSize
  ~Impl() {
    EVP_CIPHER_CTX_free(enc);
    EVP_CIPHER_CTX_free(dec);
    EVP_CIPHER_CTX_free(ecb);
  }

  Status SealLongNonce(ByteSpan nonce, ByteSpan aad, std::span<const ByteSpan> parts,
                       std::span<uint8_t> out);
  Status OpenLongNonce(ByteSpan nonce, ByteSpan aad, ByteSpan sealed, std::span<uint8_t> out);
};

Status AesGcm::Impl::SealLongNonce(ByteSpan nonce, ByteSpan aad, std::span<const ByteSpan> parts,
                                   std::span<uint8_t> out) {
  LongNonceGcm gcm(ecb, nonce);
  if (gcm.get() == nullptr || CRYPTO_gcm128_aad(gcm.get(), aad.data(), aad.size()) != 0) {
    return Internal("aes-gcm: seal failed");
  }
  size_t done = 0;
  for (ByteSpan part : parts) {
    if (CRYPTO_gcm128_encrypt(gcm.get(), part.data(), out.data() + done, part.size()) != 0) {
      return Internal("aes-gcm: seal failed");
    }
    done += part.size();
  }
  CRYPTO_gcm128_tag(gcm.get(), out.data() + done, kTagSize);
  return Status::Ok();
}

Status AesGcm::Impl::OpenLongNonce(ByteSpan nonce, ByteSpan aad, ByteSpan sealed,
                                   std::span<uint8_t> out) {
  size_t ct_size = sealed.size() - kTagSize;
  uint8_t tag[kTagSize];
  std::copy(sealed.begin() + static_cast<ptrdiff_t>(ct_size), sealed.end(), tag);
  LongNonceGcm gcm(ecb, nonce);
  if (gcm.get() == nullptr || CRYPTO_gcm128_aad(gcm.get(), aad.data(), aad.size()) != 0 ||
      CRYPTO_gcm128_decrypt(gcm.get(), sealed.data(), out.data(), ct_size) != 0) {
    SecureWipe(out);
    return Internal("aes-gcm: open failed");
  }
  // CRYPTO_gcm128_finish compares the tags in constant time; 0 means equal.
  if (CRYPTO_gcm128_finish(gcm.get(), tag, kTagSize) != 0) {
    SecureWipe(out);
    return Unauthenticated("aes-gcm: authentication tag mismatch");
  }
  return Status::Ok();
}

AesGcm::AesGcm(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AesGcm::~AesGcm() = default;
AesGcm::AesGcm(AesGcm&&) noexcept = default;
AesGcm& AesGcm::operator=(AesGcm&&) noexcept = default;

Result<AesGcm> AesGcm::Create(ByteSpan key) {
  const EVP_CIPHER* cipher = nullptr;
  const EVP_CIPHER* block = nullptr;
  switch (key.size()) {
    case 16:
      cipher = EVP_aes_128_gcm();
      block = EVP_aes_128_ecb();
      break;
    case 24:
      cipher = EVP_aes_192_gcm();
      block = EVP_aes_192_ecb();
      break;
    case 32:
      cipher = EVP_aes_256_gcm();
      block = EVP_aes_256_ecb();
      break;
    default:
      return InvalidArgument("aes-gcm: key must be 16, 24 or 32 bytes");
  }
  auto impl = std::make_unique<Impl>();
  impl->enc = EVP_CIPHER_CTX_new();
  impl->dec = EVP_CIPHER_CTX_new();
  impl->ecb = EVP_CIPHER_CTX_new();
  if (impl->enc == nullptr || impl->dec == nullptr || impl->ecb == nullptr ||
      EVP_EncryptInit_ex(impl->enc, cipher, nullptr, key.data(), nullptr) != 1 ||
      EVP_DecryptInit_ex(impl->dec, cipher, nullptr, key.data(), nullptr) != 1 ||
      EVP_EncryptInit_ex(impl->ecb, block, nullptr, key.data(), nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(impl->ecb, 0) != 1) {
    return Internal("aes-gcm: cipher initialisation failed");
  }
  return AesGcm(std::move(impl));
}

Status AesGcm::SealInto(ByteSpan nonce, ByteSpan aad, ByteSpan plaintext, std::span<uint8_t> out) {
  const ByteSpan parts[] = {plaintext};
  return SealPartsInto(nonce, aad, parts, out);
}

Status AesGcm::SealPartsInto(ByteSpan nonce, ByteSpan aad, std::span<const ByteSpan> parts,
                             std::span<uint8_t> out) {
  if (nonce.empty()) return InvalidArgument("aes-gcm: empty nonce");
  size_t plaintext_size = 0;
  bool too_large = aad.size() > INT_MAX;
  for (ByteSpan part : parts) {
    plaintext_size += part.size();
    too_large = too_large || part.size() > INT_MAX;
  }
  if (out.size() != plaintext_size + kTagSize) {
    return InvalidArgument("aes-gcm: output buffer has the wrong size");
  }
  if (too_large) return PayloadTooLarge("aes-gcm: input too large for one call");
  if (nonce.size() > kMaxEvpNonceSize) return impl_->SealLongNonce(nonce, aad, parts, out);
  EVP_CIPHER_CTX* ctx = impl_->enc;
  int len = 0;
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()), nullptr) !=
          1 ||
      EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data()) != 1 ||
      (!aad.empty() &&
       EVP_EncryptUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1)) {
    return Internal("aes-gcm: seal failed");
  }
  // GCM is a stream mode: one EVP_EncryptUpdate per part encrypts exactly as
  // one call over the joined parts would, and writes exactly the part's size.
  size_t done = 0;
  for (ByteSpan part : parts) {
    if (part.empty()) continue;
    if (EVP_EncryptUpdate(ctx, out.data() + done, &len, part.data(),
                          static_cast<int>(part.size())) != 1 ||
        static_cast<size_t>(len) != part.size()) {
      return Internal("aes-gcm: seal failed");
    }
    done += part.size();
  }
  if (EVP_EncryptFinal_ex(ctx, out.data() + done, &len) != 1 || len != 0 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTagSize, out.data() + done) != 1) {
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
  if (nonce.size() > kMaxEvpNonceSize) return impl_->OpenLongNonce(nonce, aad, sealed, out);
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
