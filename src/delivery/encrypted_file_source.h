// EncryptedFileSource: an http::BodySource that streams a content file as one
// RFC 8188 aes128gcm body, reading and encrypting one record's worth of the
// file per Read(), in constant memory however large the file.
//
//   BL_ASSIGN_OR_RETURN(ContentFile file, ContentFile::Open(path, claims.content_size));
//   BL_ASSIGN_OR_RETURN(crypto::Aes128gcmEncoder encoder,
//       protocol::CreateDownloadEncoder(buyer.x25519, transaction_id, random));
//   auto source = std::make_unique<EncryptedFileSource>(std::move(file), std::move(encoder));
//   return http::Response::Stream(200, std::move(source));   // Content-Length = Size()
//
// Memory: the encoder's held-back record (64 KiB) and nothing else of the
// record's size. Each Read() preads one record's plaintext into the front of
// the server's buffer, hands it to the encoder (which keeps it back whole),
// then seals it over that same buffer: PadRecordInto for a full record that is
// not the last (the very bytes Update would seal), FinishInto for the last.
// Only when the server's buffer is smaller than a record (the default chunk
// is 64 KiB, as are records) does a spill buffer get allocated, on first need.
//
// The encoder holds the stream's only copy of the one-time key; it is wiped
// when the source is destroyed, which the server does when the response ends
// (completed or cut short).
//
// Errors: a read failure, or a file that turns out shorter than its expected
// size, fails Read() (the server then cuts the connection, so the buyer sees a
// truncated stream, never a well-formed short one).
//
// Thread-safety: one stream's state; used by one thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/aes128gcm.h"
#include "http/message.h"

namespace backline::delivery {

// A read-only content file of a known size; closes on destruction.
class ContentFile {
 public:
  // kNotFound when there is no such file, kDataLoss when its size is not
  // `expected_size`, kUnavailable for other I/O errors.
  static Result<ContentFile> Open(const std::string& path, uint64_t expected_size);
  ContentFile(ContentFile&& other) noexcept;
  ContentFile& operator=(ContentFile&& other) noexcept;
  ~ContentFile();

  uint64_t size() const { return size_; }
  // Reads exactly out.size() bytes at `offset`; kDataLoss if the file ends first.
  Status ReadAt(uint64_t offset, std::span<uint8_t> out) const;

 private:
  ContentFile(int fd, uint64_t size) : fd_(fd), size_(size) {}
  int fd_ = -1;
  uint64_t size_ = 0;
};

class EncryptedFileSource final : public http::BodySource {
 public:
  // `encoder` must be fresh (nothing written yet), with a keyid of
  // `key_id_size` bytes (the download's HPKE enc: 32).
  EncryptedFileSource(ContentFile file, crypto::Aes128gcmEncoder encoder,
                      size_t key_id_size = 32);

  std::optional<uint64_t> Size() const override { return size_; }
  Result<size_t> Read(std::span<uint8_t> out) override;

 private:
  // Exactly what the next Produce writes: the header, then one record each.
  size_t NextOutput() const;
  // Writes the header or the next record at the front of `out`, which must
  // hold NextOutput() bytes; sets written.
  Status Produce(std::span<uint8_t> out, size_t& written);
  // Largest output of any single Produce: sizes the spill buffer.
  size_t MaxProduce() const;

  ContentFile file_;
  crypto::Aes128gcmEncoder encoder_;
  uint64_t size_;           // the encrypted body's exact size
  size_t header_size_;      // 21 + keyid
  size_t max_data_;         // plaintext per record
  uint64_t offset_ = 0;     // file bytes consumed
  bool header_written_ = false;
  bool finished_ = false;
  Bytes spill_;             // ciphertext that did not fit the server's buffer
  size_t spill_begin_ = 0;
  size_t spill_end_ = 0;
};

}  // namespace backline::delivery
