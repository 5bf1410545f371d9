#include "crypto/aes128gcm.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>

#include "crypto/hash.h"

namespace backline::crypto {
namespace {

constexpr size_t kKeySize = 16;
constexpr size_t kNonceSize = 12;
constexpr size_t kTagSize = AesGcm::kTagSize;
// Fixed part of the RFC 8188 header: salt, rs, idlen.
constexpr size_t kFixedHeaderSize = kAes128gcmSaltSize + 4 + 1;

// c2sp.org/chunked-encryption (test-only, aes128gcm_c2sp_testing.h) limits a
// stream to 2^38 chunks.
constexpr uint64_t kC2spMaxChunks = uint64_t{1} << 38;

std::string Num(uint64_t n) { return std::to_string(n); }

// The per-record nonce: base_nonce XOR the sequence number as a big-endian
// integer as wide as the nonce. Both formats use this construction.
std::array<uint8_t, kNonceSize> RecordNonce(ByteSpan base_nonce, uint64_t seq) {
  std::array<uint8_t, kNonceSize> nonce{};
  std::copy(base_nonce.begin(), base_nonce.end(), nonce.begin());
  for (size_t i = 0; i < 8; ++i) nonce[kNonceSize - 1 - i] ^= static_cast<uint8_t>(seq >> (8 * i));
  return nonce;
}

// Makes room for `needed` bytes in `buffer`, growing geometrically (as
// insert() would) but never past `limit`, so a buffer's capacity stays within
// what the stream actually needs.
void Reserve(Bytes& buffer, size_t needed, size_t limit = std::numeric_limits<size_t>::max()) {
  if (needed <= buffer.capacity()) return;
  buffer.reserve(std::min(limit, std::max(needed, 2 * buffer.capacity())));
}

// RFC 8188 section 2.2 and 2.3: CEK and NONCE from HKDF-SHA256(salt, ikm).
struct Rfc8188Keys {
  SecretBytes cek;
  SecretBytes nonce;
};
Result<Rfc8188Keys> DeriveRfc8188Keys(ByteSpan salt, ByteSpan ikm) {
  SecretBytes prk = HkdfExtract(salt, ikm);
  static constexpr char kCekInfo[] = "Content-Encoding: aes128gcm";  // the NUL is part of it
  static constexpr char kNonceInfo[] = "Content-Encoding: nonce";
  BL_ASSIGN_OR_RETURN(SecretBytes cek,
                      HkdfExpand(prk, AsBytes({kCekInfo, sizeof(kCekInfo)}), kKeySize));
  BL_ASSIGN_OR_RETURN(SecretBytes nonce,
                      HkdfExpand(prk, AsBytes({kNonceInfo, sizeof(kNonceInfo)}), kNonceSize));
  return Rfc8188Keys{std::move(cek), std::move(nonce)};
}

}  // namespace

namespace internal {

// Where the codec writes records: a caller's buffer, which the public calls
// check beforehand to be large enough, or a Bytes grown record by record.
// A Bytes cannot grow without zero-filling the new bytes; growing it one
// record at a time keeps that memset's bytes in cache for the cipher to
// overwrite (growing it by a whole call's output first was much slower).
class Aes128gcmOutput {
 public:
  explicit Aes128gcmOutput(std::span<uint8_t> buffer) : buffer_(buffer) {}
  explicit Aes128gcmOutput(Bytes& bytes) : bytes_(&bytes), start_(bytes.size()) {}

  bool Fits(size_t n) const { return bytes_ != nullptr || n <= buffer_.size(); }
  // Room for `n` more bytes, to be followed by Commit().
  std::span<uint8_t> Grow(size_t n) {
    if (bytes_ == nullptr) {
      if (n > buffer_.size() - size_) {
        // The public calls size-check every buffer first: a bug in that
        // arithmetic must not become an overflow.
        std::fputs("aes128gcm: output buffer overrun\n", stderr);
        std::abort();
      }
      return buffer_.subspan(size_, n);
    }
    bytes_->resize(start_ + size_ + n);
    return std::span<uint8_t>(*bytes_).subspan(start_ + size_, n);
  }
  // The first `n` bytes of the last Grow() are output; the rest is dropped.
  void Commit(size_t n) {
    size_ += n;
    if (bytes_ != nullptr) bytes_->resize(start_ + size_);
  }
  // Bytes written so far.
  size_t size() const { return size_; }

 private:
  std::span<uint8_t> buffer_;
  Bytes* bytes_ = nullptr;
  size_t start_ = 0;
  size_t size_ = 0;
};

}  // namespace internal

namespace {

Status CheckRoom(const internal::Aes128gcmOutput& out, size_t needed) {
  if (out.Fits(needed)) return Status::Ok();
  return InvalidArgument("aes128gcm: the output buffer is too small: this call may write " +
                         Num(needed) + " bytes");
}

}  // namespace

// ---------------------------------------------------------------------------
// Encoder

Aes128gcmEncoder::Aes128gcmEncoder(AesGcm aead, SecretBytes base_nonce, Bytes header,
                                   uint32_t record_size)
    : aead_(std::move(aead)),
      base_nonce_(std::move(base_nonce)),
      header_(std::move(header)),
      record_size_(record_size),
      max_data_(record_size - kTagSize - 1) {}

Result<Aes128gcmEncoder> Aes128gcmEncoder::Create(ByteSpan ikm, RandomSource& random,
                                                  Aes128gcmEncoderOptions options) {
  if (ikm.empty()) return InvalidArgument("aes128gcm: empty input keying material");
  if (options.record_size < kAes128gcmMinRecordSize) {
    return InvalidArgument("aes128gcm: record size " + Num(options.record_size) +
                           " is below the minimum of 18");
  }
  if (options.record_size > kAes128gcmMaxRecordSize) {
    return PayloadTooLarge("aes128gcm: record size " + Num(options.record_size) +
                           " is above the limit of " + Num(kAes128gcmMaxRecordSize));
  }
  if (options.key_id.size() > kAes128gcmMaxKeyIdSize) {
    return InvalidArgument("aes128gcm: keyid of " + Num(options.key_id.size()) +
                           " bytes is longer than 255");
  }
  std::array<uint8_t, kAes128gcmSaltSize> salt{};
  random.Fill(salt);
  BL_ASSIGN_OR_RETURN(Rfc8188Keys keys, DeriveRfc8188Keys(salt, ikm));
  BL_ASSIGN_OR_RETURN(AesGcm aead, AesGcm::Create(keys.cek));

  Bytes header(salt.begin(), salt.end());
  AppendU32(header, options.record_size);
  header.push_back(static_cast<uint8_t>(options.key_id.size()));
  Append(header, options.key_id);
  return Aes128gcmEncoder(std::move(aead), std::move(keys.nonce), std::move(header),
                          options.record_size);
}

size_t Aes128gcmEncoder::UpdateOutputSize(size_t plaintext_size) const {
  // A full record is held back until more plaintext arrives, so the calls so
  // far leave 1..max_data_ bytes pending and seal everything before them.
  const size_t total = pending_.size() + plaintext_size;
  const size_t records = total == 0 ? 0 : (total - 1) / max_data_;
  return header_.size() + records * record_size_;
}

size_t Aes128gcmEncoder::PadRecordOutputSize() const { return header_.size() + record_size_; }

size_t Aes128gcmEncoder::FinishOutputSize() const {
  return header_.size() + pending_.size() + 1 + kTagSize;
}

size_t Aes128gcmEncoder::MaxOutputSize(size_t plaintext_size) const {
  // UpdateInto seals at most (pending + n - 1) / max_data_ <= n / max_data_ + 1
  // records; PadRecordInto and FinishInto one.
  return header_.size() + (plaintext_size / max_data_ + 1) * size_t{record_size_};
}

Status Aes128gcmEncoder::CheckUsable(const char* if_finished, const Output& out,
                                     size_t needed) const {
  if (!error_.ok()) return error_;
  if (finished_) return FailedPrecondition(if_finished);
  return CheckRoom(out, needed);
}

void Aes128gcmEncoder::EmitHeader(Output& out) {
  if (header_emitted_) return;
  std::span<uint8_t> room = out.Grow(header_.size());
  std::copy(header_.begin(), header_.end(), room.begin());
  out.Commit(room.size());
  header_ = Bytes();
  header_emitted_ = true;
}

Status Aes128gcmEncoder::SealRecord(ByteSpan data, uint8_t delimiter, size_t padding, Output& out) {
  if (seq_ == std::numeric_limits<uint64_t>::max()) {
    return ResourceExhausted("aes128gcm: record sequence number exhausted");
  }
  // The data is sealed straight from where it lies into the output; only the
  // delimiter and padding, which are ours, are laid out first, where their
  // ciphertext goes, and sealed in place.
  std::span<uint8_t> record = out.Grow(data.size() + 1 + padding + kTagSize);
  std::span<uint8_t> tail = record.subspan(data.size(), 1 + padding);
  tail[0] = delimiter;
  std::fill(tail.begin() + 1, tail.end(), uint8_t{0});
  const std::array<ByteSpan, 2> parts = {data, tail};
  std::array<uint8_t, kNonceSize> nonce = RecordNonce(base_nonce_, seq_);
  Status sealed = aead_.SealPartsInto(nonce, {}, parts, record);
  if (!sealed.ok()) {
    SecureWipe(record);
    out.Commit(0);
    return sealed;
  }
  ++seq_;
  out.Commit(record.size());
  return Status::Ok();
}

Status Aes128gcmEncoder::SealRecords(ByteSpan plaintext, Output& out) {
  while (!plaintext.empty()) {
    if (pending_.size() == max_data_) {
      // More plaintext follows, so the held-back full record is not the last.
      BL_RETURN_IF_ERROR(SealRecord(pending_, 0x01, 0, out));
      SecureWipe(pending_);
      pending_.clear();
    }
    if (pending_.empty() && plaintext.size() > max_data_) {
      // Fast path: a whole record straight from the caller's buffer.
      BL_RETURN_IF_ERROR(SealRecord(plaintext.first(max_data_), 0x01, 0, out));
      plaintext = plaintext.subspan(max_data_);
      continue;
    }
    size_t take = std::min(max_data_ - pending_.size(), plaintext.size());
    Reserve(pending_, pending_.size() + take, max_data_);
    pending_.insert(pending_.end(), plaintext.begin(),
                    plaintext.begin() + static_cast<ptrdiff_t>(take));
    plaintext = plaintext.subspan(take);
  }
  return Status::Ok();
}

Status Aes128gcmEncoder::Update(ByteSpan plaintext, Output& out) {
  BL_RETURN_IF_ERROR(
      CheckUsable("aes128gcm: Update after Finish", out, UpdateOutputSize(plaintext.size())));
  EmitHeader(out);
  Status s = SealRecords(plaintext, out);
  if (!s.ok()) error_ = s;
  return s;
}

Status Aes128gcmEncoder::PadRecord(Output& out) {
  BL_RETURN_IF_ERROR(CheckUsable("aes128gcm: PadRecord after Finish", out, PadRecordOutputSize()));
  EmitHeader(out);
  Status s = SealRecord(pending_, 0x01, max_data_ - pending_.size(), out);
  if (!s.ok()) return error_ = s;
  SecureWipe(pending_);
  pending_.clear();
  return Status::Ok();
}

Status Aes128gcmEncoder::Finish(Output& out) {
  BL_RETURN_IF_ERROR(CheckUsable("aes128gcm: Finish called twice", out, FinishOutputSize()));
  EmitHeader(out);
  Status s = SealRecord(pending_, 0x02, 0, out);
  if (!s.ok()) return error_ = s;
  SecureWipe(pending_);
  pending_.clear();
  finished_ = true;
  return Status::Ok();
}

Status Aes128gcmEncoder::Update(ByteSpan plaintext, Bytes& out) {
  Output output(out);
  return Update(plaintext, output);
}

Status Aes128gcmEncoder::PadRecord(Bytes& out) {
  Output output(out);
  return PadRecord(output);
}

Status Aes128gcmEncoder::Finish(Bytes& out) {
  Output output(out);
  return Finish(output);
}

Status Aes128gcmEncoder::UpdateInto(ByteSpan plaintext, std::span<uint8_t> out, size_t& written) {
  Output output(out);
  Status s = Update(plaintext, output);
  written = output.size();
  return s;
}

Status Aes128gcmEncoder::PadRecordInto(std::span<uint8_t> out, size_t& written) {
  Output output(out);
  Status s = PadRecord(output);
  written = output.size();
  return s;
}

Status Aes128gcmEncoder::FinishInto(std::span<uint8_t> out, size_t& written) {
  Output output(out);
  Status s = Finish(output);
  written = output.size();
  return s;
}

// ---------------------------------------------------------------------------
// Decoder

Aes128gcmDecoder::Aes128gcmDecoder(Framing framing, Aes128gcmKeyResolver resolver,
                                   uint32_t max_record_size)
    : framing_(framing),
      state_(State::kHeader),
      max_record_size_(max_record_size),
      resolver_(std::move(resolver)) {}

Result<Aes128gcmDecoder> Aes128gcmDecoder::Create(ByteSpan ikm, Aes128gcmDecoderOptions options) {
  if (ikm.empty()) return InvalidArgument("aes128gcm: empty input keying material");
  return Create([key = SecretBytes(ikm)](ByteSpan) -> Result<SecretBytes> { return key; }, options);
}

Result<Aes128gcmDecoder> Aes128gcmDecoder::Create(Aes128gcmKeyResolver resolver,
                                                  Aes128gcmDecoderOptions options) {
  if (!resolver) return InvalidArgument("aes128gcm: no key resolver");
  if (options.max_record_size < kAes128gcmMinRecordSize ||
      options.max_record_size > kAes128gcmMaxRecordSize) {
    return InvalidArgument("aes128gcm: max_record_size must be in [18, " +
                           Num(kAes128gcmMaxRecordSize) + "]");
  }
  return Aes128gcmDecoder(Framing::kRfc8188, std::move(resolver), options.max_record_size);
}

Status Aes128gcmDecoder::Fail(Status status) {
  state_ = State::kFailed;
  error_ = std::move(status);
  record_.clear();
  return error_;
}

size_t Aes128gcmDecoder::HeaderBytesNeeded() const {
  if (framing_ == Framing::kC2spChunked) return fixed_header_size_;
  if (header_size_ < kFixedHeaderSize) return kFixedHeaderSize;
  return kFixedHeaderSize + header_[kFixedHeaderSize - 1];  // + idlen
}

Status Aes128gcmDecoder::ConsumeHeader(ByteSpan& ciphertext) {
  // Two rounds at most for RFC 8188: the fixed part, then the keyid whose
  // length the fixed part gives.
  while (!ciphertext.empty()) {
    size_t needed = HeaderBytesNeeded();
    size_t take = std::min(needed - header_size_, ciphertext.size());
    std::copy_n(ciphertext.begin(), take, header_.begin() + static_cast<ptrdiff_t>(header_size_));
    header_size_ += take;
    ciphertext = ciphertext.subspan(take);
    if (header_size_ == needed && needed == HeaderBytesNeeded()) {
      Status started = framing_ == Framing::kRfc8188 ? StartRfc8188Records() : StartParsedRecords();
      header_size_ = 0;
      return started;
    }
  }
  return Status::Ok();
}

Status Aes128gcmDecoder::StartRfc8188Records() {
  ByteSpan header(header_.data(), header_size_);
  ByteSpan salt = header.first(kAes128gcmSaltSize);
  uint32_t rs = ReadU32(header.subspan(kAes128gcmSaltSize));
  key_id_.assign(header.begin() + kFixedHeaderSize, header.end());
  if (rs < kAes128gcmMinRecordSize) {
    return InvalidArgument("aes128gcm: header has record size " + Num(rs) +
                           ", below the minimum of 18");
  }
  if (rs > max_record_size_) {
    return PayloadTooLarge("aes128gcm: header has record size " + Num(rs) +
                           ", above the limit of " + Num(max_record_size_));
  }
  Result<SecretBytes> ikm = resolver_(key_id_);
  if (!ikm.ok()) return ikm.status().WithContext("aes128gcm: no key for the header's keyid");
  if (ikm->empty()) return InvalidArgument("aes128gcm: key resolver returned an empty key");
  BL_ASSIGN_OR_RETURN(Rfc8188Keys keys, DeriveRfc8188Keys(salt, *ikm));
  return StartRecords(keys.cek, keys.nonce, rs);
}

Status Aes128gcmDecoder::StartParsedRecords() {
  BL_ASSIGN_OR_RETURN(RecordKeys keys, parse_header_(ByteSpan(header_.data(), header_size_)));
  return StartRecords(keys.key, keys.base_nonce, keys.record_size);
}

Status Aes128gcmDecoder::StartRecords(ByteSpan key, ByteSpan base_nonce, uint32_t record_size) {
  BL_ASSIGN_OR_RETURN(AesGcm aead, AesGcm::Create(key));
  aead_.emplace(std::move(aead));
  base_nonce_ = SecretBytes(base_nonce);
  record_size_ = record_size;
  state_ = State::kRecords;
  return Status::Ok();
}

size_t Aes128gcmDecoder::UpdateOutputBound(size_t ciphertext_size) const {
  switch (state_) {
    case State::kHeader:
      return ciphertext_size;  // rs is not known yet, but plaintext is shorter
    case State::kRecords:
      // Each record this input completes needs room for its plaintext with
      // the delimiter and padding, which Unpad then drops.
      return (record_.size() + ciphertext_size) / record_size_ * (record_size_ - kTagSize);
    default:
      return 0;
  }
}

size_t Aes128gcmDecoder::FinishOutputBound() const {
  if (state_ != State::kRecords || record_.size() < kTagSize) return 0;
  return record_.size() - kTagSize;
}

Status Aes128gcmDecoder::CheckUsable(const char* if_finished, const Output& out,
                                     size_t needed) const {
  if (state_ == State::kFailed) return error_;
  if (state_ == State::kFinished) return FailedPrecondition(if_finished);
  return CheckRoom(out, needed);
}

Status Aes128gcmDecoder::Update(ByteSpan ciphertext, Output& out) {
  BL_RETURN_IF_ERROR(
      CheckUsable("aes128gcm: Update after Finish", out, UpdateOutputBound(ciphertext.size())));
  consumed_ += ciphertext.size();
  if (state_ == State::kHeader) {
    Status s = ConsumeHeader(ciphertext);
    if (!s.ok()) return Fail(s);
  }
  while (!ciphertext.empty()) {
    if (state_ == State::kDone) {
      return Fail(InvalidArgument("aes128gcm: trailing data at byte " +
                                  Num(consumed_ - ciphertext.size()) + ", after the final record"));
    }
    if (record_.empty() && ciphertext.size() >= record_size_) {
      // Fast path: a whole record straight from the caller's buffer.
      Status s = OpenRecord(ciphertext.first(record_size_), out);
      if (!s.ok()) return Fail(s);
      ciphertext = ciphertext.subspan(record_size_);
      continue;
    }
    size_t take = std::min<size_t>(record_size_ - record_.size(), ciphertext.size());
    Reserve(record_, record_.size() + take, record_size_);
    record_.insert(record_.end(), ciphertext.begin(),
                   ciphertext.begin() + static_cast<ptrdiff_t>(take));
    ciphertext = ciphertext.subspan(take);
    if (record_.size() == record_size_) {
      Status s = OpenRecord(record_, out);
      record_.clear();
      if (!s.ok()) return Fail(s);
    }
  }
  return Status::Ok();
}

Status Aes128gcmDecoder::Finish(Output& out) {
  BL_RETURN_IF_ERROR(CheckUsable("aes128gcm: Finish called twice", out, FinishOutputBound()));
  if (state_ == State::kHeader) {
    return Fail(InvalidArgument("aes128gcm: truncated: the stream ended inside the header (" +
                                Num(header_size_) + " of " + Num(HeaderBytesNeeded()) + " bytes)"));
  }
  if (state_ == State::kRecords) {
    if (record_.empty()) {
      return Fail(InvalidArgument("aes128gcm: truncated: the stream ended after record " +
                                  Num(seq_) + " without a final record"));
    }
    Status s = OpenRecord(record_, out);
    record_.clear();
    if (!s.ok()) return Fail(s);
  }
  state_ = State::kFinished;
  record_ = Bytes();
  return Status::Ok();
}

Status Aes128gcmDecoder::Update(ByteSpan ciphertext, Bytes& out) {
  Output output(out);
  return Update(ciphertext, output);
}

Status Aes128gcmDecoder::Finish(Bytes& out) {
  Output output(out);
  return Finish(output);
}

Status Aes128gcmDecoder::UpdateInto(ByteSpan ciphertext, std::span<uint8_t> out, size_t& written) {
  Output output(out);
  Status s = Update(ciphertext, output);
  written = output.size();
  return s;
}

Status Aes128gcmDecoder::FinishInto(std::span<uint8_t> out, size_t& written) {
  Output output(out);
  Status s = Finish(output);
  written = output.size();
  return s;
}

Status Aes128gcmDecoder::OpenRecord(ByteSpan sealed, Output& out) {
  // Record numbers in messages count from 1; seq_ counts from 0.
  const uint64_t number = seq_ + 1;
  const size_t min_size = framing_ == Framing::kRfc8188 ? kTagSize + 1 : kTagSize;
  if (sealed.size() < min_size) {
    return InvalidArgument("aes128gcm: truncated: last record " + Num(number) + " has " +
                           Num(sealed.size()) + " bytes, fewer than the " + Num(min_size) +
                           " of an empty record");
  }
  if (framing_ == Framing::kC2spChunked && seq_ >= kC2spMaxChunks) {
    return ResourceExhausted("c2sp chunked: more than 2^38 chunks");
  }
  if (seq_ == std::numeric_limits<uint64_t>::max()) {
    return ResourceExhausted("aes128gcm: record sequence number exhausted");
  }
  // Decrypted straight into the output, from wherever the record lies: the
  // caller's input when it holds the whole record, else record_.
  std::span<uint8_t> plaintext = out.Grow(sealed.size() - kTagSize);
  std::array<uint8_t, kNonceSize> nonce = RecordNonce(base_nonce_, seq_);
  Status opened = aead_->OpenInto(nonce, {}, sealed, plaintext);
  if (!opened.ok()) {
    out.Commit(0);  // OpenInto wiped the bytes
    if (opened.code() != StatusCode::kUnauthenticated) return opened;
    return Unauthenticated(
        "aes128gcm: record " + Num(number) +
        " failed to authenticate (tampered, truncated, reordered, or wrong key)");
  }
  ++seq_;
  const bool full_record = sealed.size() == record_size_;
  if (framing_ == Framing::kC2spChunked) {
    // Full chunks are never the last; the short remainder always is.
    if (!full_record) state_ = State::kDone;
    out.Commit(plaintext.size());
    return Status::Ok();
  }
  Result<size_t> data_size = Unpad(plaintext, full_record);
  if (!data_size.ok()) {
    SecureWipe(plaintext);  // a record the stream rejects releases nothing
    out.Commit(0);
    return data_size.status();
  }
  out.Commit(*data_size);
  return Status::Ok();
}

// RFC 8188 section 2: data || delimiter || 0x00*. The delimiter is the last
// non-zero byte: 0x01 if more records follow, 0x02 in the last record.
Result<size_t> Aes128gcmDecoder::Unpad(ByteSpan plaintext, bool full_record) {
  const uint64_t number = seq_;  // already advanced past this record
  auto last_nonzero =
      std::find_if(plaintext.rbegin(), plaintext.rend(), [](uint8_t b) { return b != 0; });
  if (last_nonzero == plaintext.rend()) {
    return InvalidArgument("aes128gcm: record " + Num(number) +
                           " has no padding delimiter (all zeros)");
  }
  const uint8_t delimiter = *last_nonzero;
  const size_t data_size = static_cast<size_t>(plaintext.rend() - last_nonzero) - 1;
  if (delimiter == 0x02) {
    state_ = State::kDone;
  } else if (delimiter == 0x01) {
    if (!full_record) {
      return InvalidArgument("aes128gcm: truncated: last record " + Num(number) +
                             " has delimiter 1, so more records were expected");
    }
  } else {
    char hex[8];
    std::snprintf(hex, sizeof(hex), "0x%02x", delimiter);
    return InvalidArgument("aes128gcm: record " + Num(number) + " has bad padding: delimiter " +
                           hex + " where 0x01 or 0x02 belongs");
  }
  return data_size;
}

}  // namespace backline::crypto
