#include "clearinghouse/content_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

#include "base/bytes.h"

namespace backline::clearinghouse {
namespace {

Status Errno(std::string_view what, const std::string& path) {
  return Unavailable(std::string(what) + " " + path + ": " + std::strerror(errno));
}

// Closes a descriptor on every path out.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string ContentPath(const std::string& content_dir, const crypto::Sha256Digest& sha256) {
  std::string hex = HexEncode(sha256);
  return content_dir + "/" + hex.substr(0, 2) + "/" + hex;
}

Result<ImportedContent> ImportContent(const std::string& source, const std::string& content_dir) {
  namespace fs = std::filesystem;
  Fd in{::open(source.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) {
    if (errno == ENOENT) return NotFound("product file " + source + " does not exist");
    return Errno("cannot open product file", source);
  }
  std::error_code ec;
  fs::create_directories(content_dir, ec);
  if (ec) return Unavailable("cannot create content_dir " + content_dir + ": " + ec.message());
  std::string tmp = content_dir + "/.import-XXXXXX";
  Fd out{::mkstemp(tmp.data())};
  if (out.fd < 0) return Errno("cannot create a temporary file in", content_dir);
  // Whatever fails below, the temporary file goes.
  struct Cleanup {
    std::string path;
    ~Cleanup() {
      if (!path.empty()) ::unlink(path.c_str());
    }
  } cleanup{tmp};

  crypto::Sha256Hasher hasher;
  ImportedContent result;
  std::vector<uint8_t> buffer(1 << 16);
  for (;;) {
    ssize_t n = ::read(in.fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("cannot read", source);
    if (n == 0) break;
    hasher.Update(ByteSpan(buffer.data(), static_cast<size_t>(n)));
    result.size += n;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(out.fd, buffer.data() + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return Errno("cannot write", tmp);
      done += w;
    }
  }
  result.sha256 = hasher.Finish();
  if (::fchmod(out.fd, 0644) != 0 || ::fsync(out.fd) != 0) return Errno("cannot sync", tmp);

  std::string target = ContentPath(content_dir, result.sha256);
  fs::create_directories(fs::path(target).parent_path(), ec);
  if (ec) return Unavailable("cannot create " + target + ": " + ec.message());
  if (fs::exists(target, ec)) return result;  // same digest, same bytes
  if (::rename(tmp.c_str(), target.c_str()) != 0) return Errno("cannot rename into", target);
  cleanup.path.clear();
  // The rename is durable once its folder is synced.
  Fd dir{::open(fs::path(target).parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (dir.fd >= 0) ::fsync(dir.fd);
  return result;
}

}  // namespace backline::clearinghouse
