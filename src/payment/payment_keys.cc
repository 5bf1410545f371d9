#include "payment/payment_keys.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <cstring>
#include <span>

#include "base/bytes.h"

namespace backline::payment {
namespace {

constexpr std::string_view kKind = "backline-payment-keys";

std::string Errno(std::string_view what, const std::string& path) {
  return std::string(what) + " " + path + ": " + std::strerror(errno);
}

// The text of a secret string, wiped when done with.
class SecretText {
 public:
  SecretText() = default;
  SecretText(const SecretText&) = delete;
  SecretText& operator=(const SecretText&) = delete;
  ~SecretText() {
    crypto::SecureWipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(text.data()), text.size()));
  }
  std::string text;
};

Result<crypto::SecretBytes> DecodeKey(const boost::json::object& o, std::string_view name) {
  const boost::json::value* v = o.if_contains(name);
  if (v == nullptr || !v->is_string()) {
    return InvalidArgument("payment key file: '" + std::string(name) + "' is missing");
  }
  std::string_view text(v->as_string().data(), v->as_string().size());
  Result<Bytes> bytes = Base64UrlDecode(text);
  if (!bytes.ok() || bytes->size() != 32) {
    if (bytes.ok()) crypto::SecureWipe(*bytes);
    return InvalidArgument("payment key file: '" + std::string(name) +
                           "' must be 32 bytes in base64url");
  }
  crypto::SecretBytes out(*bytes);
  crypto::SecureWipe(*bytes);
  return out;
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Unavailable(Errno("cannot write", path));
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// Writes a new key file. OK with *won = false when another process created
// `path` first (the caller then loads theirs).
Status CreateKeyFile(const std::string& path, RandomSource& random, bool* won) {
  PaymentKeys keys = GeneratePaymentKeys(random);
  SecretText text;
  text.text = SerializeKeyFile(keys);
  Bytes suffix(8);
  random.Fill(suffix);
  std::string tmp = path + ".tmp-" + HexEncode(suffix);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Unavailable(Errno("cannot create", tmp));
  Status s = WriteAll(fd, text.text, tmp);
  if (s.ok() && ::fsync(fd) != 0) s = Unavailable(Errno("cannot fsync", tmp));
  ::close(fd);
  if (s.ok()) {
    // link() refuses to replace an existing file, unlike rename().
    if (::link(tmp.c_str(), path.c_str()) == 0) {
      *won = true;
    } else if (errno == EEXIST) {
      *won = false;
    } else {
      s = Unavailable(Errno("cannot create", path));
    }
  }
  ::unlink(tmp.c_str());
  return s;
}

Result<PaymentKeys> LoadKeyFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Unavailable(Errno("cannot open", path));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    Status s = Unavailable(Errno("cannot stat", path));
    ::close(fd);
    return s;
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    return FailedPrecondition("payment key file " + path +
                              " may be read or written by group or others; run chmod 600 on it");
  }
  SecretText text;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = Unavailable(Errno("cannot read", path));
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    text.text.append(buf, static_cast<size_t>(n));
    if (text.text.size() > size_t{64} * 1024) {
      ::close(fd);
      return InvalidArgument("payment key file " + path + " is too large");
    }
  }
  ::close(fd);
  crypto::SecureWipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(buf), sizeof buf));
  Result<PaymentKeys> keys = ParseKeyFile(text.text);
  if (!keys.ok()) return keys.status().WithContext(path);
  return keys;
}

}  // namespace

PaymentKeys GeneratePaymentKeys(RandomSource& random) {
  crypto::SecretBytes card_key(kCardKeySize);
  random.Fill(card_key.mutable_span());
  return PaymentKeys{crypto::Ed25519KeyPair::Generate(random), std::move(card_key)};
}

std::string SerializeKeyFile(const PaymentKeys& keys) {
  boost::json::object o;
  o["kind"] = kKind;
  o["version"] = 1;
  o["ed25519_seed"] = Base64UrlEncode(keys.signing.seed());
  o["card_hmac_key"] = Base64UrlEncode(keys.card_key.span());
  return boost::json::serialize(o) + "\n";
}

Result<PaymentKeys> ParseKeyFile(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value v;
  try {
    v = boost::json::parse(text, ec);
  } catch (const std::exception&) {  // allocation failure; syntax goes through ec
    return Internal("payment key file: out of memory while parsing");
  }
  if (ec || !v.is_object()) return InvalidArgument("payment key file: not a JSON object");
  const boost::json::object& o = v.as_object();
  const boost::json::value* kind = o.if_contains("kind");
  const boost::json::value* version = o.if_contains("version");
  if (kind == nullptr || !kind->is_string() || kind->as_string() != kKind) {
    return InvalidArgument("payment key file: 'kind' must be \"backline-payment-keys\"");
  }
  if (version == nullptr || !version->is_int64() || version->as_int64() != 1) {
    return InvalidArgument("payment key file: 'version' must be 1");
  }
  BL_ASSIGN_OR_RETURN(crypto::SecretBytes seed, DecodeKey(o, "ed25519_seed"));
  BL_ASSIGN_OR_RETURN(crypto::SecretBytes card_key, DecodeKey(o, "card_hmac_key"));
  BL_ASSIGN_OR_RETURN(crypto::Ed25519KeyPair signing, crypto::Ed25519KeyPair::FromSeed(seed));
  return PaymentKeys{std::move(signing), std::move(card_key)};
}

Result<PaymentKeys> LoadOrCreateKeyFile(const std::string& path, RandomSource& random,
                                        bool* created) {
  bool won = false;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) return Unavailable(Errno("cannot stat", path));
    BL_RETURN_IF_ERROR(CreateKeyFile(path, random, &won));
  }
  if (created != nullptr) *created = won;
  return LoadKeyFile(path);
}

}  // namespace backline::payment
