#include "client/download.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>

#include "crypto/aes128gcm.h"
#include "crypto/secure.h"
#include "http/error.h"
#include "protocol/download.h"
#include "protocol/messages.h"
#include "protocol/request_signing.h"

namespace backline::client {

namespace {

constexpr size_t kMaxErrorBody = 64 * 1024;

Status Errno(std::string_view what, const std::string& path) {
  return Unavailable(std::string(what) + " " + path + ": " + std::strerror(errno));
}

Status WriteAll(int fd, ByteSpan data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot write", path);
    }
    data = data.subspan(static_cast<size_t>(n));
  }
  return Status();
}

// A temporary file that is removed unless committed.
class TempFile {
 public:
  static Result<TempFile> Create(const std::string& dir) {
    std::string path = dir + "/.backline-download-XXXXXX";
    int fd = ::mkstemp(path.data());
    if (fd < 0) return Errno("cannot create a file in", dir);
    return TempFile(fd, std::move(path));
  }
  TempFile(TempFile&& other) noexcept
      : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {
    other.path_.clear();
  }
  TempFile& operator=(TempFile&&) = delete;
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

  // Syncs, closes and gives the file mode 0644 less the umask.
  Status Close() {
    mode_t mask = ::umask(0);
    ::umask(mask);
    if (::fchmod(fd_, 0644 & ~mask) != 0) return Errno("cannot chmod", path_);
    if (::fsync(fd_) != 0) return Errno("cannot sync", path_);
    int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0) return Errno("cannot close", path_);
    return Status();
  }
  // Links the file under `final_path` without replacing anything there.
  // kAlreadyExists when that name is taken. On success the file is kept.
  Status MoveTo(const std::string& final_path) {
    if (::link(path_.c_str(), final_path.c_str()) != 0) {
      if (errno == EEXIST) return AlreadyExists(final_path);
      // Filesystems without hard links: rename, having checked the name.
      struct stat st {};
      if (::lstat(final_path.c_str(), &st) == 0) return AlreadyExists(final_path);
      if (::rename(path_.c_str(), final_path.c_str()) != 0) return Errno("cannot rename", path_);
      path_.clear();
      return Status();
    }
    ::unlink(path_.c_str());
    path_.clear();
    return Status();
  }

 private:
  TempFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
};

// Feeds the response body through the decoder into the file, hashing the
// plaintext; keeps an error response's body for its message.
class DecryptingSink final : public ResponseSink {
 public:
  DecryptingSink(crypto::Aes128gcmDecoder decoder, TempFile& file, uint64_t expected_size,
                 ProgressBar* progress)
      : decoder_(std::move(decoder)),
        file_(file),
        expected_size_(expected_size),
        progress_(progress) {}

  Status OnResponse(int status, const HeaderList& headers) override {
    status_ = status;
    headers_ = headers;
    if (status != 200) return Status();
    std::optional<std::string_view> coding = FindHeader(headers, "Content-Encoding");
    if (coding.has_value() && !http::EqualsIgnoreCase(*coding, "aes128gcm")) {
      return InvalidArgument("the download has Content-Encoding \"" + std::string(*coding) +
                             "\", not aes128gcm");
    }
    if (progress_ != nullptr) {
      std::optional<std::string_view> length = FindHeader(headers, "Content-Length");
      if (length.has_value()) {
        uint64_t total = 0;
        for (char c : *length) {
          if (c < '0' || c > '9') break;
          total = total * 10 + static_cast<uint64_t>(c - '0');
        }
        progress_->SetTotal(total);
      }
    }
    return Status();
  }

  Status OnBody(ByteSpan data) override {
    if (status_ != 200) {
      size_t room = kMaxErrorBody - std::min(kMaxErrorBody, error_body_.size());
      error_body_.append(reinterpret_cast<const char*>(data.data()),
                         std::min(room, data.size()));
      return Status();
    }
    received_ += data.size();
    if (progress_ != nullptr) progress_->Update(received_);
    if (buffer_.size() < decoder_->MaxOutputSize(data.size())) {
      buffer_.resize(decoder_->MaxOutputSize(data.size()));
    }
    size_t written = 0;
    Status decoded = decoder_->UpdateInto(data, buffer_, written);
    // Records that authenticated before an error are written anyway: the
    // temporary file is removed on any failure.
    BL_RETURN_IF_ERROR(Consume(written));
    return decoded;
  }

  // Ends the stream (the final record must have arrived) and destroys the
  // decoder, wiping its key.
  Status Finish() {
    if (buffer_.size() < decoder_->MaxOutputSize(0)) buffer_.resize(decoder_->MaxOutputSize(0));
    size_t written = 0;
    Status finished = decoder_->FinishInto(buffer_, written);
    decoder_.reset();
    BL_RETURN_IF_ERROR(Consume(written));
    if (progress_ != nullptr) progress_->Finish();
    return finished;
  }

  void DestroyDecoder() { decoder_.reset(); }
  int status() const { return status_; }
  const HeaderList& headers() const { return headers_; }
  const std::string& error_body() const { return error_body_; }
  uint64_t plaintext_size() const { return plaintext_size_; }
  crypto::Sha256Digest Digest() { return hasher_.Finish(); }

 private:
  Status Consume(size_t n) {
    if (n == 0) return Status();
    plaintext_size_ += n;
    if (plaintext_size_ > expected_size_) {
      return DataLoss("the download is longer than the " + std::to_string(expected_size_) +
                      " bytes its token announces");
    }
    ByteSpan plain(buffer_.data(), n);
    hasher_.Update(plain);
    return WriteAll(file_.fd(), plain, file_.path());
  }

  std::optional<crypto::Aes128gcmDecoder> decoder_;
  TempFile& file_;
  uint64_t expected_size_;
  ProgressBar* progress_;
  crypto::Sha256Hasher hasher_;
  Bytes buffer_;
  int status_ = 0;
  HeaderList headers_;
  std::string error_body_;
  uint64_t received_ = 0;
  uint64_t plaintext_size_ = 0;
};

// Moves the verified file to its name in `dir`, or "name (N)" when taken.
Result<std::string> Publish(TempFile& file, const std::string& dir, const std::string& name) {
  size_t dot = name.rfind('.');
  if (dot == 0 || dot == std::string::npos) dot = name.size();
  for (int n = 0; n < 100; ++n) {
    std::string candidate =
        n == 0 ? name : name.substr(0, dot) + " (" + std::to_string(n) + ")" + name.substr(dot);
    std::string path = dir + "/" + candidate;
    Status moved = file.MoveTo(path);
    if (moved.ok()) return path;
    if (moved.code() != StatusCode::kAlreadyExists) return moved;
  }
  return AlreadyExists("too many files named like " + dir + "/" + name);
}

}  // namespace

std::string SafeFileName(std::string_view content_disposition, std::string_view fallback) {
  std::string_view cd = content_disposition;
  size_t at = std::string_view::npos;
  for (size_t pos = cd.find("filename="); pos != std::string_view::npos;
       pos = cd.find("filename=", pos + 1)) {
    if (pos == 0 || cd[pos - 1] == ' ' || cd[pos - 1] == ';' || cd[pos - 1] == '\t') {
      at = pos + 9;
      break;
    }
  }
  std::string raw;
  if (at != std::string_view::npos) {
    std::string_view rest = cd.substr(at);
    if (rest.starts_with('"')) {
      for (size_t i = 1; i < rest.size() && rest[i] != '"'; ++i) {
        if (rest[i] == '\\' && i + 1 < rest.size()) ++i;
        raw += rest[i];
      }
    } else {
      raw = std::string(rest.substr(0, rest.find(';')));
    }
  }
  // The base name only, whatever separators it claims.
  if (size_t slash = raw.find_last_of("/\\"); slash != std::string::npos) raw.erase(0, slash + 1);
  std::string safe;
  for (char c : raw) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_' || c == ' ' || c == '(' || c == ')' || c == '+';
    safe += ok ? c : '_';
  }
  while (!safe.empty() && (safe.front() == '.' || safe.front() == ' ')) safe.erase(0, 1);
  while (!safe.empty() && (safe.back() == ' ' || safe.back() == '.')) safe.pop_back();
  if (safe.size() > 128) safe.resize(128);
  if (safe.empty()) return std::string(fallback);
  return safe;
}

Result<DownloadedFile> DownloadProduct(HttpTransport& transport, const protocol::Identity& buyer,
                                       std::string_view url, const Clock& clock,
                                       const DownloadOptions& options) {
  BL_ASSIGN_OR_RETURN(protocol::DownloadUrlParts parts, protocol::ParseDownloadUrl(url));
  BL_ASSIGN_OR_RETURN(protocol::DeliveryTokenClaims claims,
                      protocol::ReadDeliveryTokenUnverified(parts.token));
  if (claims.transaction_id != parts.transaction_id) {
    return InvalidArgument("the URL's token is for another transaction");
  }
  struct stat st {};
  if (::stat(options.output_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return InvalidArgument("output directory " + options.output_dir + " does not exist");
  }

  HttpRequest request{.method = "GET",
                      .url = std::string(url),
                      .timeout = options.connect_timeout,
                      .stall_timeout = options.stall_timeout};
  BL_ASSIGN_OR_RETURN(request.headers, protocol::SignDownloadRequest(url, buyer, clock));
  request.headers.emplace_back("Accept", "application/octet-stream");
  BL_ASSIGN_OR_RETURN(crypto::Aes128gcmDecoder decoder,
                      protocol::CreateDownloadDecoder(buyer.x25519(), parts.transaction_id));
  BL_ASSIGN_OR_RETURN(TempFile file, TempFile::Create(options.output_dir));

  const uint64_t expected_size = static_cast<uint64_t>(claims.content_size);
  DecryptingSink sink(std::move(decoder), file, expected_size, options.progress);
  Status streamed = transport.Stream(request, sink);
  if (sink.status() != 0 && sink.status() != 200) {
    sink.DestroyDecoder();
    return http::StatusFromResponse(sink.status(), sink.error_body());
  }
  if (!streamed.ok()) {
    sink.DestroyDecoder();
    return streamed.WithContext("download failed");
  }
  BL_RETURN_IF_ERROR(sink.Finish());

  crypto::Sha256Digest digest = sink.Digest();
  if (sink.plaintext_size() != expected_size) {
    return DataLoss("the download has " + std::to_string(sink.plaintext_size()) +
                    " bytes, its token announces " + std::to_string(expected_size));
  }
  if (!crypto::ConstantTimeEqual(digest, claims.content_sha256)) {
    return DataLoss("the download's SHA-256 does not match the token's content_sha256");
  }
  BL_RETURN_IF_ERROR(file.Close());
  std::string name = SafeFileName(FindHeader(sink.headers(), "Content-Disposition").value_or(""),
                                  claims.product_id.ToBase32());
  BL_ASSIGN_OR_RETURN(std::string path, Publish(file, options.output_dir, name));
  return DownloadedFile{std::move(path), claims.product_id, expected_size, digest};
}

}  // namespace backline::client
