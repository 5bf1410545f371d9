#include "protocol/request_signing.h"

#include <algorithm>
#include <variant>

#include "crypto/hash.h"
#include "crypto/secure.h"
#include "crypto/structured_fields.h"

namespace backline::protocol {
namespace {

using crypto::ComponentId;

const std::vector<ComponentId>& DownloadComponents() {
  static const std::vector<ComponentId> kComponents = {"@method", "@target-uri", "buyer-x25519"};
  return kComponents;
}

const std::vector<ComponentId>& ServiceComponents() {
  static const std::vector<ComponentId> kComponents = {"@method", "@target-uri", "content-digest"};
  return kComponents;
}

bool NameEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) {
             return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
           };
           return lower(x) == lower(y);
         });
}

// The values of every field line named `name`, joined with ", " as HTTP
// combines repeated fields; nullopt when there is none.
std::optional<std::string> FieldValue(const SignedRequest& request, std::string_view name) {
  std::optional<std::string> joined;
  for (const auto& [n, v] : request.headers) {
    if (!NameEquals(n, name)) continue;
    joined = joined.has_value() ? *joined + ", " + v : v;
  }
  return joined;
}

Result<crypto::HttpMessage> MessageOf(const SignedRequest& request) {
  Result<crypto::HttpMessage> m = crypto::HttpMessage::Request(request.method, request.target_uri);
  if (!m.ok()) return m.status().WithContext("signed request: target URI");
  for (const auto& [name, value] : request.headers) m->AddField(name, value);
  return m;
}

Result<std::vector<HeaderField>> Sign(crypto::HttpMessage message, std::string_view label,
                                      const std::vector<ComponentId>& components, std::string keyid,
                                      const crypto::Ed25519KeyPair& key, const Clock& clock,
                                      HeaderField extra) {
  message.AddField(extra.first, extra.second);
  crypto::SignatureParams params;
  params.components = components;
  params.created = clock.NowUnixSeconds();
  params.alg = "ed25519";
  params.keyid = std::move(keyid);
  BL_ASSIGN_OR_RETURN(crypto::SignatureFields fields,
                      crypto::SignHttpMessage(message, label, params, key));
  return std::vector<HeaderField>{std::move(extra),
                                  {"Signature-Input", std::move(fields.signature_input)},
                                  {"Signature", std::move(fields.signature)}};
}

Result<crypto::VerifiedSignature> Verify(const crypto::HttpMessage& message, std::string_view label,
                                         const std::vector<ComponentId>& components,
                                         const crypto::Ed25519KeyLookup& lookup, const Clock& clock,
                                         std::chrono::seconds max_age) {
  crypto::SignatureVerifyPolicy policy;
  policy.label = std::string(label);
  policy.required_components = components;
  policy.require_created = true;
  policy.max_age = max_age;
  return crypto::VerifyHttpMessage(message, policy, lookup, clock);
}

}  // namespace

// ---- (a) download requests -----------------------------------------------------------

Result<std::vector<HeaderField>> SignDownloadRequest(std::string_view url, const Identity& buyer,
                                                     const Clock& clock) {
  BL_ASSIGN_OR_RETURN(crypto::HttpMessage message, crypto::HttpMessage::Request("GET", url));
  return Sign(std::move(message), kDownloadSignatureLabel, DownloadComponents(),
              Base64UrlEncode(buyer.ed25519().public_key()), buyer.ed25519(), clock,
              {std::string(kBuyerX25519Header), Base64UrlEncode(buyer.x25519().public_key())});
}

Result<PublicKeys> VerifyDownloadRequest(const SignedRequest& request, const Clock& clock,
                                         std::chrono::seconds max_age) {
  BL_ASSIGN_OR_RETURN(crypto::HttpMessage message, MessageOf(request));
  // The keyid is the key: anyone may sign a download request; what makes it
  // count is that the key's binding matches the token (checked by the caller).
  crypto::Ed25519KeyLookup key_of_keyid =
      [](std::string_view keyid) -> Result<crypto::Ed25519PublicKey> {
    Result<Bytes> raw = Base64UrlDecode(keyid);
    if (!raw.ok() || raw->size() != crypto::kEd25519PublicKeySize) {
      return InvalidArgument(
          "download signature: keyid must be the base64url Ed25519 public key (32 bytes)");
    }
    crypto::Ed25519PublicKey key{};
    std::copy(raw->begin(), raw->end(), key.begin());
    return key;
  };
  BL_ASSIGN_OR_RETURN(
      crypto::VerifiedSignature verified,
      Verify(message, kDownloadSignatureLabel, DownloadComponents(), key_of_keyid, clock, max_age));
  const std::string keyid = verified.params.keyid.value_or("");  // always set once verified
  BL_ASSIGN_OR_RETURN(crypto::Ed25519PublicKey ed25519, key_of_keyid(keyid));
  // Present: the verified signature covers it.
  std::optional<std::string> x_text = FieldValue(request, kBuyerX25519Header);
  Result<Bytes> x =
      x_text.has_value() ? Base64UrlDecode(*x_text) : Result<Bytes>(InvalidArgument("missing"));
  if (!x.ok() || x->size() != crypto::kX25519KeySize) {
    return InvalidArgument(std::string(kBuyerX25519Header) +
                           " must be one base64url X25519 public key (32 bytes)");
  }
  PublicKeys keys;
  keys.ed25519 = ed25519;
  std::copy(x->begin(), x->end(), keys.x25519.begin());
  return keys;
}

// ---- (b) service requests -------------------------------------------------------------

std::string ContentDigest(ByteSpan body) {
  return "sha-256=:" + Base64Encode(crypto::Sha256(body)) + ":";
}

Status CheckContentDigest(std::string_view field, ByteSpan body) {
  Result<crypto::sf::Dictionary> dict = crypto::sf::ParseDictionary(field);
  if (!dict.ok()) return dict.status().WithContext("Content-Digest");
  const crypto::sf::ListMember* member = crypto::sf::FindMember(*dict, "sha-256");
  const crypto::sf::Item* item =
      member == nullptr ? nullptr : std::get_if<crypto::sf::Item>(member);
  const Bytes* digest = item == nullptr ? nullptr : std::get_if<Bytes>(&item->value);
  if (digest == nullptr) {
    return InvalidArgument("Content-Digest must carry sha-256=:<base64>: (RFC 9530)");
  }
  if (!crypto::ConstantTimeEqual(*digest, crypto::Sha256(body))) {
    return Unauthenticated("Content-Digest sha-256 does not match the body");
  }
  return Status::Ok();
}

Result<std::vector<HeaderField>> SignServiceRequest(std::string_view method, std::string_view url,
                                                    ByteSpan body,
                                                    const crypto::Ed25519KeyPair& key,
                                                    std::string_view keyid, const Clock& clock) {
  if (keyid.empty()) return InvalidArgument("service signature: empty keyid");
  BL_ASSIGN_OR_RETURN(crypto::HttpMessage message, crypto::HttpMessage::Request(method, url));
  return Sign(std::move(message), kServiceSignatureLabel, ServiceComponents(), std::string(keyid),
              key, clock, {std::string(kContentDigestHeader), ContentDigest(body)});
}

Result<std::string> VerifyServiceRequest(const SignedRequest& request,
                                         const crypto::Ed25519KeyLookup& lookup, const Clock& clock,
                                         std::chrono::seconds max_age) {
  BL_ASSIGN_OR_RETURN(crypto::HttpMessage message, MessageOf(request));
  BL_ASSIGN_OR_RETURN(
      crypto::VerifiedSignature verified,
      Verify(message, kServiceSignatureLabel, ServiceComponents(), lookup, clock, max_age));
  // The signature vouches for the Content-Digest field; the digest vouches
  // for the body.
  std::optional<std::string> digest = FieldValue(request, kContentDigestHeader);
  if (!digest.has_value()) return Unauthenticated("Content-Digest is missing");
  BL_RETURN_IF_ERROR(CheckContentDigest(*digest, AsBytes(request.body)));
  return verified.params.keyid.value_or("");  // always set once verified
}

}  // namespace backline::protocol
