#include "protocol/identity.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/null_resource.hpp>
#include <boost/json/parser.hpp>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <exception>

#include "base/bytes.h"
#include "crypto/secure.h"
#include "protocol/json_fields.h"

namespace backline::protocol {
namespace {

constexpr std::string_view kBindingLabel = "backline binding v1";
constexpr std::string_view kIdentityFileType = "backline-identity";
// An identity file is about 300 bytes; anything much larger is not one.
constexpr size_t kMaxIdentityFileSize = 4096;

// Wipes a string that held secrets when the scope ends.
class WipeOnExit {
 public:
  explicit WipeOnExit(std::string& s) : s_(s) {}
  ~WipeOnExit() { crypto::SecureWipe({reinterpret_cast<uint8_t*>(s_.data()), s_.size()}); }
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;

 private:
  std::string& s_;
};

std::string Errno(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

// Memory for parsing JSON that carries secrets: the DOM and the parser's
// temporaries live here and nowhere else (no upstream: overflowing it fails
// the parse), and all of it is wiped afterwards. Boost.JSON would otherwise
// leave the base64 of the private keys in freed heap blocks.
struct SecretArena {
  alignas(std::max_align_t) std::array<unsigned char, 4 * kMaxIdentityFileSize> dom{};
  alignas(std::max_align_t) std::array<unsigned char, kMaxIdentityFileSize> temp{};
  ~SecretArena() {
    crypto::SecureWipe(dom);
    crypto::SecureWipe(temp);
  }
};

// Decodes a base64url secret of 32 bytes from the file's object.
Result<crypto::SecretBytes> SecretField(const boost::json::object& o, std::string_view name,
                                        std::string_view what) {
  const boost::json::value* v = o.if_contains(name);
  const boost::json::string* s = v == nullptr ? nullptr : v->if_string();
  auto bad = [&](std::string_view problem) {
    return InvalidArgument(std::string(what) + ": field \"" + std::string(name) + "\" " +
                           std::string(problem));
  };
  if (v == nullptr) return bad("is missing");
  if (s == nullptr) return bad("must be a string");
  Result<Bytes> decoded = Base64UrlDecode(std::string_view(s->data(), s->size()));
  if (!decoded.ok()) return bad("must be base64url without padding");
  crypto::SecretBytes secret(*decoded);
  crypto::SecureWipe(*decoded);
  if (secret.size() != 32) return bad("must encode 32 bytes");
  return secret;
}

Result<Identity> IdentityFromObject(const boost::json::object& o, std::string_view what) {
  JsonReader r = JsonReader::Of(o, what);
  BL_ASSIGN_OR_RETURN(int64_t version, r.GetInt("v"));
  if (version != 1) return r.FieldError("v", "must be 1 (this build reads version 1 files)");
  BL_ASSIGN_OR_RETURN(std::string type, r.GetString("type"));
  if (type != kIdentityFileType) {
    return r.FieldError("type", "must be \"" + std::string(kIdentityFileType) + "\"");
  }
  BL_ASSIGN_OR_RETURN(crypto::SecretBytes seed, SecretField(o, "ed25519_seed", what));
  BL_ASSIGN_OR_RETURN(crypto::SecretBytes x_private, SecretField(o, "x25519_private", what));
  BL_ASSIGN_OR_RETURN(Identity identity, Identity::FromSecrets(seed, x_private));
  // The public keys are there for people and tools reading the file; when
  // present they must agree with the secrets, or the file was edited by hand.
  BL_ASSIGN_OR_RETURN(PublicKeys stored, PublicKeys::Read(r));
  if (!(stored == identity.public_keys())) {
    return InvalidArgument(std::string(what) +
                           ": the public keys do not match the private keys in the file");
  }
  return identity;
}

}  // namespace

boost::json::object PublicKeys::ToJson() const {
  return {{"ed25519", Base64UrlEncode(ed25519)}, {"x25519", Base64UrlEncode(x25519)}};
}

Result<PublicKeys> PublicKeys::FromJson(const boost::json::value& value, std::string_view what) {
  BL_ASSIGN_OR_RETURN(JsonReader r, JsonReader::Of(value, what));
  return Read(r);
}

Result<PublicKeys> PublicKeys::Read(const JsonReader& r) {
  BL_ASSIGN_OR_RETURN(Bytes ed, r.GetBase64Url("ed25519", crypto::kEd25519PublicKeySize));
  BL_ASSIGN_OR_RETURN(Bytes x, r.GetBase64Url("x25519", crypto::kX25519KeySize));
  PublicKeys keys;
  std::copy(ed.begin(), ed.end(), keys.ed25519.begin());
  std::copy(x.begin(), x.end(), keys.x25519.begin());
  return keys;
}

crypto::Sha256Digest BindingDigest(const PublicKeys& keys) {
  Bytes input = ToBytes(kBindingLabel);
  input.push_back(0x00);
  Append(input, keys.ed25519);
  Append(input, keys.x25519);
  return crypto::Sha256(input);
}

std::string BindingOf(const PublicKeys& keys) { return Base64UrlEncode(BindingDigest(keys)); }

bool BindingMatches(const PublicKeys& keys, std::string_view binding) {
  Result<Bytes> decoded = Base64UrlDecode(binding);
  if (!decoded.ok()) return false;
  return crypto::ConstantTimeEqual(BindingDigest(keys), *decoded);
}

Identity Identity::Generate(RandomSource& random) {
  crypto::Ed25519KeyPair ed = crypto::Ed25519KeyPair::Generate(random);
  crypto::X25519KeyPair x = crypto::X25519KeyPair::Generate(random);
  return Identity(std::move(ed), std::move(x));
}

Result<Identity> Identity::FromSecrets(ByteSpan ed25519_seed, ByteSpan x25519_private) {
  if (x25519_private.size() != crypto::kX25519KeySize) {
    return InvalidArgument("identity: the X25519 private key must be 32 bytes");
  }
  BL_ASSIGN_OR_RETURN(crypto::Ed25519KeyPair ed, crypto::Ed25519KeyPair::FromSeed(ed25519_seed));
  BL_ASSIGN_OR_RETURN(crypto::X25519KeyPair x, crypto::X25519KeyPair::FromPrivate(x25519_private));
  return Identity(std::move(ed), std::move(x));
}

std::string Identity::ToFileJson() const {
  // Built by hand rather than through a JSON DOM so that no copy of the
  // secrets is left behind in freed memory; only `seed`/`priv` and the result
  // hold them, and the caller wipes the result.
  std::string seed = Base64UrlEncode(ed25519_.seed());
  std::string priv = Base64UrlEncode(x25519_.private_key());
  WipeOnExit wipe_seed(seed);
  WipeOnExit wipe_priv(priv);
  const PublicKeys& pub = public_keys_;
  std::string out;
  out.reserve(320);
  out += "{\"v\":1,\"type\":\"";
  out += kIdentityFileType;
  out += "\",\"ed25519\":\"" + Base64UrlEncode(pub.ed25519);
  out += "\",\"x25519\":\"" + Base64UrlEncode(pub.x25519);
  out += "\",\"ed25519_seed\":\"";
  out += seed;
  out += "\",\"x25519_private\":\"";
  out += priv;
  out += "\"}\n";
  return out;
}

Result<Identity> Identity::FromFileJson(std::string_view text, std::string_view what) {
  if (text.size() > kMaxIdentityFileSize) {
    return InvalidArgument(std::string(what) + " is larger than an identity file can be");
  }
  SecretArena arena;
  boost::json::monotonic_resource dom(arena.dom.data(), arena.dom.size(),
                                      boost::json::get_null_resource());
  boost::json::storage_ptr sp(&dom);
  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  try {
    boost::json::parser parser(sp, options, arena.temp.data(), arena.temp.size());
    parser.reset(sp);
    boost::system::error_code ec;
    parser.write(text.data(), text.size(), ec);
    if (ec) return InvalidArgument(std::string(what) + " is not valid JSON: " + ec.message());
    boost::json::value value = parser.release();
    const boost::json::object* o = value.if_object();
    if (o == nullptr) return InvalidArgument(std::string(what) + " must be a JSON object");
    return IdentityFromObject(*o, what);
  } catch (const std::exception& e) {
    // Only the arena running out (an absurd file) gets here.
    return InvalidArgument(std::string(what) + " could not be parsed: " + e.what());
  }
}

Status SaveIdentityFile(const Identity& identity, const std::string& path,
                        SaveIdentityOptions options) {
  std::string text = identity.ToFileJson();
  WipeOnExit wipe_text(text);
  // The temporary file sits beside the target so that rename() is atomic.
  std::string tmp = path + ".tmp-XXXXXX";
  int fd = mkstemp(tmp.data());  // creates the file with mode 0600
  if (fd < 0) return Unavailable(Errno("cannot create a temporary file for", path));
  auto fail = [&](const std::string& what) {
    Status s = Unavailable(Errno(what, tmp));
    if (fd >= 0) close(fd);
    unlink(tmp.c_str());
    return s;
  };
  if (fchmod(fd, 0600) != 0) return fail("cannot chmod");
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("cannot write");
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) return fail("cannot fsync");
  if (close(fd) != 0) {
    fd = -1;
    return fail("cannot close");
  }
  fd = -1;
  if (options.overwrite) {
    if (rename(tmp.c_str(), path.c_str()) != 0) return fail("cannot rename into place");
  } else {
    // link() never replaces an existing file: an atomic "create if absent".
    if (link(tmp.c_str(), path.c_str()) != 0) {
      if (errno == EEXIST) {
        unlink(tmp.c_str());
        return AlreadyExists("identity file " + path + " already exists; refusing to overwrite it");
      }
      return fail("cannot link into place");
    }
    unlink(tmp.c_str());
  }
  // Make the new directory entry durable too.
  std::string dir = path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/'));
  if (dir.empty()) dir = "/";
  int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return Status::Ok();
}

Result<Identity> LoadIdentityFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return NotFound("identity file " + path +
                      " does not exist (create one with backline keygen)");
    }
    return Unavailable(Errno("cannot open identity file", path));
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    Status s = Unavailable(Errno("cannot stat identity file", path));
    close(fd);
    return s;
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return FailedPrecondition("identity file " + path + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    close(fd);
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return FailedPrecondition("identity file " + path + " has mode " + mode +
                              ": it holds private keys and must be accessible only by its "
                              "owner; run: chmod 600 " +
                              path);
  }
  std::string text(kMaxIdentityFileSize + 1, '\0');
  WipeOnExit wipe_text(text);
  size_t size = 0;
  while (size < text.size()) {
    ssize_t n = read(fd, text.data() + size, text.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = Unavailable(Errno("cannot read identity file", path));
      close(fd);
      return s;
    }
    if (n == 0) break;
    size += static_cast<size_t>(n);
  }
  close(fd);
  return Identity::FromFileJson(std::string_view(text.data(), size), "identity file " + path);
}

}  // namespace backline::protocol
