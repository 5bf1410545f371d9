#include "protocol/download.h"

#include <optional>
#include <utility>

#include "crypto/hpke.h"
#include "crypto/secure.h"

namespace backline::protocol {
namespace {

// Per record: the AES-GCM tag and the delimiter octet.
constexpr uint64_t kRecordOverhead = 16 + 1;

}  // namespace

Bytes DownloadInfo(const Id& transaction_id) {
  Bytes info = ToBytes(kDownloadInfoLabel);
  info.push_back(0x00);
  Append(info, AsBytes(transaction_id.ToBase32()));
  return info;
}

Result<crypto::Aes128gcmEncoder> CreateDownloadEncoder(ByteSpan buyer_x25519_public,
                                                       const Id& transaction_id,
                                                       RandomSource& random, uint32_t record_size) {
  if (buyer_x25519_public.size() != crypto::kX25519KeySize) {
    return InvalidArgument("download: the buyer's X25519 public key must be 32 bytes");
  }
  // The HPKE context lives only in this scope: once the IKM is exported and
  // the encoder has derived its record key from it, both are wiped (the
  // context's secrets and `ikm` are SecretBytes).
  BL_ASSIGN_OR_RETURN(
      crypto::HpkeSenderSetup setup,
      crypto::HpkeSetupBaseSender(buyer_x25519_public, DownloadInfo(transaction_id), random));
  BL_ASSIGN_OR_RETURN(crypto::SecretBytes ikm,
                      setup.context.Export(AsBytes(kDownloadExporterContext), kDownloadIkmSize));
  crypto::Aes128gcmEncoderOptions options;
  options.record_size = record_size;
  options.key_id = std::move(setup.enc);
  return crypto::Aes128gcmEncoder::Create(ikm, random, std::move(options));
}

Result<crypto::Aes128gcmDecoder> CreateDownloadDecoder(const crypto::X25519KeyPair& buyer,
                                                       const Id& transaction_id,
                                                       crypto::Aes128gcmDecoderOptions options) {
  // The resolver runs once, when the header arrives; it then drops its copy
  // of the buyer's key so the decoder holds no long-term secret while the
  // records stream in.
  crypto::Aes128gcmKeyResolver resolver =
      [key = std::optional<crypto::X25519KeyPair>(buyer), info = DownloadInfo(transaction_id)](
          ByteSpan key_id) mutable -> Result<crypto::SecretBytes> {
    if (!key.has_value()) return FailedPrecondition("download: the key was already used");
    if (key_id.size() != kDownloadKeyIdSize) {
      key.reset();
      return InvalidArgument("download: keyid must be the 32-byte HPKE enc, got " +
                             std::to_string(key_id.size()) + " bytes");
    }
    Result<crypto::HpkeRecipientContext> context =
        crypto::HpkeSetupBaseRecipient(key_id, *key, info);
    key.reset();
    if (!context.ok()) return context.status().WithContext("download: keyid");
    return context->Export(AsBytes(kDownloadExporterContext), kDownloadIkmSize);
  };
  return crypto::Aes128gcmDecoder::Create(std::move(resolver), options);
}

uint64_t EncryptedSize(uint64_t plaintext_size, uint32_t record_size, size_t keyid_size) {
  const uint64_t header = crypto::kAes128gcmSaltSize + 4 + 1 + keyid_size;
  const uint64_t per_record = record_size - kRecordOverhead;
  // The encoder holds a full record back until more plaintext comes, so the
  // last record is never an empty one unless the whole stream is empty.
  const uint64_t records = plaintext_size == 0 ? 1 : (plaintext_size + per_record - 1) / per_record;
  return header + plaintext_size + records * kRecordOverhead;
}

}  // namespace backline::protocol
