// Feeds arbitrary bytes to the RFC 8188 decoder in fuzz-chosen pieces.
//
// Input layout: byte 0 picks the mode and, with byte 1, seeds the piece
// sizes; the rest is the stream.
//   byte 0 bit 7 clear: RFC 8188, keys of the RFC's examples (keyid "a1"
//                       selects example 3.2's, any other example 3.1's), so
//                       the seeds in corpus/ decode fully;
//   byte 0 bit 7 set:   c2sp chunked-encryption with a fixed key.
//   byte 0 bit 6 set:   also encode the stream as plaintext (rs from byte 1)
//                       and check that it decodes back to itself.
// Each call goes through the Bytes form or the span form (with a buffer of a
// fuzz-chosen size). Besides "never crash", it checks the codec's promises:
// bounded buffering, no output for unauthenticated input beyond what records
// release, sticky errors, buffers either refused or large enough.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "base/bytes.h"
#include "base/random.h"
#include "crypto/aes128gcm.h"
#include "crypto/aes128gcm_c2sp_testing.h"

namespace {

using backline::Bytes;
using backline::ByteSpan;
using backline::Result;
using backline::Status;
using backline::crypto::Aes128gcmDecoder;
using backline::crypto::Aes128gcmEncoder;
using backline::crypto::SecretBytes;

#define FUZZ_CHECK(cond)       \
  do {                         \
    if (!(cond)) std::abort(); \
  } while (false)

// RFC 8188 sections 3.1 and 3.2 (base64url "yqdlZ-tYemfogSmv7Ws5PQ" and
// "BO3ZVPxUlnLORbVGMpbT1Q").
const uint8_t kIkm31[16] = {0xca, 0xa7, 0x65, 0x67, 0xeb, 0x58, 0x7a, 0x67,
                            0xe8, 0x81, 0x29, 0xaf, 0xed, 0x6b, 0x39, 0x3d};
const uint8_t kIkm32[16] = {0x04, 0xed, 0xd9, 0x54, 0xfc, 0x54, 0x96, 0x72,
                            0xce, 0x45, 0xb5, 0x46, 0x32, 0x96, 0xd3, 0xd5};

// Piece sizes from a small xorshift seeded by the input's first two bytes.
class Pieces {
 public:
  explicit Pieces(uint16_t seed) : state_(seed * 2654435761u + 1), max_(1u + (seed & 0x3ff)) {}
  size_t Next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    return state_ % (max_ + 1);  // 0 included: empty updates must be harmless
  }

 private:
  uint32_t state_;
  uint32_t max_;
};

bool TooSmall(const Status& s) {
  return s.code() == backline::StatusCode::kInvalidArgument &&
         s.message().find("output buffer is too small") != std::string::npos;
}

// One Update or Finish (empty `piece` and `finish`), through the Bytes form or
// the span form, picked by the fuzzer; the span form first gets a buffer of a
// fuzz-chosen size up to MaxOutputSize(), which must be either refused whole
// or enough (the codec aborts on an overrun).
Status Call(Aes128gcmDecoder& decoder, ByteSpan piece, bool finish, Pieces& pieces, Bytes& out) {
  const size_t draw = pieces.Next();
  if ((draw & 1) == 0) return finish ? decoder.Finish(out) : decoder.Update(piece, out);
  const size_t max = decoder.MaxOutputSize(piece.size());
  Bytes buffer((draw & 2) != 0 ? max : (draw * 2654435761u) % (max + 1));
  size_t written = 0;
  Status s =
      finish ? decoder.FinishInto(buffer, written) : decoder.UpdateInto(piece, buffer, written);
  if (TooSmall(s)) {
    FUZZ_CHECK(written == 0 && buffer.size() < max);
    buffer.assign(max, 0);
    s = finish ? decoder.FinishInto(buffer, written) : decoder.UpdateInto(piece, buffer, written);
    FUZZ_CHECK(!TooSmall(s));
  }
  FUZZ_CHECK(written <= buffer.size());
  out.insert(out.end(), buffer.begin(), buffer.begin() + static_cast<ptrdiff_t>(written));
  return s;
}

// Feeds `stream` in pieces; returns the final status and checks the
// buffering bound after every call.
Status Feed(Aes128gcmDecoder& decoder, ByteSpan stream, Pieces& pieces, Bytes& out) {
  while (!stream.empty()) {
    size_t n = std::min(pieces.Next(), stream.size());
    size_t before = out.size();
    Status s = Call(decoder, stream.first(n), false, pieces, out);
    // A call releases at most what it consumed plus the one record held back.
    FUZZ_CHECK(out.size() - before <= n + decoder.record_size());
    if (decoder.record_size() != 0) FUZZ_CHECK(decoder.buffered_bytes() < decoder.record_size());
    FUZZ_CHECK(decoder.buffer_capacity() <=
               decoder.record_size() + backline::crypto::kAes128gcmMaxHeaderSize);
    if (!s.ok()) {
      // Errors are sticky.
      FUZZ_CHECK(decoder.Update(stream, out) == s);
      FUZZ_CHECK(decoder.Finish(out) == s);
      return s;
    }
    stream = stream.subspan(n);
  }
  return Call(decoder, {}, true, pieces, out);
}

void RoundTrip(ByteSpan plaintext, uint8_t rs_byte, Pieces& pieces) {
  backline::DeterministicRandom random(rs_byte);
  uint32_t rs = 18 + rs_byte;
  auto encoder =
      Aes128gcmEncoder::Create(ByteSpan(kIkm31), random, {.record_size = rs, .key_id = {}});
  FUZZ_CHECK(encoder.ok());
  // The Bytes form, or the span form with a buffer sized once up front.
  const bool into = (pieces.Next() & 1) != 0;
  Bytes buffer(encoder->MaxOutputSize(plaintext.size()));
  size_t written = 0;
  Bytes stream;
  ByteSpan rest = plaintext;
  while (!rest.empty()) {
    size_t n = std::min(pieces.Next(), rest.size());
    if (into) {
      FUZZ_CHECK(encoder->UpdateInto(rest.first(n), buffer, written).ok());
      stream.insert(stream.end(), buffer.begin(), buffer.begin() + static_cast<ptrdiff_t>(written));
    } else {
      FUZZ_CHECK(encoder->Update(rest.first(n), stream).ok());
    }
    FUZZ_CHECK(encoder->buffered_bytes() <= rs - 17);
    rest = rest.subspan(n);
  }
  if (into) {
    FUZZ_CHECK(encoder->FinishInto(buffer, written).ok());
    stream.insert(stream.end(), buffer.begin(), buffer.begin() + static_cast<ptrdiff_t>(written));
  } else {
    FUZZ_CHECK(encoder->Finish(stream).ok());
  }
  auto decoder = Aes128gcmDecoder::Create(ByteSpan(kIkm31));
  FUZZ_CHECK(decoder.ok());
  Bytes out;
  FUZZ_CHECK(Feed(*decoder, stream, pieces, out).ok());
  FUZZ_CHECK(out.size() == plaintext.size() &&
             std::equal(out.begin(), out.end(), plaintext.begin()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t mode = data[0];
  Pieces pieces(static_cast<uint16_t>(((mode & 0x3f) << 8) | data[1]));
  ByteSpan stream(data + 2, size - 2);

  Result<Aes128gcmDecoder> decoder =
      (mode & 0x80) != 0
          ? backline::testing::C2spChunked::CreateDecoder(ByteSpan(kIkm31),
                                                          backline::AsBytes("fuzz"))
          : Aes128gcmDecoder::Create([](ByteSpan key_id) -> Result<SecretBytes> {
              bool is_a1 = key_id.size() == 2 && key_id[0] == 'a' && key_id[1] == '1';
              return SecretBytes(ByteSpan(is_a1 ? kIkm32 : kIkm31));
            });
  FUZZ_CHECK(decoder.ok());
  Bytes out;
  Status s = Feed(*decoder, stream, pieces, out);
  if (!s.ok()) FUZZ_CHECK(!s.message().empty());
  FUZZ_CHECK(out.size() <= stream.size());

  if ((mode & 0x40) != 0 && stream.size() <= 1 << 16) RoundTrip(stream, data[1], pieces);
  return 0;
}
