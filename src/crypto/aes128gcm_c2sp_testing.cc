#include "crypto/aes128gcm_c2sp_testing.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <string>

#include "crypto/secure.h"

namespace backline::testing {
namespace {

using crypto::Aes128gcmDecoder;
using crypto::SecretBytes;

constexpr size_t kKeySize = 16;
constexpr size_t kNonceSize = 12;
constexpr size_t kSaltSize = 24;
constexpr size_t kCommitmentSize = 32;
constexpr uint32_t kRecordSize = C2spChunked::kChunkSize + crypto::AesGcm::kTagSize;
static_assert(kSaltSize + kCommitmentSize == C2spChunked::kHeaderSize);

// key || base nonce || commitment = HKDF-Expand-SHA512(key,
//     "c2sp.org/chunked-encryption@v1+AEAD_AES_128_GCM" || 0x00 || salt || context).
// 60 bytes fit in the first HMAC block of HKDF-Expand: T(1) = HMAC(prk, info || 0x01).
SecretBytes DeriveKeys(ByteSpan key, ByteSpan salt, ByteSpan context) {
  static constexpr char kPrefix[] = "c2sp.org/chunked-encryption@v1+AEAD_AES_128_GCM";
  Bytes info(kPrefix, kPrefix + sizeof(kPrefix));  // includes the 0x00 separator
  Append(info, salt);
  Append(info, context);
  info.push_back(0x01);
  SecretBytes t1(64);
  size_t len = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA512", nullptr, key.data(), key.size(), info.data(),
                info.size(), t1.data(), t1.size(), &len) == nullptr ||
      len != t1.size()) {
    // OpenSSL failing on valid inputs means a broken library: crash loudly.
    std::abort();
  }
  return t1;
}

}  // namespace

Result<Aes128gcmDecoder> C2spChunked::CreateDecoder(ByteSpan key, ByteSpan context) {
  if (key.size() != kKeySize) {
    return InvalidArgument("c2sp chunked: input key must be 16 bytes, not " +
                           std::to_string(key.size()));
  }
  Aes128gcmDecoder decoder(Aes128gcmDecoder::Framing::kC2spChunked, nullptr, kRecordSize);
  decoder.fixed_header_size_ = kHeaderSize;
  decoder.parse_header_ = [key = SecretBytes(key), context = Bytes(context.begin(), context.end())](
                              ByteSpan header) -> Result<Aes128gcmDecoder::RecordKeys> {
    ByteSpan salt = header.first(kSaltSize);
    ByteSpan commitment = header.subspan(kSaltSize, kCommitmentSize);
    SecretBytes derived = DeriveKeys(key, salt, context);
    ByteSpan okm = derived.span();
    // The commitment is checked before any chunk is decrypted, so a wrong key
    // or context is reported as such and not as a forged chunk.
    if (!crypto::ConstantTimeEqual(okm.subspan(kKeySize + kNonceSize, kCommitmentSize),
                                   commitment)) {
      return Unauthenticated(
          "c2sp chunked: commitment mismatch (wrong key or context, or a corrupted header)");
    }
    return Aes128gcmDecoder::RecordKeys{SecretBytes(okm.first(kKeySize)),
                                        SecretBytes(okm.subspan(kKeySize, kNonceSize)),
                                        kRecordSize};
  };
  return decoder;
}

Result<Aes128gcmDecoder> C2spChunked::CreateRawDecoder(ByteSpan aead_key, ByteSpan base_nonce) {
  if (aead_key.size() != kKeySize || base_nonce.size() != kNonceSize) {
    return InvalidArgument("c2sp chunked: raw mode needs a 16-byte key and a 12-byte nonce");
  }
  Aes128gcmDecoder decoder(Aes128gcmDecoder::Framing::kC2spChunked, nullptr, kRecordSize);
  BL_RETURN_IF_ERROR(decoder.StartRecords(aead_key, base_nonce, kRecordSize));
  return decoder;
}

}  // namespace backline::testing
