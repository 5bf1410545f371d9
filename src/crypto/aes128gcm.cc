#include "crypto/aes128gcm.h"

#include <openssl/evp.h>

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

// c2sp.org/chunked-encryption, instantiated with AES-128-GCM and SHA-512.
constexpr size_t kC2spSaltSize = 24;
constexpr size_t kC2spCommitmentSize = 32;
constexpr size_t kC2spHeaderSize = kC2spSaltSize + kC2spCommitmentSize;
constexpr uint32_t kC2spChunkSize = 16 * 1024;
constexpr uint32_t kC2spRecordSize = kC2spChunkSize + kTagSize;
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

// key || base nonce || commitment = HKDF-Expand-SHA512(key,
//     "c2sp.org/chunked-encryption@v1+AEAD_AES_128_GCM" || 0x00 || salt || context).
// 60 bytes fit in the first HMAC block of HKDF-Expand: T(1) = HMAC(prk, info || 0x01).
SecretBytes DeriveC2spKeys(ByteSpan key, ByteSpan salt, ByteSpan context) {
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

void Aes128gcmEncoder::EmitHeader(Bytes& out) {
  if (header_emitted_) return;
  Append(out, header_);
  header_ = Bytes();
  header_emitted_ = true;
}

Status Aes128gcmEncoder::SealRecord(ByteSpan data, uint8_t delimiter, size_t padding, Bytes& out) {
  if (seq_ == std::numeric_limits<uint64_t>::max()) {
    return ResourceExhausted("aes128gcm: record sequence number exhausted");
  }
  // Lay the record's plaintext out at the end of `out` and seal it in place:
  // the only copy of the data the encoder makes.
  // insert() copies without first zero-filling, as resize() would: that
  // memset cost about a sixth of the throughput on 64 KiB records.
  const size_t plain_size = data.size() + 1 + padding;
  const size_t start = out.size();
  Reserve(out, start + plain_size + kTagSize);
  out.insert(out.end(), data.begin(), data.end());
  out.push_back(delimiter);
  out.resize(out.size() + padding + kTagSize);  // zero padding, room for the tag

  std::array<uint8_t, kNonceSize> nonce = RecordNonce(base_nonce_, seq_);
  std::span<uint8_t> record(out.data() + start, plain_size + kTagSize);
  Status sealed = aead_.SealInto(nonce, {}, record.first(plain_size), record);
  if (!sealed.ok()) {
    SecureWipe(record);
    out.resize(start);
    return sealed;
  }
  ++seq_;
  return Status::Ok();
}

Status Aes128gcmEncoder::Update(ByteSpan plaintext, Bytes& out) {
  if (!error_.ok()) return error_;
  if (finished_) return FailedPrecondition("aes128gcm: Update after Finish");
  EmitHeader(out);
  while (!plaintext.empty()) {
    if (pending_.size() == max_data_) {
      // More plaintext follows, so the held-back full record is not the last.
      Status s = SealRecord(pending_, 0x01, 0, out);
      if (!s.ok()) return error_ = s;
      SecureWipe(pending_);
      pending_.clear();
    }
    if (pending_.empty() && plaintext.size() > max_data_) {
      // Fast path: a whole record straight from the caller's buffer.
      Status s = SealRecord(plaintext.first(max_data_), 0x01, 0, out);
      if (!s.ok()) return error_ = s;
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

Status Aes128gcmEncoder::PadRecord(Bytes& out) {
  if (!error_.ok()) return error_;
  if (finished_) return FailedPrecondition("aes128gcm: PadRecord after Finish");
  EmitHeader(out);
  Status s = SealRecord(pending_, 0x01, max_data_ - pending_.size(), out);
  if (!s.ok()) return error_ = s;
  SecureWipe(pending_);
  pending_.clear();
  return Status::Ok();
}

Status Aes128gcmEncoder::Finish(Bytes& out) {
  if (!error_.ok()) return error_;
  if (finished_) return FailedPrecondition("aes128gcm: Finish called twice");
  EmitHeader(out);
  Status s = SealRecord(pending_, 0x02, 0, out);
  if (!s.ok()) return error_ = s;
  SecureWipe(pending_);
  pending_.clear();
  finished_ = true;
  return Status::Ok();
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

Result<Aes128gcmDecoder> Aes128gcmDecoder::CreateC2spChunked(ByteSpan key, ByteSpan context) {
  if (key.size() != kKeySize) {
    return InvalidArgument("c2sp chunked: input key must be 16 bytes, not " + Num(key.size()));
  }
  Aes128gcmDecoder decoder(Framing::kC2spChunked, nullptr, kC2spRecordSize);
  decoder.c2sp_key_ = SecretBytes(key);
  decoder.c2sp_context_.assign(context.begin(), context.end());
  return decoder;
}

Result<Aes128gcmDecoder> Aes128gcmDecoder::CreateC2spChunkedRaw(ByteSpan aead_key,
                                                                ByteSpan base_nonce) {
  if (aead_key.size() != kKeySize || base_nonce.size() != kNonceSize) {
    return InvalidArgument("c2sp chunked: raw mode needs a 16-byte key and a 12-byte nonce");
  }
  Aes128gcmDecoder decoder(Framing::kC2spChunked, nullptr, kC2spRecordSize);
  BL_RETURN_IF_ERROR(decoder.StartRecords(aead_key, base_nonce, kC2spRecordSize));
  return decoder;
}

Status Aes128gcmDecoder::Fail(Status status) {
  state_ = State::kFailed;
  error_ = std::move(status);
  record_.clear();
  return error_;
}

size_t Aes128gcmDecoder::HeaderBytesNeeded() const {
  if (framing_ == Framing::kC2spChunked) return kC2spHeaderSize;
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
      Status started = framing_ == Framing::kRfc8188 ? StartRfc8188Records() : StartC2spRecords();
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

Status Aes128gcmDecoder::StartC2spRecords() {
  ByteSpan salt(header_.data(), kC2spSaltSize);
  ByteSpan commitment(header_.data() + kC2spSaltSize, kC2spCommitmentSize);
  SecretBytes derived = DeriveC2spKeys(c2sp_key_, salt, c2sp_context_);
  ByteSpan okm = derived.span();
  // The commitment is checked before any chunk is decrypted, so a wrong key
  // or context is reported as such and not as a forged chunk.
  if (!ConstantTimeEqual(okm.subspan(kKeySize + kNonceSize, kC2spCommitmentSize), commitment)) {
    return Unauthenticated(
        "c2sp chunked: commitment mismatch (wrong key or context, or a corrupted header)");
  }
  return StartRecords(okm.first(kKeySize), okm.subspan(kKeySize, kNonceSize), kC2spRecordSize);
}

Status Aes128gcmDecoder::StartRecords(ByteSpan key, ByteSpan base_nonce, uint32_t record_size) {
  BL_ASSIGN_OR_RETURN(AesGcm aead, AesGcm::Create(key));
  aead_.emplace(std::move(aead));
  base_nonce_ = SecretBytes(base_nonce);
  record_size_ = record_size;
  state_ = State::kRecords;
  return Status::Ok();
}

Status Aes128gcmDecoder::Update(ByteSpan ciphertext, Bytes& out) {
  if (state_ == State::kFailed) return error_;
  if (state_ == State::kFinished) return FailedPrecondition("aes128gcm: Update after Finish");
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

Status Aes128gcmDecoder::Finish(Bytes& out) {
  if (state_ == State::kFailed) return error_;
  if (state_ == State::kFinished) return FailedPrecondition("aes128gcm: Finish called twice");
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

Status Aes128gcmDecoder::OpenRecord(ByteSpan sealed, Bytes& out) {
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
  const size_t start = out.size();
  const size_t plain_size = sealed.size() - kTagSize;
  out.resize(start + plain_size);
  std::array<uint8_t, kNonceSize> nonce = RecordNonce(base_nonce_, seq_);
  Status opened =
      aead_->OpenInto(nonce, {}, sealed, std::span<uint8_t>(out.data() + start, plain_size));
  if (!opened.ok()) {
    out.resize(start);  // OpenInto wiped the bytes
    if (opened.code() != StatusCode::kUnauthenticated) return opened;
    return Unauthenticated(
        "aes128gcm: record " + Num(number) +
        " failed to authenticate (tampered, truncated, reordered, or wrong key)");
  }
  ++seq_;
  const bool full_record = sealed.size() == record_size_;
  if (framing_ == Framing::kRfc8188) return Unpad(start, full_record, out);
  // c2sp: full chunks are never the last; the short remainder always is.
  if (!full_record) state_ = State::kDone;
  return Status::Ok();
}

// RFC 8188 section 2: data || delimiter || 0x00*. The delimiter is the last
// non-zero byte: 0x01 if more records follow, 0x02 in the last record.
Status Aes128gcmDecoder::Unpad(size_t start, bool full_record, Bytes& out) {
  const uint64_t number = seq_;  // already advanced past this record
  auto first = out.begin() + static_cast<ptrdiff_t>(start);
  auto last_nonzero = std::find_if(out.rbegin(), std::make_reverse_iterator(first),
                                   [](uint8_t b) { return b != 0; });
  if (last_nonzero == std::make_reverse_iterator(first)) {
    out.resize(start);
    return InvalidArgument("aes128gcm: record " + Num(number) +
                           " has no padding delimiter (all zeros)");
  }
  const uint8_t delimiter = *last_nonzero;
  const size_t data_size = static_cast<size_t>(std::distance(first, last_nonzero.base()) - 1);
  if (delimiter == 0x02) {
    state_ = State::kDone;
  } else if (delimiter == 0x01) {
    if (!full_record) {
      out.resize(start);
      return InvalidArgument("aes128gcm: truncated: last record " + Num(number) +
                             " has delimiter 1, so more records were expected");
    }
  } else {
    out.resize(start);
    char hex[8];
    std::snprintf(hex, sizeof(hex), "0x%02x", delimiter);
    return InvalidArgument("aes128gcm: record " + Num(number) + " has bad padding: delimiter " +
                           hex + " where 0x01 or 0x02 belongs");
  }
  out.resize(start + data_size);
  return Status::Ok();
}

}  // namespace backline::crypto
