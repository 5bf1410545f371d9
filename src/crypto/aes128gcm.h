// RFC 8188 "aes128gcm" content coding: a streaming encoder and decoder that
// work in constant memory for streams of any length.
//
// Wire format (RFC 8188 section 2):
//   header = salt (16) || rs (uint32, big-endian) || idlen (1) || keyid (idlen)
//   then records of exactly rs bytes, except the last which may be shorter.
//   Each record is AES-128-GCM(CEK, NONCE xor seq) over
//   data || delimiter || zero padding, where the delimiter is 0x01 in every
//   record but the last and 0x02 in the last. CEK and NONCE come from
//   HKDF-SHA256(salt, ikm).
//
// Both classes are push-style: you hand them input of any size and they
// emit whatever output that input completes, in one of two forms:
//   - Update(in, Bytes& out) appends to a caller-owned Bytes;
//   - UpdateInto(in, span out, written) writes at the front of a caller's
//     buffer, sized with MaxOutputSize(), and says how much it wrote.
// The span form is the fast one: a Bytes can only grow by zero-filling its
// new bytes, one more pass over the output, while a buffer reused across
// calls is never cleared (bench/crypto_bench: the span forms run at over 90 %
// of raw AES-128-GCM, the Bytes forms at 78 % encrypting, 88 % decrypting).
// Both forms write the same bytes.
// They hold at most one record of input back (the encoder record_size - 17
// bytes of plaintext, the decoder record_size - 1 bytes of ciphertext) plus a
// header of at most 276 bytes; buffered_bytes() and buffer_capacity() show it.
// The record buffers grow only as input is held back: a caller that hands
// over whole records at a time never makes them allocate, and whole records
// are sealed or opened straight between the caller's input and output. How
// large the output grows is the caller's choice: about as much as the input
// of one call.
//
//   BL_ASSIGN_OR_RETURN(auto enc, Aes128gcmEncoder::Create(ikm, random));
//   for (chunk : file) { out.clear(); BL_RETURN_IF_ERROR(enc.Update(chunk, out)); send(out); }
//   out.clear(); BL_RETURN_IF_ERROR(enc.Finish(out)); send(out);
//
//   Bytes buffer(enc.MaxOutputSize(kChunkSize));  // once; enough for every call
//   size_t n = 0;
//   for (chunk : file) { BL_RETURN_IF_ERROR(enc.UpdateInto(chunk, buffer, n)); send(first n); }
//   BL_RETURN_IF_ERROR(enc.FinishInto(buffer, n)); send(first n);
//
// The decoder appends a record's plaintext only after the record has
// authenticated, and Finish() fails unless the final record (delimiter 2) was
// seen, so a cut stream is never mistaken for a whole one. It rejects, with
// a message naming the record: a record that fails to authenticate (flipped
// bit, reordered or duplicated records, wrong key: Unauthenticated), a
// truncated stream, data after the final record, a record without a valid
// delimiter, and a header with rs outside [18, max_record_size]
// (InvalidArgument, or PayloadTooLarge for rs above the limit). Errors are
// sticky: after one, every call returns it again.
//
// Tests (and only tests) also run the decoder's record layer on
// c2sp.org/chunked-encryption streams, to check it against Wycheproof's
// vectors for that format: see aes128gcm_c2sp_testing.h. That framing is not
// reachable from here.
//
// Thread-safety: an encoder or decoder is one stream's state; use it from one
// thread at a time. `out` must not alias the input.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>

#include "base/bytes.h"
#include "base/random.h"
#include "base/status.h"
#include "crypto/aes_gcm.h"
#include "crypto/secure.h"

namespace backline::testing {
class C2spChunked;  // aes128gcm_c2sp_testing.h, test-only
}  // namespace backline::testing

namespace backline::crypto {

namespace internal {
class Aes128gcmOutput;  // a caller's buffer or a Bytes, in aes128gcm.cc
}  // namespace internal

inline constexpr size_t kAes128gcmSaltSize = 16;
inline constexpr size_t kAes128gcmMaxKeyIdSize = 255;
inline constexpr size_t kAes128gcmMaxHeaderSize = kAes128gcmSaltSize + 4 + 1 + 255;
// A record holds at least the delimiter and the tag; RFC 8188 asks for 18.
inline constexpr uint32_t kAes128gcmMinRecordSize = 18;
// Our limit on rs for both sides: bounds the memory one stream can pin.
inline constexpr uint32_t kAes128gcmMaxRecordSize = 1 << 20;
// 64 KiB records: the 17-byte overhead is 0.03 %, one AES-GCM call per record
// amortises its set-up, and a decoder pins at most 64 KiB per stream, so a
// delivery node can serve thousands of streams at once.
inline constexpr uint32_t kAes128gcmDefaultRecordSize = 64 * 1024;

struct Aes128gcmEncoderOptions {
  // rs: the size of every record but the last, tag included; in
  // [kAes128gcmMinRecordSize, kAes128gcmMaxRecordSize].
  uint32_t record_size = kAes128gcmDefaultRecordSize;
  // Tells the recipient which key to use; at most 255 bytes, may be empty.
  Bytes key_id;
};

class Aes128gcmEncoder {
 public:
  // Draws the 16-byte salt from `random` now; `random` is not kept. `ikm`
  // must be non-empty (RFC 8188 uses 16 bytes).
  static Result<Aes128gcmEncoder> Create(ByteSpan ikm, RandomSource& random,
                                         Aes128gcmEncoderOptions options = {});
  Aes128gcmEncoder(Aes128gcmEncoder&&) noexcept = default;
  Aes128gcmEncoder& operator=(Aes128gcmEncoder&&) noexcept = default;

  // Appends the header (on the first call) and every record this plaintext
  // completes. A full record is held back until more plaintext arrives, so
  // the final record is never an empty one needlessly.
  Status Update(ByteSpan plaintext, Bytes& out);

  // Closes the current record early: appends the buffered plaintext as a
  // non-final record filled to record_size with zero padding (RFC 8188
  // section 2). Useful to hide chunk boundaries or to reproduce a given
  // record layout, like the RFC's example 3.2.
  Status PadRecord(Bytes& out);

  // Appends the final record (delimiter 2) holding the buffered plaintext.
  // Afterwards the encoder refuses further calls with FailedPrecondition.
  Status Finish(Bytes& out);

  // The same three calls into a caller's buffer: each writes at the front of
  // `out` and sets `written` to the bytes written (on error, to those of the
  // records sealed before it). If `out` is smaller than the call will write,
  // they return InvalidArgument having consumed nothing, the stream as it was.
  Status UpdateInto(ByteSpan plaintext, std::span<uint8_t> out, size_t& written);
  Status PadRecordInto(std::span<uint8_t> out, size_t& written);
  Status FinishInto(std::span<uint8_t> out, size_t& written);
  // Enough room for UpdateInto with up to `plaintext_size` bytes, and for
  // PadRecordInto and FinishInto, now and at every later call: a buffer sized
  // once before the first call serves the whole stream.
  size_t MaxOutputSize(size_t plaintext_size) const;

  uint32_t record_size() const { return record_size_; }
  uint64_t records_written() const { return seq_; }
  // Plaintext held back for the next record.
  size_t buffered_bytes() const { return pending_.size(); }
  // Heap bytes reserved for buffering: record_size - 17, never more.
  size_t buffer_capacity() const { return pending_.capacity(); }

 private:
  Aes128gcmEncoder(AesGcm aead, SecretBytes base_nonce, Bytes header, uint32_t record_size);
  using Output = internal::Aes128gcmOutput;
  // Exactly what each call will write.
  size_t UpdateOutputSize(size_t plaintext_size) const;
  size_t PadRecordOutputSize() const;
  size_t FinishOutputSize() const;
  Status CheckUsable(const char* if_finished, const Output& out, size_t needed) const;
  // The three calls, for either form of output.
  Status Update(ByteSpan plaintext, Output& out);
  Status PadRecord(Output& out);
  Status Finish(Output& out);
  void EmitHeader(Output& out);
  Status SealRecords(ByteSpan plaintext, Output& out);
  // Seals data || delimiter || padding zeros as the next record.
  Status SealRecord(ByteSpan data, uint8_t delimiter, size_t padding, Output& out);

  AesGcm aead_;
  SecretBytes base_nonce_;
  Bytes header_;  // emitted, then cleared, on the first call
  uint32_t record_size_;
  size_t max_data_;  // plaintext bytes per record: record_size - 17
  Bytes pending_;
  uint64_t seq_ = 0;
  bool header_emitted_ = false;
  bool finished_ = false;
  Status error_;
};

struct Aes128gcmDecoderOptions {
  // Headers asking for a larger rs are refused (PayloadTooLarge). At most
  // kAes128gcmMaxRecordSize.
  uint32_t max_record_size = kAes128gcmMaxRecordSize;
};

// Maps the header's keyid to the input keying material; an error fails the
// stream with that error.
using Aes128gcmKeyResolver = std::function<Result<SecretBytes>(ByteSpan key_id)>;

class Aes128gcmDecoder {
 public:
  // RFC 8188 with one known key, whatever keyid the header carries.
  static Result<Aes128gcmDecoder> Create(ByteSpan ikm, Aes128gcmDecoderOptions options = {});
  // RFC 8188, choosing the key once the header's keyid is known.
  static Result<Aes128gcmDecoder> Create(Aes128gcmKeyResolver resolver,
                                         Aes128gcmDecoderOptions options = {});
  Aes128gcmDecoder(Aes128gcmDecoder&&) noexcept = default;
  Aes128gcmDecoder& operator=(Aes128gcmDecoder&&) noexcept = default;

  // Consumes `ciphertext` (any size, even one byte) and appends the
  // plaintext of every record it completes. On error, `out` keeps the
  // plaintext of the records that authenticated before it, nothing more.
  Status Update(ByteSpan ciphertext, Bytes& out);

  // Ends the stream: decrypts the last, short record if one is buffered and
  // fails if the final record is missing (truncation). Afterwards the decoder
  // refuses further calls with FailedPrecondition.
  Status Finish(Bytes& out);

  // The same two calls into a caller's buffer: each writes at the front of
  // `out` and sets `written` to the bytes written (on error, to the plaintext
  // of the records that authenticated before it). If `out` may be too small
  // for what the call could release, they return InvalidArgument having
  // consumed nothing, the stream as it was.
  Status UpdateInto(ByteSpan ciphertext, std::span<uint8_t> out, size_t& written);
  Status FinishInto(std::span<uint8_t> out, size_t& written);
  // Enough room for UpdateInto with up to `ciphertext_size` bytes or for
  // FinishInto, in the decoder's present state: ciphertext_size +
  // buffered_bytes(). A buffer of chunk + max_record_size bytes is enough for
  // every call of a stream fed in chunks of at most `chunk` bytes.
  size_t MaxOutputSize(size_t ciphertext_size) const { return ciphertext_size + buffered_bytes(); }

  // Known once the header has been read; record_size() is 0 before.
  uint32_t record_size() const { return record_size_; }
  const Bytes& key_id() const { return key_id_; }
  uint64_t records_read() const { return seq_; }
  // Ciphertext held back: part of the header or of one record.
  size_t buffered_bytes() const { return header_size_ + record_.size(); }
  // Memory held for buffering: the fixed header array plus the heap record
  // buffer, whose capacity never exceeds record_size.
  size_t buffer_capacity() const { return header_.size() + record_.capacity(); }

 private:
  friend class ::backline::testing::C2spChunked;

  // RFC 8188; or, for tests only, c2sp chunked: a fixed-size header that
  // parse_header_ turns into keys, unpadded records, the first short one last.
  enum class Framing : uint8_t { kRfc8188, kC2spChunked };
  enum class State : uint8_t { kHeader, kRecords, kDone, kFinished, kFailed };
  // What a header yields for the records.
  struct RecordKeys {
    SecretBytes key;
    SecretBytes base_nonce;
    uint32_t record_size;
  };
  using HeaderParser = std::function<Result<RecordKeys>(ByteSpan header)>;

  using Output = internal::Aes128gcmOutput;

  Aes128gcmDecoder(Framing framing, Aes128gcmKeyResolver resolver, uint32_t max_record_size);
  Status Fail(Status status);
  // The most plaintext each call can release; both at most MaxOutputSize().
  size_t UpdateOutputBound(size_t ciphertext_size) const;
  size_t FinishOutputBound() const;
  Status CheckUsable(const char* if_finished, const Output& out, size_t needed) const;
  // The two calls, for either form of output.
  Status Update(ByteSpan ciphertext, Output& out);
  Status Finish(Output& out);
  size_t HeaderBytesNeeded() const;
  Status ConsumeHeader(ByteSpan& ciphertext);
  Status StartRfc8188Records();
  Status StartParsedRecords();
  Status StartRecords(ByteSpan key, ByteSpan base_nonce, uint32_t record_size);
  // Opens one record (a full one, or the short remainder Finish() finds)
  // and writes its data.
  Status OpenRecord(ByteSpan sealed, Output& out);
  // The size of the data in an opened RFC 8188 record, `plaintext` being
  // data || delimiter || padding.
  Result<size_t> Unpad(ByteSpan plaintext, bool full_record);

  Framing framing_;
  State state_;
  Status error_;
  uint32_t max_record_size_;
  Aes128gcmKeyResolver resolver_;  // RFC 8188: keyid -> ikm
  size_t fixed_header_size_ = 0;   // c2sp: the header's size
  HeaderParser parse_header_;      // c2sp: header -> keys
  std::array<uint8_t, kAes128gcmMaxHeaderSize> header_{};
  size_t header_size_ = 0;
  Bytes key_id_;
  uint32_t record_size_ = 0;
  std::optional<AesGcm> aead_;  // set once the header has been read
  SecretBytes base_nonce_;
  Bytes record_;  // a partial record, always shorter than record_size_
  uint64_t seq_ = 0;
  uint64_t consumed_ = 0;  // stream bytes handed to Update, for messages
};

}  // namespace backline::crypto
