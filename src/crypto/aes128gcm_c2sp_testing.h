// Test-only: c2sp.org/chunked-encryption v1 with AEAD_AES_128_GCM
// ("Cobblestone-128": 16 KiB chunks, the last one short, HKDF-SHA512 keys
// with a key commitment), read through Aes128gcmDecoder's record layer. Its
// record layer is RFC 8188's without the padding (nonce = base nonce xor a
// big-endian counter, empty AAD), so Wycheproof's
// c2sp_chunked_encryption_aes_128_gcm vectors exercise that shared code; the
// decoder fuzzer feeds it too.
//
// Not production API, on purpose: Backline speaks RFC 8188, and the raw mode
// takes an AEAD key and base nonce directly, with no key commitment and
// nothing to stop nonce reuse. The definitions are in the
// backline_aes128gcm_c2sp_testing library, which only test targets link, so
// production code that includes this header fails to link.
#pragma once

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/aes128gcm.h"

namespace backline::testing {

class C2spChunked {
 public:
  static constexpr size_t kHeaderSize = 24 + 32;  // salt, key commitment
  static constexpr uint32_t kChunkSize = 16 * 1024;

  // The full format: `key` is the 16-byte input key (InvalidArgument
  // otherwise), `context` the application's context string. A header whose
  // commitment does not match fails (Unauthenticated) before any chunk is
  // decrypted.
  static Result<crypto::Aes128gcmDecoder> CreateDecoder(ByteSpan key, ByteSpan context);
  // Raw mode: no header; the 16-byte AEAD key and 12-byte base nonce given.
  static Result<crypto::Aes128gcmDecoder> CreateRawDecoder(ByteSpan aead_key, ByteSpan base_nonce);
};

}  // namespace backline::testing
