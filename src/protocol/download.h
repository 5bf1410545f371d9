// The encrypted download body of docs/protocol.md section 5: one RFC 8188
// aes128gcm stream whose keyid is the `enc` of a fresh HPKE base-mode context
// to the buyer's X25519 key, and whose input keying material is exported from
// that context:
//
//   info = "backline v1 download" || 0x00 || transaction id (26 base32 ASCII)
//   ikm  = Export("backline v1 aes128gcm ikm", 32)
//   header: salt (16 random bytes) || rs || idlen = 32 || keyid = enc
//
// The one-time key exists only inside the encoder: the HPKE context and the
// IKM are wiped as soon as the encoder has derived its record key.
//
//   // delivery node
//   BL_ASSIGN_OR_RETURN(crypto::Aes128gcmEncoder enc,
//       CreateDownloadEncoder(buyer.x25519, transaction_id, random));
//   response Content-Length = DownloadEncryptedSize(product_size);
//   ... enc.UpdateInto(chunk, buffer, n) per chunk, enc.FinishInto(buffer, n) ...
//
//   // buyer
//   BL_ASSIGN_OR_RETURN(crypto::Aes128gcmDecoder dec,
//       CreateDownloadDecoder(identity.x25519(), transaction_id));
//   ... dec.Update(received, plaintext) per chunk, dec.Finish(plaintext) ...
//
// Randomness: the encoder draws 32 bytes for the HPKE ephemeral key, then the
// 16-byte salt, in that order (known-answer tests rely on it).
//
// Errors: a bad buyer key is kInvalidArgument; on the buyer's side a keyid
// that is not 32 bytes fails the stream with kInvalidArgument, and a stream
// for another key or transaction fails its first record with
// kUnauthenticated (see crypto/aes128gcm.h for the rest).
//
// Thread-safety: pure functions; the returned coder is one stream's state.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/bytes.h"
#include "base/id.h"
#include "base/random.h"
#include "base/status.h"
#include "crypto/aes128gcm.h"
#include "crypto/x25519.h"

namespace backline::protocol {

inline constexpr std::string_view kDownloadInfoLabel = "backline v1 download";
inline constexpr std::string_view kDownloadExporterContext = "backline v1 aes128gcm ikm";
inline constexpr size_t kDownloadIkmSize = 32;
inline constexpr size_t kDownloadKeyIdSize = 32;  // the HPKE enc
// docs/decisions/003-rfc8188-record-size.md
inline constexpr uint32_t kDownloadRecordSize = crypto::kAes128gcmDefaultRecordSize;

// The HPKE info of a download for `transaction_id`.
Bytes DownloadInfo(const Id& transaction_id);

// The sender's side. `record_size` in [18, 1 MiB].
Result<crypto::Aes128gcmEncoder> CreateDownloadEncoder(ByteSpan buyer_x25519_public,
                                                       const Id& transaction_id,
                                                       RandomSource& random,
                                                       uint32_t record_size = kDownloadRecordSize);

// The buyer's side: resolves the header's keyid to the IKM with `buyer`
// (copied into the decoder, wiped with it).
Result<crypto::Aes128gcmDecoder> CreateDownloadDecoder(
    const crypto::X25519KeyPair& buyer, const Id& transaction_id,
    crypto::Aes128gcmDecoderOptions options = {});

// The exact size of the RFC 8188 body our encoder writes for
// `plaintext_size` bytes fed through Update() and Finish() (no PadRecord):
// the header (21 + keyid_size) plus 17 bytes per record, with
// max(1, ceil(plaintext_size / (record_size - 17))) records. Precondition:
// record_size >= 18, keyid_size <= 255.
uint64_t EncryptedSize(uint64_t plaintext_size, uint32_t record_size, size_t keyid_size);
// The Content-Length of a download of `plaintext_size` bytes.
inline uint64_t DownloadEncryptedSize(uint64_t plaintext_size,
                                      uint32_t record_size = kDownloadRecordSize) {
  return EncryptedSize(plaintext_size, record_size, kDownloadKeyIdSize);
}

}  // namespace backline::protocol
