#include "delivery/encrypted_file_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "protocol/download.h"

namespace backline::delivery {

// ---- ContentFile -------------------------------------------------------------

Result<ContentFile> ContentFile::Open(const std::string& path, uint64_t expected_size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return NotFound("the content of this product is not on this node");
    return Unavailable("cannot open content file " + path + ": " + std::strerror(err));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Unavailable("content file " + path + " is not a readable regular file");
  }
  ContentFile file(fd, static_cast<uint64_t>(st.st_size));
  if (file.size_ != expected_size) {
    return DataLoss("content file " + path + " has " + std::to_string(file.size_) +
                    " bytes, the delivery token says " + std::to_string(expected_size));
  }
  return file;
}

ContentFile::ContentFile(ContentFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), size_(other.size_) {}

ContentFile& ContentFile::operator=(ContentFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    size_ = other.size_;
  }
  return *this;
}

ContentFile::~ContentFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status ContentFile::ReadAt(uint64_t offset, std::span<uint8_t> out) const {
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(fd_, out.data() + done, out.size() - done,
                        static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Unavailable(std::string("reading content file: ") + std::strerror(errno));
    if (n == 0) return DataLoss("content file ended early (changed while being sent?)");
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

// ---- EncryptedFileSource -------------------------------------------------------

EncryptedFileSource::EncryptedFileSource(ContentFile file, crypto::Aes128gcmEncoder encoder,
                                         size_t key_id_size)
    : file_(std::move(file)),
      encoder_(std::move(encoder)),
      size_(protocol::EncryptedSize(file_.size(), encoder_.record_size(), key_id_size)),
      header_size_(crypto::kAes128gcmSaltSize + 4 + 1 + key_id_size),
      max_data_(encoder_.record_size() - 17) {}

size_t EncryptedFileSource::NextOutput() const {
  if (!header_written_) return header_size_;
  // Every record but the last is full; the last holds 0..max_data bytes.
  uint64_t left = file_.size() - offset_;
  return left > max_data_ ? size_t{encoder_.record_size()} : static_cast<size_t>(left) + 17;
}

size_t EncryptedFileSource::MaxProduce() const {
  return std::max<size_t>(header_size_, encoder_.record_size());
}

Status EncryptedFileSource::Produce(std::span<uint8_t> out, size_t& written) {
  written = 0;
  if (!header_written_) {
    BL_RETURN_IF_ERROR(encoder_.UpdateInto({}, out, written));
    header_written_ = true;
    return Status::Ok();
  }
  // The plaintext goes where its record will: `out` holds NextOutput() bytes,
  // more than the plaintext. The encoder copies it (its pending record, held
  // back whole as it is at most one record and the encoder holds nothing
  // else), so nothing is written and `out` is free again.
  const size_t n = static_cast<size_t>(std::min<uint64_t>(file_.size() - offset_, max_data_));
  if (n > 0) {
    std::span<uint8_t> piece = out.first(n);
    BL_RETURN_IF_ERROR(file_.ReadAt(offset_, piece));
    size_t held = 0;
    BL_RETURN_IF_ERROR(encoder_.UpdateInto(piece, std::span<uint8_t>(), held));
    if (held != 0 || encoder_.buffered_bytes() != n) {
      return Internal("aes128gcm encoder did not hold back the record's plaintext");
    }
    offset_ += n;
  }
  if (offset_ < file_.size()) {
    // A full record with more to follow: exactly what Update would seal.
    BL_RETURN_IF_ERROR(encoder_.PadRecordInto(out, written));
  } else {
    BL_RETURN_IF_ERROR(encoder_.FinishInto(out, written));
    finished_ = true;
  }
  return Status::Ok();
}

Result<size_t> EncryptedFileSource::Read(std::span<uint8_t> out) {
  if (spill_begin_ == spill_end_) {
    if (finished_) return size_t{0};
    size_t written = 0;
    if (NextOutput() <= out.size()) {
      // The common case: straight into the server's buffer.
      BL_RETURN_IF_ERROR(Produce(out, written));
      return written;
    }
    if (spill_.empty()) spill_.resize(MaxProduce());
    BL_RETURN_IF_ERROR(Produce(spill_, written));
    spill_begin_ = 0;
    spill_end_ = written;
  }
  size_t n = std::min(out.size(), spill_end_ - spill_begin_);
  std::memcpy(out.data(), spill_.data() + spill_begin_, n);
  spill_begin_ += n;
  return n;
}

}  // namespace backline::delivery
