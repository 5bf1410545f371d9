#include "protocol/sealed.h"

#include "crypto/hpke.h"
#include "protocol/json_fields.h"

namespace backline::protocol {
namespace {

constexpr std::string_view kInfoPrefix = "backline v1 ";

Status CheckContext(std::string_view type, std::string_view request_line, ByteSpan in_reply_to) {
  if (type.empty()) return InvalidArgument("sealed message: empty type");
  if (request_line.empty()) return InvalidArgument("sealed message: empty request line");
  if (!in_reply_to.empty() && in_reply_to.size() != crypto::kHpkeEncSize) {
    return InvalidArgument("sealed message: in_reply_to must be the 32-byte enc of a request");
  }
  return Status::Ok();
}

Bytes Info(std::string_view type) {
  Bytes info = ToBytes(kInfoPrefix);
  Append(info, AsBytes(type));
  return info;
}

Bytes Aad(std::string_view request_line, ByteSpan in_reply_to) {
  Bytes aad = ToBytes(request_line);
  if (!in_reply_to.empty()) {
    aad.push_back(0x00);
    Append(aad, in_reply_to);
  }
  return aad;
}

bool IsName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string RequestLine(std::string_view method, std::string_view path) {
  return std::string(method) + " " + std::string(path);
}

Result<Sealed> SealMessage(std::string_view type, std::string_view request_line,
                           const boost::json::object& plaintext, std::string_view sender_id,
                           const crypto::X25519KeyPair& sender, ByteSpan recipient_public,
                           RandomSource& random, ByteSpan in_reply_to) {
  BL_RETURN_IF_ERROR(CheckContext(type, request_line, in_reply_to));
  if (!IsName(sender_id)) {
    return InvalidArgument("sealed message: sender id must be 1-64 of [A-Za-z0-9._-]");
  }
  std::string text = SerializeJson(plaintext);
  BL_ASSIGN_OR_RETURN(
      crypto::HpkeSealed sealed,
      crypto::HpkeSealAuth(recipient_public, Info(type), Aad(request_line, in_reply_to),
                           AsBytes(text), sender, random));
  Sealed out;
  out.envelope = {{"v", kSealedVersion},
                  {"sender", sender_id},
                  {"enc", Base64UrlEncode(sealed.enc)},
                  {"ct", Base64UrlEncode(sealed.ciphertext)}};
  out.enc = std::move(sealed.enc);
  return out;
}

Result<Opened> OpenMessage(const boost::json::value& envelope, std::string_view type,
                           std::string_view request_line, const crypto::X25519KeyPair& recipient,
                           const SenderKeyLookup& lookup, ByteSpan in_reply_to) {
  BL_RETURN_IF_ERROR(CheckContext(type, request_line, in_reply_to));
  const std::string what = "sealed " + std::string(type);
  BL_ASSIGN_OR_RETURN(JsonReader r, JsonReader::Of(envelope, what));
  BL_ASSIGN_OR_RETURN(int64_t version, r.GetInt("v"));
  if (version != kSealedVersion) return r.FieldError("v", "must be 1");
  BL_ASSIGN_OR_RETURN(std::string sender, r.GetName("sender"));
  BL_ASSIGN_OR_RETURN(Bytes enc, r.GetBase64Url("enc", crypto::kHpkeEncSize));
  BL_ASSIGN_OR_RETURN(Bytes ct, r.GetBase64Url("ct"));
  if (ct.size() < crypto::kHpkeTagSize) return r.FieldError("ct", "is shorter than a tag");

  Result<crypto::X25519PublicKey> sender_key = lookup(sender);
  if (!sender_key.ok()) {
    if (sender_key.status().code() == StatusCode::kNotFound) {
      return Unauthenticated(what + ": unknown sender \"" + sender + "\"");
    }
    return sender_key.status();
  }
  Result<Bytes> text = crypto::HpkeOpenAuth(enc, recipient, Info(type),
                                            Aad(request_line, in_reply_to), ct, *sender_key);
  if (!text.ok()) {
    // Whatever the cause (tampering, another key, type, endpoint or request,
    // or an enc of small order), the message is not from `sender` to us.
    return Unauthenticated(what + " from \"" + sender + "\" does not open for \"" +
                           std::string(request_line) + "\"");
  }
  BL_ASSIGN_OR_RETURN(boost::json::object message,
                      ParseJsonObject(ToString(*text), what + " plaintext"));
  return Opened{std::move(sender), std::move(message), std::move(enc)};
}

}  // namespace backline::protocol
