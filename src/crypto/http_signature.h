// HTTP Message Signatures (RFC 9421) with the `ed25519` algorithm, independent
// of any HTTP library: the caller describes the message as a plain HttpMessage.
//
// Signing builds the signature base from the covered components, signs it and
// returns the Signature-Input and Signature field values to add. Verifying
// reads those two fields from the message, parses them strictly (RFC 8941, see
// crypto/structured_fields.h), applies the caller's policy (freshness against
// a Clock, required components, tag), looks the key up by keyid and checks the
// Ed25519 signature over the rebuilt signature base.
//
// Supported covered components:
//   derived  @method @target-uri @authority @scheme @request-target @path
//            @query @query-param;name="..." @status
//   fields   any lowercase field name, with ;sf (only for the structured
//            fields in a built-in table: Signature, Signature-Input,
//            Accept-Signature, Content-Digest, Repr-Digest, Want-*-Digest,
//            Priority, Cache-Status, Proxy-Status), ;key="member" (any field
//            that parses as a Dictionary) and ;bs.
//   ;req     on any component of a response, naming the request's component
//            (HttpMessage::request must be set).
// Not supported, rejected with kUnimplemented: ;tr (trailers).
//
// Canonicalization: field lines are trimmed of SP/HTAB, obsolete line folding
// becomes one SP, several lines join with ", ". Any other CR, LF or NUL in a
// component value is rejected, so a value cannot forge a line of the base.
// @authority is lowercased with the scheme's default port removed.
// @query-param names and values are form-decoded, then percent-encoded with
// everything except ALPHA / DIGIT / "*-._" escaped and space as "%20" (the
// outputs printed in RFC 9421 section 2.2.8).
//
// Errors:
//   kInvalidArgument  malformed Signature-Input/Signature, component
//                     identifiers or parameters; an unusable message
//   kNotFound         (signing, BuildSignatureBase) a covered field or query
//                     parameter is absent from the message
//   kUnauthenticated  no signature, a signature that does not verify, a
//                     covered component missing from the message, stale or
//                     expired, not covering a required component, unknown key
//
// Thread-safety: values and reentrant functions; the key lookup callback is
// called on the verifying thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/status.h"
#include "crypto/ed25519.h"
#include "crypto/structured_fields.h"

namespace backline::crypto {

// Orders HTTP field names case-insensitively (ASCII).
struct FieldNameLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};

// Field name -> the values of its field lines, in order.
using HttpFields = std::map<std::string, std::vector<std::string>, FieldNameLess>;

// A request or a response, as much of it as signatures can cover.
struct HttpMessage {
  // Request: the method and the parts of the target URI.
  std::string method;                // "POST" (case-sensitive)
  std::string scheme;                // "https"
  std::string authority;             // "example.com" or "example.com:8443"
  std::string path;                  // "/foo", as sent (percent-encoded)
  std::optional<std::string> query;  // "a=1&b=2" without '?'; nullopt when absent
  // Response: the status code; set iff this is a response.
  std::optional<int> status;
  HttpFields fields;
  // For a response: the request it answers, used by ;req components. Not
  // owned; must outlive every call given this message.
  const HttpMessage* request = nullptr;

  // A request for an absolute target URI, "https://example.com/foo?a=1". A
  // fragment is dropped; an empty path becomes "/".
  static Result<HttpMessage> Request(std::string_view method, std::string_view target_uri);
  static HttpMessage Response(int status);

  // Appends a field line.
  void AddField(std::string_view name, std::string_view value);
};

// A covered component: its name ("@method", "content-type") and parameters
// (;req, ;sf, ;bs, ;key="k", ;name="n").
struct ComponentId {
  std::string name;
  sf::Parameters params;

  ComponentId() = default;
  ComponentId(std::string_view component_name)  // NOLINT(google-explicit-constructor)
      : name(component_name) {}
  ComponentId(const char* component_name)  // NOLINT(google-explicit-constructor)
      : name(component_name) {}

  // @query-param;name="<name>"
  static ComponentId QueryParam(std::string_view name);
  // <field>;key="<key>"
  static ComponentId DictionaryMember(std::string_view field, std::string_view key);
  // A copy with the boolean parameter `flag` ("req", "sf", "bs") added.
  ComponentId With(std::string_view flag) const;

  // The serialized identifier as it appears in the signature base:
  // "@query-param";name="a".
  Result<std::string> Serialize() const;

  // Same name and the same parameters, in any order.
  bool Matches(const ComponentId& other) const;
  friend bool operator==(const ComponentId&, const ComponentId&) = default;
};

// The signature parameters of RFC 9421 section 2.3. Serialized in this order.
struct SignatureParams {
  std::vector<ComponentId> components{};  // covered, in order
  std::optional<int64_t> created{};       // Unix seconds
  std::optional<int64_t> expires{};       // Unix seconds
  std::optional<std::string> nonce{};
  std::optional<std::string> alg{};  // "ed25519" when present
  std::optional<std::string> keyid{};
  std::optional<std::string> tag{};
};

// The inner-list form: ("@method" "@path");created=1618884473;keyid="k"
Result<std::string> SerializeSignatureParams(const SignatureParams& params);

// The signature base (RFC 9421 section 2.5): one line per covered component
// and a last "@signature-params" line, no trailing newline.
Result<std::string> BuildSignatureBase(const HttpMessage& message, const SignatureParams& params);

// Field values to add to the message as one more signature under `label`.
struct SignatureFields {
  std::string signature_input;  // label=("@method" ...);created=...
  std::string signature;        // label=:base64:
};

Result<SignatureFields> SignHttpMessage(const HttpMessage& message, std::string_view label,
                                        const SignatureParams& params, const Ed25519KeyPair& key);

// One signature as carried by the Signature-Input and Signature fields.
struct ParsedSignature {
  std::string label;
  SignatureParams params;
  std::string params_value;  // the canonical @signature-params value
  Bytes signature;
};

// Parses the two field values strictly: both must be Dictionaries; every
// Signature-Input member an inner list of strings with only the parameters
// above (created/expires non-negative integers, the rest strings) and valid
// component identifiers, none repeated; every label present in both fields;
// every Signature member a byte sequence without parameters.
Result<std::vector<ParsedSignature>> ParseSignatureFields(std::string_view signature_input,
                                                          std::string_view signature);

// Returns the Ed25519 public key for a keyid. NotFound means "unknown key" and
// becomes kUnauthenticated; other errors are passed through.
using Ed25519KeyLookup = std::function<Result<Ed25519PublicKey>(std::string_view keyid)>;

// What the verifier requires.
struct SignatureVerifyPolicy {
  // Which signature to verify. Unset: the only one whose tag matches `tag`
  // (or the only one if `tag` is unset); several candidates are an error.
  std::optional<std::string> label{};
  // When set, the signature's tag parameter must equal it.
  std::optional<std::string> tag{};
  // Each must be covered (compared with ComponentId::Matches).
  std::vector<ComponentId> required_components{};
  // created must be present and no older than max_age (unset: any age).
  bool require_created = true;
  std::optional<std::chrono::seconds> max_age = std::chrono::minutes(5);
  // How far in the future created may be (clock skew between the parties).
  std::chrono::seconds max_future_skew{60};
};

struct VerifiedSignature {
  std::string label;
  SignatureParams params;  // keyid, nonce (for replay checks), created, ...
};

// Verifies one signature of `message` (its Signature-Input and Signature
// fields) against `policy` at clock.Now(). The signature must carry a keyid;
// its alg, when present, must be "ed25519".
Result<VerifiedSignature> VerifyHttpMessage(const HttpMessage& message,
                                            const SignatureVerifyPolicy& policy,
                                            const Ed25519KeyLookup& lookup_key, const Clock& clock);

}  // namespace backline::crypto
