// Feeds arbitrary Signature-Input and Signature field values (and one extra
// covered field) to the RFC 8941 parser and the RFC 9421 verifier, against the
// request and key of RFC 9421 appendix B.2.6.
//
// Input: "<signature-input>\n<signature>\n<x-extra value>"; missing parts are
// empty. Beyond "no crash", it checks that the structured-field serializer is
// a fixed point of the parser: whatever parses serializes, and the
// serialization parses back to the same value and the same text.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/clock.h"
#include "crypto/ed25519.h"
#include "crypto/http_signature.h"
#include "crypto/structured_fields.h"

namespace {

using namespace backline;          // NOLINT(google-build-using-namespace)
using namespace backline::crypto;  // NOLINT(google-build-using-namespace)

void Check(bool ok, const char* what, std::string_view input) {
  if (ok) return;
  std::fprintf(stderr, "invariant broken: %s\ninput: %.*s\n", what, static_cast<int>(input.size()),
               input.data());
  std::abort();
}

template <typename T, typename Parse, typename Serialize>
void CheckFixedPoint(std::string_view text, Parse parse, Serialize serialize) {
  Result<T> first = parse(text);
  if (!first.ok() || first->empty()) return;
  Result<std::string> once = serialize(*first);
  Check(once.ok(), "parsed value does not serialize", text);
  Result<T> second = parse(*once);
  Check(second.ok() && *second == *first, "serialization parses differently", text);
  Result<std::string> twice = serialize(*second);
  Check(twice.ok() && *twice == *once, "serialization is not stable", text);
}

void CheckItemFixedPoint(std::string_view text) {
  auto first = sf::ParseItem(text);
  if (!first.ok()) return;
  auto once = sf::SerializeItem(*first);
  Check(once.ok(), "parsed item does not serialize", text);
  auto second = sf::ParseItem(*once);
  Check(second.ok() && *second == *first, "item serialization parses differently", text);
}

const HttpMessage& B26Request() {
  static const HttpMessage message = [] {
    HttpMessage m =
        HttpMessage::Request("POST", "https://example.com/foo?param=Value&Pet=dog").value();
    m.AddField("Host", "example.com");
    m.AddField("Date", "Tue, 20 Apr 2021 02:07:55 GMT");
    m.AddField("Content-Type", "application/json");
    m.AddField("Content-Length", "18");
    m.AddField("Example-Dict", "a=1, b=2;x=1;y=2, c=(a b c)");
    return m;
  }();
  return message;
}

Ed25519PublicKey B26PublicKey() {
  Bytes x = Base64UrlDecode("JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs").value();
  Ed25519PublicKey key{};
  std::copy(x.begin(), x.end(), key.begin());
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view parts[3];
  for (int i = 0; i < 2; ++i) {
    size_t nl = input.find('\n');
    parts[i] = input.substr(0, nl);
    input = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
  }
  parts[2] = input;

  for (std::string_view part : parts) {
    CheckFixedPoint<sf::Dictionary>(part, sf::ParseDictionary, sf::SerializeDictionary);
    CheckFixedPoint<sf::List>(part, sf::ParseList, sf::SerializeList);
    CheckItemFixedPoint(part);
  }

  (void)ParseSignatureFields(parts[0], parts[1]);

  HttpMessage message = B26Request();
  message.AddField("Signature-Input", parts[0]);
  message.AddField("Signature", parts[1]);
  message.AddField("X-Extra", parts[2]);
  static const Ed25519PublicKey key = B26PublicKey();
  auto lookup = [](std::string_view keyid) -> Result<Ed25519PublicKey> {
    if (keyid != "test-key-ed25519") return NotFound("unknown key");
    return key;
  };
  FakeClock clock(1618884473);
  SignatureVerifyPolicy policy;
  policy.max_age.reset();
  auto verified = VerifyHttpMessage(message, policy, lookup, clock);
  if (verified.ok()) {
    // Only a genuine signature over this request verifies: a message that
    // differs in a covered component must not.
    bool covers_method = false;
    for (const ComponentId& c : verified->params.components) covers_method |= c.name == "@method";
    if (covers_method) {
      message.method = "PUT";
      Check(!VerifyHttpMessage(message, policy, lookup, clock).ok(),
            "signature verified for a changed method",
            std::string_view(reinterpret_cast<const char*>(data), size));
    }
  }
  return 0;
}
