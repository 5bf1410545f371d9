// RFC 8188 aes128gcm streams: the RFC's examples byte-exact, round trips fed
// in every chunking, tampering of every kind, constant memory on a 64 MiB
// stream; and the same decoder against Wycheproof's c2sp chunked-encryption
// vectors (see C2spChunkedVectors below for how that file maps onto it).
#include "crypto/aes128gcm.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <zlib.h>

#include <functional>
#include <random>
#include <string>
#include <string_view>

#include "crypto/aes128gcm_c2sp_testing.h"
#include "crypto/hash.h"
#include "crypto/vectors_testing.h"

namespace backline::crypto {
namespace {

using ::testing::HasSubstr;
using testing::Unhex;

// Yields fixed bytes: pins the salt.
class FixedRandom final : public RandomSource {
 public:
  explicit FixedRandom(ByteSpan bytes) : bytes_(bytes.begin(), bytes.end()) {}
  void Fill(std::span<uint8_t> out) override {
    ASSERT_LE(pos_ + out.size(), bytes_.size()) << "FixedRandom ran out of bytes";
    std::copy_n(bytes_.begin() + static_cast<ptrdiff_t>(pos_), out.size(), out.begin());
    pos_ += out.size();
  }

 private:
  Bytes bytes_;
  size_t pos_ = 0;
};

Bytes B64(std::string_view text) { return Base64UrlDecode(text).value(); }

// How a test cuts its input into pieces.
using Chunker = std::function<size_t()>;
Chunker Whole() {
  return [] { return std::numeric_limits<size_t>::max(); };
}
Chunker OneByte() {
  return [] { return size_t{1}; };
}
Chunker RandomPieces(uint32_t seed, size_t max) {
  auto rng = std::make_shared<std::mt19937>(seed);
  return [rng, max] { return std::uniform_int_distribution<size_t>(0, max)(*rng); };
}

struct Decoded {
  Status status;
  Bytes plaintext;  // what the decoder released, even when it then failed
};

Decoded Decode(Aes128gcmDecoder& decoder, ByteSpan stream, const Chunker& next = Whole()) {
  Decoded d;
  while (!stream.empty()) {
    size_t n = std::min(next(), stream.size());
    d.status = decoder.Update(stream.first(n), d.plaintext);
    if (!d.status.ok()) return d;
    stream = stream.subspan(n);
  }
  d.status = decoder.Finish(d.plaintext);
  return d;
}

Decoded Decode(ByteSpan ikm, ByteSpan stream, const Chunker& next = Whole()) {
  Aes128gcmDecoder decoder = Aes128gcmDecoder::Create(ikm).value();
  return Decode(decoder, stream, next);
}

// Decode() through the span form: each call gets a fresh buffer of exactly
// MaxOutputSize() bytes, filled with junk the output must overwrite.
Decoded DecodeInto(Aes128gcmDecoder& decoder, ByteSpan stream, const Chunker& next = Whole()) {
  Decoded d;
  auto release = [&](const Bytes& buffer, size_t written) {
    EXPECT_LE(written, buffer.size());
    d.plaintext.insert(d.plaintext.end(), buffer.begin(),
                       buffer.begin() + static_cast<ptrdiff_t>(written));
  };
  size_t written = 0;
  while (!stream.empty()) {
    size_t n = std::min(next(), stream.size());
    Bytes buffer(decoder.MaxOutputSize(n), 0xee);
    d.status = decoder.UpdateInto(stream.first(n), buffer, written);
    release(buffer, written);
    if (!d.status.ok()) return d;
    stream = stream.subspan(n);
  }
  Bytes buffer(decoder.MaxOutputSize(0), 0xee);
  d.status = decoder.FinishInto(buffer, written);
  release(buffer, written);
  return d;
}

Decoded DecodeInto(ByteSpan ikm, ByteSpan stream, const Chunker& next = Whole()) {
  Aes128gcmDecoder decoder = Aes128gcmDecoder::Create(ikm).value();
  return DecodeInto(decoder, stream, next);
}

Bytes Encode(ByteSpan ikm, ByteSpan plaintext, Aes128gcmEncoderOptions options,
             const Chunker& next = Whole(), uint64_t salt_seed = 1) {
  DeterministicRandom random(salt_seed);
  Aes128gcmEncoder encoder = Aes128gcmEncoder::Create(ikm, random, std::move(options)).value();
  Bytes out;
  while (!plaintext.empty()) {
    size_t n = std::min(next(), plaintext.size());
    EXPECT_TRUE(encoder.Update(plaintext.first(n), out).ok());
    plaintext = plaintext.subspan(n);
  }
  EXPECT_TRUE(encoder.Finish(out).ok());
  return out;
}

// Encode() through the span form, into one buffer sized before the first
// call for the largest possible chunk, as the header promises is enough.
Bytes EncodeInto(ByteSpan ikm, ByteSpan plaintext, Aes128gcmEncoderOptions options,
                 const Chunker& next = Whole(), uint64_t salt_seed = 1) {
  DeterministicRandom random(salt_seed);
  Aes128gcmEncoder encoder = Aes128gcmEncoder::Create(ikm, random, std::move(options)).value();
  Bytes buffer(encoder.MaxOutputSize(plaintext.size()));
  Bytes out;
  size_t written = 0;
  while (!plaintext.empty()) {
    size_t n = std::min(next(), plaintext.size());
    EXPECT_TRUE(encoder.UpdateInto(plaintext.first(n), buffer, written).ok());
    out.insert(out.end(), buffer.begin(), buffer.begin() + static_cast<ptrdiff_t>(written));
    plaintext = plaintext.subspan(n);
  }
  EXPECT_TRUE(encoder.FinishInto(buffer, written).ok());
  out.insert(out.end(), buffer.begin(), buffer.begin() + static_cast<ptrdiff_t>(written));
  return out;
}

Bytes Pattern(size_t size, uint8_t seed = 7) {
  Bytes b(size);
  for (size_t i = 0; i < size; ++i) b[i] = static_cast<uint8_t>(i * 31 + seed + (i >> 11));
  return b;
}

const Bytes kIkm = Bytes(16, 0x5a);

// --- RFC 8188 section 3 examples.

const boost::json::array& Rfc8188Examples() {
  static const boost::json::value kExamples = testing::ReadVectorJson("rfc/rfc8188-examples.json");
  return kExamples.as_object().at("examples").as_array();
}

std::string Field(const boost::json::value& v, const char* key) {
  return std::string(v.as_object().at(key).as_string());
}
uint32_t RecordSizeOf(const boost::json::value& v) {
  return static_cast<uint32_t>(v.as_object().at("rs").to_number<int64_t>());
}

TEST(Aes128gcmRfcExamples, Section31EncodesByteExact) {
  const auto& ex = Rfc8188Examples().at(0);
  ASSERT_EQ("3.1", Field(ex, "section"));
  FixedRandom salt(B64(Field(ex, "salt")));
  Aes128gcmEncoder encoder =
      Aes128gcmEncoder::Create(B64(Field(ex, "ikm")), salt,
                               {.record_size = RecordSizeOf(ex), .key_id = {}})
          .value();
  Bytes out;
  ASSERT_TRUE(encoder.Update(AsBytes(Field(ex, "plaintext")), out).ok());
  ASSERT_TRUE(encoder.Finish(out).ok());
  EXPECT_EQ(Field(ex, "encoded"), Base64UrlEncode(out));
  EXPECT_EQ(1u, encoder.records_written());
}

TEST(Aes128gcmRfcExamples, Section32EncodesByteExact) {
  // rs = 25 leaves 8 bytes of data per record. The RFC's first record holds
  // 7 bytes and one zero of padding, its second the remaining 8.
  const auto& ex = Rfc8188Examples().at(1);
  ASSERT_EQ("3.2", Field(ex, "section"));
  Bytes encoded = B64(Field(ex, "encoded"));
  FixedRandom salt(ByteSpan(encoded).first(16));  // the example gives its salt only here
  Aes128gcmEncoder encoder =
      Aes128gcmEncoder::Create(B64(Field(ex, "ikm")), salt,
                               {.record_size = RecordSizeOf(ex), .key_id = ToBytes("a1")})
          .value();
  std::string plaintext = Field(ex, "plaintext");
  Bytes out;
  ASSERT_TRUE(encoder.Update(AsBytes(plaintext.substr(0, 7)), out).ok());
  ASSERT_TRUE(encoder.PadRecord(out).ok());
  ASSERT_TRUE(encoder.Update(AsBytes(plaintext.substr(7)), out).ok());
  ASSERT_TRUE(encoder.Finish(out).ok());
  EXPECT_EQ(Field(ex, "encoded"), Base64UrlEncode(out));
  EXPECT_EQ(2u, encoder.records_written());
}

TEST(Aes128gcmRfcExamples, BothDecodeWholeAndOneByteAtATime) {
  int decoded = 0;
  for (const auto& ex : Rfc8188Examples()) {
    for (const Chunker& chunker : {Whole(), OneByte()}) {
      Aes128gcmDecoder decoder = Aes128gcmDecoder::Create(B64(Field(ex, "ikm"))).value();
      Decoded d = Decode(decoder, B64(Field(ex, "encoded")), chunker);
      ASSERT_TRUE(d.status.ok()) << d.status.ToString();
      EXPECT_EQ(Field(ex, "plaintext"), ToString(d.plaintext));
      EXPECT_EQ(RecordSizeOf(ex), decoder.record_size());
      EXPECT_EQ(Field(ex, "keyid"), ToString(decoder.key_id()));
      ++decoded;
    }
  }
  EXPECT_EQ(4, decoded);
}

TEST(Aes128gcmRfcExamples, WrongKeyFailsOnTheFirstRecord) {
  Decoded d = Decode(Bytes(16, 0), B64(Field(Rfc8188Examples().at(0), "encoded")));
  EXPECT_EQ(StatusCode::kUnauthenticated, d.status.code());
  EXPECT_THAT(d.status.message(), HasSubstr("record 1 failed to authenticate"));
  EXPECT_TRUE(d.plaintext.empty());
}

// --- Round trips: every size around record boundaries, every chunking.

TEST(Aes128gcmRoundTrip, SizesAroundRecordBoundariesInEveryChunking) {
  int streams = 0;
  for (uint32_t rs : {18u, 19u, 64u, 1000u}) {
    const size_t data = rs - 17;
    for (size_t size :
         {size_t{0}, size_t{1}, data - 1, data, data + 1, 2 * data, 2 * data + 1, 7 * data + 3}) {
      Bytes plaintext = Pattern(size);
      Aes128gcmEncoderOptions options{.record_size = rs, .key_id = ToBytes("k")};
      Bytes whole = Encode(kIkm, plaintext, options);
      // Chunking the input never changes the output.
      ASSERT_EQ(whole, Encode(kIkm, plaintext, options, OneByte()));
      ASSERT_EQ(whole, Encode(kIkm, plaintext, options, RandomPieces(rs, 3 * data)));
      // Nor does the form of the output.
      ASSERT_EQ(whole, EncodeInto(kIkm, plaintext, options));
      ASSERT_EQ(whole, EncodeInto(kIkm, plaintext, options, OneByte()));
      ASSERT_EQ(whole, EncodeInto(kIkm, plaintext, options, RandomPieces(rs + 1, 3 * data)));
      // Records: the header, then ceil(size / data) of them, at least one.
      size_t records = size == 0 ? 1 : (size + data - 1) / data;
      size_t last = size - (records - 1) * data;
      ASSERT_EQ(21 + 1 + (records - 1) * rs + last + 17, whole.size()) << "rs " << rs;

      for (const Chunker& chunker : {Whole(), OneByte(), RandomPieces(size, size_t{2} * rs)}) {
        Decoded d = Decode(kIkm, whole, chunker);
        ASSERT_TRUE(d.status.ok()) << d.status.ToString() << " rs " << rs << " size " << size;
        ASSERT_EQ(plaintext, d.plaintext);
        d = DecodeInto(kIkm, whole, chunker);
        ASSERT_TRUE(d.status.ok()) << d.status.ToString() << " rs " << rs << " size " << size;
        ASSERT_EQ(plaintext, d.plaintext);
      }
      ++streams;
    }
  }
  EXPECT_EQ(32, streams);
}

TEST(Aes128gcmRoundTrip, LargestRecordSizeAndLongestKeyId) {
  Bytes key_id(255, 'k');
  Bytes plaintext = Pattern(3 * kAes128gcmMaxRecordSize + 5);
  Bytes stream = Encode(kIkm, plaintext, {.record_size = kAes128gcmMaxRecordSize, .key_id = key_id},
                        RandomPieces(3, 300000));
  Aes128gcmDecoder decoder = Aes128gcmDecoder::Create(kIkm).value();
  Decoded d = Decode(decoder, stream, RandomPieces(4, 700000));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(plaintext, d.plaintext);
  EXPECT_EQ(key_id, decoder.key_id());
  EXPECT_EQ(4u, decoder.records_read());
}

TEST(Aes128gcmRoundTrip, KeyResolverSeesTheKeyId) {
  Bytes stream = Encode(kIkm, Pattern(100), {.record_size = 64, .key_id = ToBytes("track-7")});
  std::string asked;
  Aes128gcmDecoder decoder = Aes128gcmDecoder::Create([&](ByteSpan key_id) -> Result<SecretBytes> {
                               asked = ToString(key_id);
                               return SecretBytes(kIkm);
                             }).value();
  ASSERT_TRUE(Decode(decoder, stream, OneByte()).status.ok());
  EXPECT_EQ("track-7", asked);

  Aes128gcmDecoder refusing = Aes128gcmDecoder::Create([](ByteSpan) -> Result<SecretBytes> {
                                return NotFound("no such key");
                              }).value();
  Decoded d = Decode(refusing, stream);
  EXPECT_EQ(StatusCode::kNotFound, d.status.code());
  EXPECT_THAT(d.status.message(), HasSubstr("no key for the header's keyid"));
}

TEST(Aes128gcmRoundTrip, FreshSaltPerStream) {
  Bytes a = Encode(kIkm, Pattern(10), {}, Whole(), /*salt_seed=*/1);
  Bytes b = Encode(kIkm, Pattern(10), {}, Whole(), /*salt_seed=*/2);
  EXPECT_NE(Bytes(a.begin(), a.begin() + 16), Bytes(b.begin(), b.begin() + 16));
  EXPECT_NE(a, b);
}

// --- A large stream in constant memory.

TEST(Aes128gcmRoundTrip, SixtyFourMebibytesInBoundedMemory) {
  constexpr size_t kTotal = 64 << 20;
  constexpr size_t kChunk = (1 << 20) + 7;  // not a multiple of any record
  const uint32_t rs = kAes128gcmDefaultRecordSize;
  DeterministicRandom random(64);
  Aes128gcmEncoder encoder = Aes128gcmEncoder::Create(kIkm, random).value();
  Aes128gcmDecoder decoder = Aes128gcmDecoder::Create(kIkm).value();
  Bytes chunk = Pattern(kChunk), ciphertext, plaintext;
  Sha256Hasher written, read;
  size_t max_encoder_capacity = 0, max_decoder_capacity = 0, max_ciphertext = 0;

  auto pump = [&] {
    max_ciphertext = std::max(max_ciphertext, ciphertext.size());
    ASSERT_TRUE(decoder.Update(ciphertext, plaintext).ok());
    ciphertext.clear();
    read.Update(plaintext);
    plaintext.clear();
    max_encoder_capacity = std::max(max_encoder_capacity, encoder.buffer_capacity());
    max_decoder_capacity = std::max(max_decoder_capacity, decoder.buffer_capacity());
    ASSERT_LT(encoder.buffered_bytes(), rs);
    ASSERT_LT(decoder.buffered_bytes(), rs);
  };
  for (size_t done = 0; done < kTotal;) {
    size_t n = std::min(kChunk, kTotal - done);
    chunk[0] = static_cast<uint8_t>(done >> 20);  // every chunk differs
    written.Update(ByteSpan(chunk).first(n));
    ASSERT_TRUE(encoder.Update(ByteSpan(chunk).first(n), ciphertext).ok());
    pump();
    done += n;
  }
  ASSERT_TRUE(encoder.Finish(ciphertext).ok());
  pump();
  ASSERT_TRUE(decoder.Finish(plaintext).ok());
  read.Update(plaintext);

  EXPECT_EQ(written.Finish(), read.Finish());
  EXPECT_EQ(kTotal / (rs - 17) + 1, encoder.records_written());
  EXPECT_EQ(encoder.records_written(), decoder.records_read());
  // One record's worth each, whatever the stream's length.
  EXPECT_LE(max_encoder_capacity, rs - 17);
  EXPECT_LE(max_decoder_capacity, rs + kAes128gcmMaxHeaderSize);
  EXPECT_LE(max_ciphertext, kChunk + size_t{2} * rs);
}

// --- The span forms: buffers sized once, and buffers too small.

TEST(Aes128gcmBuffers, OneBufferOfMaxOutputSizeServesAWholeStream) {
  constexpr size_t kChunk = 1000;
  const uint32_t rs = 300;
  Bytes plaintext = Pattern(20 * kChunk + 3);
  Aes128gcmEncoderOptions options{.record_size = rs, .key_id = ToBytes("k")};
  DeterministicRandom random(1);
  Aes128gcmEncoder encoder = Aes128gcmEncoder::Create(kIkm, random, options).value();
  Bytes buffer(encoder.MaxOutputSize(kChunk));
  Bytes stream;
  size_t written = 0;
  for (size_t at = 0; at < plaintext.size(); at += kChunk) {
    ByteSpan chunk = ByteSpan(plaintext).subspan(at, std::min(kChunk, plaintext.size() - at));
    ASSERT_TRUE(encoder.UpdateInto(chunk, buffer, written).ok());
    stream.insert(stream.end(), buffer.begin(), buffer.begin() + static_cast<ptrdiff_t>(written));
    if (at == 5 * kChunk) {
      ASSERT_TRUE(encoder.PadRecordInto(buffer, written).ok());
      EXPECT_EQ(rs, written);
      stream.insert(stream.end(), buffer.begin(), buffer.begin() + static_cast<ptrdiff_t>(written));
    }
  }
  ASSERT_TRUE(encoder.FinishInto(buffer, written).ok());
  stream.insert(stream.end(), buffer.begin(), buffer.begin() + static_cast<ptrdiff_t>(written));

  // The decoder's buffer: one chunk plus the largest record it accepts.
  Aes128gcmDecoder decoder = Aes128gcmDecoder::Create(kIkm, {.max_record_size = rs}).value();
  buffer.assign(kChunk + rs, 0);
  Bytes read;
  for (size_t at = 0; at < stream.size(); at += kChunk) {
    ByteSpan chunk = ByteSpan(stream).subspan(at, std::min(kChunk, stream.size() - at));
    ASSERT_TRUE(decoder.UpdateInto(chunk, buffer, written).ok());
    read.insert(read.end(), buffer.begin(), buffer.begin() + static_cast<ptrdiff_t>(written));
  }
  ASSERT_TRUE(decoder.FinishInto(buffer, written).ok());
  read.insert(read.end(), buffer.begin(), buffer.begin() + static_cast<ptrdiff_t>(written));
  EXPECT_EQ(plaintext, read);
}

TEST(Aes128gcmBuffers, TooSmallABufferIsRefusedAndConsumesNothing) {
  Bytes plaintext = Pattern(50);
  Aes128gcmEncoderOptions options{.record_size = 40, .key_id = {}};  // 23 bytes of data a record
  const Bytes expected = Encode(kIkm, plaintext, options);
  DeterministicRandom random(1);
  Aes128gcmEncoder encoder = Aes128gcmEncoder::Create(kIkm, random, options).value();
  // 50 bytes: the header and 2 records now, 4 bytes held back.
  Bytes stream, small(21 + 2 * 40 - 1), enough(21 + 2 * 40);
  size_t written = 7;
  Status refused = encoder.UpdateInto(plaintext, small, written);
  EXPECT_EQ(StatusCode::kInvalidArgument, refused.code());
  EXPECT_THAT(refused.message(), HasSubstr("output buffer is too small"));
  EXPECT_EQ(0u, written);
  EXPECT_EQ(0u, encoder.buffered_bytes());
  ASSERT_TRUE(encoder.UpdateInto(plaintext, enough, written).ok());
  EXPECT_EQ(enough.size(), written);
  stream = enough;
  EXPECT_EQ(StatusCode::kInvalidArgument, encoder.FinishInto({}, written).code());
  ASSERT_TRUE(encoder.Finish(stream).ok());
  EXPECT_EQ(expected, stream);

  Aes128gcmDecoder decoder = Aes128gcmDecoder::Create(kIkm).value();
  Bytes read(decoder.MaxOutputSize(stream.size()));
  EXPECT_EQ(StatusCode::kInvalidArgument,
            decoder.UpdateInto(stream, std::span(read).first(10), written).code());
  EXPECT_EQ(0u, written);
  EXPECT_EQ(0u, decoder.buffered_bytes());
  ASSERT_TRUE(decoder.UpdateInto(stream, read, written).ok());
  read.resize(written);
  ASSERT_TRUE(decoder.Finish(read).ok());
  EXPECT_EQ(plaintext, read);
}

// --- Tampering, truncation and framing errors, on a stream of small records.
//
// Reads like a story: Write(...) encodes, the middle line damages the
// stream, Read() decodes it and returns "OK" or the error.

class Aes128gcmTamperTest : public ::testing::Test {
 protected:
  static constexpr uint32_t kRs = 64;
  static constexpr size_t kData = kRs - 17;
  static constexpr size_t kHeader = 21;

  void Write(size_t size) {
    written_ = Pattern(size);
    stream_ = Encode(kIkm, written_, {.record_size = kRs, .key_id = {}});
  }
  size_t RecordOffset(size_t index) const { return kHeader + index * kRs; }
  void FlipBit(size_t offset) { stream_[offset] ^= 0x01; }
  void Truncate(size_t size) { stream_.resize(size); }
  void AppendJunk(std::string_view junk) { Append(stream_, AsBytes(junk)); }
  void SwapRecords(size_t a, size_t b) {
    std::swap_ranges(stream_.begin() + static_cast<ptrdiff_t>(RecordOffset(a)),
                     stream_.begin() + static_cast<ptrdiff_t>(RecordOffset(a) + kRs),
                     stream_.begin() + static_cast<ptrdiff_t>(RecordOffset(b)));
  }
  void DuplicateRecord(size_t from, size_t to) {
    std::copy_n(stream_.begin() + static_cast<ptrdiff_t>(RecordOffset(from)), kRs,
                stream_.begin() + static_cast<ptrdiff_t>(RecordOffset(to)));
  }
  // Decodes the stream whole and one byte at a time, appending to Bytes and
  // into buffers; all must agree.
  std::string Read() {
    Decoded whole = Decode(kIkm, stream_);
    for (const Decoded& other : {Decode(kIkm, stream_, OneByte()), DecodeInto(kIkm, stream_),
                                 DecodeInto(kIkm, stream_, OneByte())}) {
      EXPECT_EQ(whole.status, other.status);
      EXPECT_EQ(whole.plaintext, other.plaintext);
    }
    read_ = whole.plaintext;
    return whole.status.ok() ? "OK" : whole.status.ToString();
  }

  Bytes written_, stream_, read_;
};

TEST_F(Aes128gcmTamperTest, IntactStreamReads) {
  Write(3 * kData + 5);
  ASSERT_EQ("OK", Read());
  EXPECT_EQ(written_, read_);
}

TEST_F(Aes128gcmTamperTest, FlippedBitInAnyByteFails) {
  Write(2 * kData + 5);
  const Bytes intact = stream_;
  for (size_t i = 0; i < intact.size(); ++i) {
    stream_ = intact;
    FlipBit(i);
    EXPECT_NE("OK", Read()) << "flipped byte " << i;
  }
}

TEST_F(Aes128gcmTamperTest, FlippedBitInSecondRecordReleasesOnlyTheFirst) {
  Write(3 * kData);
  FlipBit(RecordOffset(1) + 3);
  EXPECT_THAT(Read(), HasSubstr("UNAUTHENTICATED: aes128gcm: record 2 failed to authenticate"));
  EXPECT_EQ(Bytes(written_.begin(), written_.begin() + kData), read_);
}

TEST_F(Aes128gcmTamperTest, FlippedBitInTheTagFails) {
  Write(kData);
  FlipBit(stream_.size() - 1);
  EXPECT_THAT(Read(), HasSubstr("record 1 failed to authenticate"));
}

TEST_F(Aes128gcmTamperTest, ReorderedRecordsFail) {
  Write(3 * kData + 1);
  SwapRecords(0, 1);
  EXPECT_THAT(Read(), HasSubstr("record 1 failed to authenticate"));
  EXPECT_TRUE(read_.empty());
}

TEST_F(Aes128gcmTamperTest, DuplicatedRecordFails) {
  Write(3 * kData + 1);
  DuplicateRecord(0, 1);
  EXPECT_THAT(Read(), HasSubstr("record 2 failed to authenticate"));
}

TEST_F(Aes128gcmTamperTest, TruncationAtARecordBoundaryFails) {
  Write(3 * kData + 1);
  Truncate(RecordOffset(2));
  EXPECT_THAT(Read(), HasSubstr("INVALID_ARGUMENT: aes128gcm: truncated: the stream ended after "
                                "record 2 without a final record"));
  EXPECT_EQ(2 * kData, read_.size());
}

TEST_F(Aes128gcmTamperTest, TruncationInsideARecordFails) {
  Write(3 * kData + 1);
  Truncate(RecordOffset(1) + 30);
  EXPECT_THAT(Read(), HasSubstr("record 2 failed to authenticate"));
}

TEST_F(Aes128gcmTamperTest, TruncationToLessThanAnEmptyRecordFails) {
  Write(3 * kData + 1);
  Truncate(RecordOffset(1) + 16);
  EXPECT_THAT(Read(), HasSubstr("truncated: last record 2 has 16 bytes, fewer than the 17"));
}

TEST_F(Aes128gcmTamperTest, TruncationInsideTheHeaderFails) {
  Write(10);
  Truncate(20);
  EXPECT_THAT(Read(), HasSubstr("truncated: the stream ended inside the header (20 of 21 bytes)"));
  Truncate(0);
  EXPECT_THAT(Read(), HasSubstr("ended inside the header (0 of 21 bytes)"));
}

TEST_F(Aes128gcmTamperTest, DroppingTheFinalRecordFails) {
  Write(2 * kData + 1);  // two full records and a one-byte final one
  Truncate(RecordOffset(2));
  EXPECT_THAT(Read(), HasSubstr("truncated"));
}

TEST_F(Aes128gcmTamperTest, TrailingDataAfterAFullFinalRecordFails) {
  Write(2 * kData);  // the final record is full-size
  ASSERT_EQ(RecordOffset(2), stream_.size());
  AppendJunk("x");
  EXPECT_THAT(Read(), HasSubstr("trailing data at byte 149, after the final record"));
  EXPECT_EQ(written_, read_);  // every record authenticated; only the tail is wrong
}

TEST_F(Aes128gcmTamperTest, TrailingDataAfterAShortFinalRecordFails) {
  Write(kData + 3);
  AppendJunk("trailing");
  EXPECT_THAT(Read(), HasSubstr("record 2 failed to authenticate"));
}

TEST_F(Aes128gcmTamperTest, AStreamAppendedToItselfFails) {
  Write(2 * kData);
  Bytes copy = stream_;
  Append(stream_, copy);
  EXPECT_THAT(Read(), HasSubstr("trailing data"));
}

// --- Records crafted by hand: padding and delimiters, header fields.
//
// Builds streams the encoder would never write, with the RFC's key schedule
// computed here from the primitives, independently of the codec.
class StreamBuilder {
 public:
  explicit StreamBuilder(uint32_t rs, ByteSpan key_id = {}) {
    Bytes salt(16, 0xab);
    SecretBytes prk = HkdfExtract(salt, kIkm);
    std::string cek_info("Content-Encoding: aes128gcm\0", 28);
    std::string nonce_info("Content-Encoding: nonce\0", 24);
    aead_.emplace(AesGcm::Create(HkdfExpand(prk, AsBytes(cek_info), 16).value()).value());
    SecretBytes nonce = HkdfExpand(prk, AsBytes(nonce_info), 12).value();
    nonce_.assign(nonce.span().begin(), nonce.span().end());
    stream_ = salt;
    AppendU32(stream_, rs);
    stream_.push_back(static_cast<uint8_t>(key_id.size()));
    Append(stream_, key_id);
  }
  // Seals `plaintext` (data, delimiter and padding, as given) as the next record.
  StreamBuilder& Record(ByteSpan plaintext) {
    Bytes nonce = nonce_;
    for (size_t i = 0; i < 8; ++i) nonce[11 - i] ^= static_cast<uint8_t>(seq_ >> (8 * i));
    Append(stream_, aead_->Seal(nonce, {}, plaintext).value());
    ++seq_;
    return *this;
  }
  StreamBuilder& Record(std::string_view data, uint8_t delimiter, size_t padding = 0) {
    Bytes plaintext = ToBytes(data);
    plaintext.push_back(delimiter);
    plaintext.resize(plaintext.size() + padding, 0);
    return Record(plaintext);
  }
  const Bytes& bytes() const { return stream_; }

 private:
  std::optional<AesGcm> aead_;
  Bytes nonce_;
  Bytes stream_;
  uint64_t seq_ = 0;
};

std::string ReadCrafted(const StreamBuilder& builder, Bytes* plaintext = nullptr) {
  Decoded d = Decode(kIkm, builder.bytes(), OneByte());
  Decoded into = DecodeInto(kIkm, builder.bytes());
  EXPECT_EQ(d.status, into.status);
  EXPECT_EQ(d.plaintext, into.plaintext);
  if (plaintext != nullptr) *plaintext = d.plaintext;
  return d.status.ok() ? "OK" : d.status.ToString();
}

TEST(Aes128gcmFramingTest, BuilderAgreesWithTheDecoder) {
  // rs 20 holds 3 bytes of data per record.
  Bytes read;
  EXPECT_EQ("OK", ReadCrafted(StreamBuilder(20).Record("abc", 1).Record("de", 2), &read));
  EXPECT_EQ("abcde", ToString(read));
}

TEST(Aes128gcmFramingTest, ZeroPaddingAfterTheDelimiterIsStripped) {
  Bytes read;
  EXPECT_EQ("OK", ReadCrafted(StreamBuilder(20).Record("a", 1, 2).Record("", 2, 2), &read));
  EXPECT_EQ("a", ToString(read));
}

TEST(Aes128gcmFramingTest, BadDelimiterFails) {
  EXPECT_THAT(ReadCrafted(StreamBuilder(20).Record("abc", 3)),
              HasSubstr("record 1 has bad padding: delimiter 0x03"));
}

TEST(Aes128gcmFramingTest, ARejectedRecordLeavesNothingInTheBuffer) {
  // The record authenticates but its framing is refused: its plaintext must
  // not stay behind in the caller's buffer, past `written`.
  Aes128gcmDecoder decoder = Aes128gcmDecoder::Create(kIkm).value();
  Bytes buffer(100, 0xee);
  size_t written = 0;
  Status s = decoder.UpdateInto(StreamBuilder(20).Record("abc", 3).bytes(), buffer, written);
  EXPECT_THAT(s.message(), HasSubstr("bad padding"));
  EXPECT_EQ(0u, written);
  EXPECT_EQ(Bytes(4, 0), Bytes(buffer.begin(), buffer.begin() + 4));
}

TEST(Aes128gcmFramingTest, NonZeroPaddingFails) {
  // data || 0x02 || 0x00 || 0x07: the last non-zero byte is not a delimiter.
  EXPECT_THAT(ReadCrafted(StreamBuilder(20).Record(Bytes{'a', 0x02, 0x00, 0x07})),
              HasSubstr("delimiter 0x07"));
}

TEST(Aes128gcmFramingTest, RecordOfOnlyZerosFails) {
  EXPECT_THAT(ReadCrafted(StreamBuilder(20).Record(Bytes(4, 0))),
              HasSubstr("record 1 has no padding delimiter"));
}

TEST(Aes128gcmFramingTest, LastRecordWithDelimiterOneIsTruncation) {
  EXPECT_THAT(ReadCrafted(StreamBuilder(20).Record("abc", 1).Record("d", 1)),
              HasSubstr("truncated: last record 2 has delimiter 1"));
}

TEST(Aes128gcmFramingTest, RecordsAfterAFinalOneFail) {
  EXPECT_THAT(ReadCrafted(StreamBuilder(20).Record("abc", 2).Record("d", 2)),
              HasSubstr("trailing data at byte 41, after the final record"));
}

TEST(Aes128gcmFramingTest, EmptyFinalRecordIsFine) {
  Bytes read;
  EXPECT_EQ("OK", ReadCrafted(StreamBuilder(20).Record("abc", 1).Record("", 2), &read));
  EXPECT_EQ("abc", ToString(read));
}

TEST(Aes128gcmFramingTest, RecordSizeOutOfRangeInTheHeaderFails) {
  EXPECT_THAT(ReadCrafted(StreamBuilder(17).Record("", 2)),
              HasSubstr("INVALID_ARGUMENT: aes128gcm: header has record size 17, below the "
                        "minimum of 18"));
  EXPECT_THAT(ReadCrafted(StreamBuilder(0).Record("", 2)), HasSubstr("record size 0, below"));
  EXPECT_THAT(ReadCrafted(StreamBuilder(kAes128gcmMaxRecordSize + 1).Record("", 2)),
              HasSubstr("PAYLOAD_TOO_LARGE: aes128gcm: header has record size 1048577, above "
                        "the limit of 1048576"));
  EXPECT_THAT(ReadCrafted(StreamBuilder(0xffffffff).Record("", 2)), HasSubstr("above the limit"));
  EXPECT_EQ("OK", ReadCrafted(StreamBuilder(18).Record("", 2)));
}

TEST(Aes128gcmFramingTest, DecoderMayLowerTheRecordSizeLimit) {
  Bytes stream = Encode(kIkm, Pattern(10), {.record_size = 8192, .key_id = {}});
  Aes128gcmDecoder strict = Aes128gcmDecoder::Create(kIkm, {.max_record_size = 4096}).value();
  EXPECT_THAT(Decode(strict, stream).status.ToString(),
              HasSubstr("record size 8192, above the limit of 4096"));
  EXPECT_FALSE(Aes128gcmDecoder::Create(kIkm, {.max_record_size = 17}).ok());
  EXPECT_FALSE(Aes128gcmDecoder::Create(kIkm, {.max_record_size = (1 << 20) + 1}).ok());
}

TEST(Aes128gcmFramingTest, EncoderRejectsBadOptions) {
  DeterministicRandom random(1);
  auto create = [&](Aes128gcmEncoderOptions options) {
    return Aes128gcmEncoder::Create(kIkm, random, std::move(options)).status();
  };
  EXPECT_EQ(StatusCode::kInvalidArgument, create({.record_size = 17, .key_id = {}}).code());
  EXPECT_EQ(StatusCode::kPayloadTooLarge,
            create({.record_size = (1 << 20) + 1, .key_id = {}}).code());
  EXPECT_THAT(create({.record_size = 4096, .key_id = Bytes(256, 'k')}).message(),
              HasSubstr("keyid of 256 bytes is longer than 255"));
  EXPECT_TRUE(create({.record_size = 18, .key_id = Bytes(255, 'k')}).ok());
  EXPECT_FALSE(Aes128gcmEncoder::Create({}, random).ok());
  EXPECT_FALSE(Aes128gcmDecoder::Create(ByteSpan{}).ok());
}

TEST(Aes128gcmFramingTest, ErrorsAreStickyAndFinishIsFinal) {
  Bytes stream = Encode(kIkm, Pattern(100), {.record_size = 20, .key_id = {}});
  stream[30] ^= 1;
  Aes128gcmDecoder decoder = Aes128gcmDecoder::Create(kIkm).value();
  Bytes out;
  Status first = decoder.Update(stream, out);
  ASSERT_EQ(StatusCode::kUnauthenticated, first.code());
  EXPECT_EQ(first, decoder.Update(Bytes(1, 0), out));
  EXPECT_EQ(first, decoder.Finish(out));

  Aes128gcmDecoder finished = Aes128gcmDecoder::Create(kIkm).value();
  Bytes good = Encode(kIkm, Pattern(3), {});
  ASSERT_TRUE(finished.Update(good, out).ok());
  ASSERT_TRUE(finished.Finish(out).ok());
  EXPECT_EQ(StatusCode::kFailedPrecondition, finished.Update(good, out).code());
  EXPECT_EQ(StatusCode::kFailedPrecondition, finished.Finish(out).code());

  DeterministicRandom random(2);
  Aes128gcmEncoder encoder = Aes128gcmEncoder::Create(kIkm, random).value();
  ASSERT_TRUE(encoder.Finish(out).ok());
  EXPECT_EQ(StatusCode::kFailedPrecondition, encoder.Update(good, out).code());
  EXPECT_EQ(StatusCode::kFailedPrecondition, encoder.Finish(out).code());
}

// --- Wycheproof c2sp_chunked_encryption_aes_128_gcm_test.json.
//
// The file is not RFC 8188: it tests c2sp.org/chunked-encryption
// (Cobblestone-128), whose `ct` is zlib-compressed and is
//   salt (24) || commitment (32) || AES-128-GCM chunks of 16 KiB + tag,
// the last chunk shorter than 16 KiB (possibly empty), keys from
// HKDF-Expand-SHA512. The record layer matches RFC 8188's (nonce = base
// nonce xor big-endian counter, empty AAD, one record decrypted at a time),
// so the decoder reads this framing too, and every case runs through it:
//   - full mode, with `key` and `ctx` (all 35 cases; InvalidKeySize cases must
//     fail at creation, HeaderFailure cases before any chunk is decrypted);
//   - raw mode, with `aeadKey` and `baseNonce` on `ct` minus its 56-byte
//     header (the 25 cases without HeaderFailure);
// each fed whole and in random pieces. Valid cases must yield msgLength bytes
// hashing to msgSha512; invalid ones must fail, having released no more than
// the PartialPlaintext prefix (msgLength/msgSha512, else nothing), and keep
// failing.

Bytes Inflate(ByteSpan compressed) {
  z_stream z{};
  EXPECT_EQ(Z_OK, inflateInit(&z));
  Bytes out;
  Bytes buffer(1 << 20);
  z.next_in = const_cast<Bytef*>(compressed.data());
  z.avail_in = static_cast<uInt>(compressed.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = buffer.data();
    z.avail_out = static_cast<uInt>(buffer.size());
    rc = inflate(&z, Z_NO_FLUSH);
    out.insert(out.end(), buffer.data(), buffer.data() + (buffer.size() - z.avail_out));
  }
  EXPECT_EQ(Z_STREAM_END, rc);
  inflateEnd(&z);
  return out;
}

std::string Sha512Hex(ByteSpan data) {
  uint8_t digest[64];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha512(), nullptr);
  return HexEncode(ByteSpan(digest, len));
}

struct C2spCase {
  std::string id, comment, result;
  Bytes key, ctx, ct, aead_key, base_nonce;
  std::optional<size_t> msg_length;
  std::string msg_sha512;
  std::vector<std::string> flags;
  bool Has(std::string_view flag) const {
    return std::find(flags.begin(), flags.end(), flag) != flags.end();
  }
};

std::vector<C2spCase> C2spCases() {
  boost::json::value file =
      testing::ReadVectorJson("wycheproof/c2sp_chunked_encryption_aes_128_gcm_test.json");
  std::vector<C2spCase> cases;
  for (const auto& group : file.as_object().at("testGroups").as_array()) {
    EXPECT_EQ("AEAD_AES_128_GCM", group.as_object().at("aead").as_string());
    EXPECT_EQ("SHA-512", group.as_object().at("sha").as_string());
    for (const auto& t : group.as_object().at("tests").as_array()) {
      const auto& o = t.as_object();
      C2spCase c;
      c.id = std::to_string(o.at("tcId").to_number<int64_t>());
      c.comment = std::string(o.at("comment").as_string());
      c.result = std::string(o.at("result").as_string());
      c.key = Unhex(o.at("key").as_string());
      c.ctx = Unhex(o.at("ctx").as_string());
      c.ct = Inflate(Unhex(o.at("ct").as_string()));
      if (o.contains("aeadKey")) c.aead_key = Unhex(o.at("aeadKey").as_string());
      if (o.contains("baseNonce")) c.base_nonce = Unhex(o.at("baseNonce").as_string());
      if (o.contains("msgLength")) {
        c.msg_length = static_cast<size_t>(o.at("msgLength").to_number<int64_t>());
        c.msg_sha512 = std::string(o.at("msgSha512").as_string());
      }
      for (const auto& f : o.at("flags").as_array()) c.flags.emplace_back(f.as_string());
      cases.push_back(std::move(c));
    }
  }
  EXPECT_EQ(35u, cases.size());
  EXPECT_EQ(35, file.as_object().at("numberOfTests").to_number<int64_t>());
  return cases;
}

// Checks one decoding of one case against its verdict.
void ExpectVerdict(const C2spCase& c, Aes128gcmDecoder& decoder, ByteSpan ct,
                   const Chunker& chunker) {
  Decoded d = Decode(decoder, ct, chunker);
  if (c.result == "valid") {
    ASSERT_TRUE(d.status.ok()) << d.status.ToString();
    ASSERT_EQ(*c.msg_length, d.plaintext.size());
    EXPECT_EQ(c.msg_sha512, Sha512Hex(d.plaintext));
    return;
  }
  ASSERT_FALSE(d.status.ok());
  if (c.Has("PartialPlaintext")) {
    ASSERT_EQ(*c.msg_length, d.plaintext.size());
    EXPECT_EQ(c.msg_sha512, Sha512Hex(d.plaintext));
  } else {
    EXPECT_TRUE(d.plaintext.empty()) << d.plaintext.size() << " bytes released";
  }
  // "must keep returning an error".
  Bytes more;
  EXPECT_FALSE(decoder.Update(Bytes(1, 0), more).ok());
  EXPECT_FALSE(decoder.Finish(more).ok());
  EXPECT_TRUE(more.empty());
}

TEST(C2spChunkedVectors, EveryCaseInFullAndRawMode) {
  int valid = 0, invalid = 0, rejected_keys = 0, header_failures = 0, full_runs = 0, raw_runs = 0;
  for (const C2spCase& c : C2spCases()) {
    SCOPED_TRACE("tcId " + c.id + ": " + c.comment);
    (c.result == "valid" ? valid : invalid)++;
    ASSERT_TRUE(c.result == "valid" || c.result == "invalid");

    if (c.Has("InvalidKeySize")) {
      EXPECT_EQ(StatusCode::kInvalidArgument,
                testing::C2spChunked::CreateDecoder(c.key, c.ctx).status().code());
      ++rejected_keys;
      continue;
    }
    for (const Chunker& chunker : {Whole(), RandomPieces(std::stoul(c.id), 40000)}) {
      Aes128gcmDecoder full = testing::C2spChunked::CreateDecoder(c.key, c.ctx).value();
      ExpectVerdict(c, full, c.ct, chunker);
      if (c.Has("HeaderFailure")) {
        EXPECT_EQ(0u, full.records_read()) << "a chunk was decrypted before the header failed";
      }
      ++full_runs;
    }
    if (c.Has("HeaderFailure")) {
      ++header_failures;
      continue;
    }
    ASSERT_GE(c.ct.size(), 56u);
    for (const Chunker& chunker : {Whole(), RandomPieces(std::stoul(c.id) + 99, 40000)}) {
      Aes128gcmDecoder raw =
          testing::C2spChunked::CreateRawDecoder(c.aead_key, c.base_nonce).value();
      ExpectVerdict(c, raw, ByteSpan(c.ct).subspan(56), chunker);
      ++raw_runs;
    }
  }
  EXPECT_EQ(10, valid);
  EXPECT_EQ(25, invalid);
  EXPECT_EQ(2, rejected_keys);
  EXPECT_EQ(8, header_failures);  // plus the 2 key-size cases: 10 HeaderFailure flags
  EXPECT_EQ(2 * 33, full_runs);
  EXPECT_EQ(2 * 25, raw_runs);
}

TEST(C2spChunkedVectors, SmallCasesOneByteAtATime) {
  int runs = 0;
  for (const C2spCase& c : C2spCases()) {
    if (c.Has("InvalidKeySize") || c.ct.size() > 40000) continue;
    SCOPED_TRACE("tcId " + c.id + ": " + c.comment);
    Aes128gcmDecoder full = testing::C2spChunked::CreateDecoder(c.key, c.ctx).value();
    ExpectVerdict(c, full, c.ct, OneByte());
    ++runs;
  }
  EXPECT_EQ(31, runs);
}

TEST(C2spChunkedVectors, HeaderFailuresAreReportedAsSuch) {
  for (const C2spCase& c : C2spCases()) {
    if (!c.Has("HeaderFailure") || c.Has("InvalidKeySize")) continue;
    SCOPED_TRACE("tcId " + c.id + ": " + c.comment);
    Aes128gcmDecoder decoder = testing::C2spChunked::CreateDecoder(c.key, c.ctx).value();
    Status s = Decode(decoder, c.ct).status;
    if (c.Has("Truncation")) {
      EXPECT_THAT(s.message(), HasSubstr("ended inside the header"));
    } else {
      EXPECT_THAT(s.message(), HasSubstr("commitment mismatch"));
    }
  }
}

}  // namespace
}  // namespace backline::crypto
