#include "crypto/http_signature.h"

#include <gtest/gtest.h>

#include "crypto/vectors_testing.h"

namespace backline::crypto {
namespace {

using backline::testing::ReadVectorJson;

std::string Str(const boost::json::value& v) { return std::string(v.as_string()); }

// ---- RFC 9421 appendix B.2.6: signing a request with ed25519 ----

class Rfc9421B26Test : public ::testing::Test {
 protected:
  static constexpr int64_t kCreated = 1618884473;

  void SetUp() override {
    boost::json::value doc = ReadVectorJson("rfc/rfc9421-b26-ed25519.json");
    vector_ = doc.as_object();
    const auto& jwk = vector_.at("private_key_jwk").as_object();
    key_.emplace(Ed25519KeyPair::FromSeed(Base64UrlDecode(Str(jwk.at("d"))).value()).value());
    ASSERT_EQ(Base64UrlDecode(Str(jwk.at("x"))).value(),
              Bytes(key_->public_key().begin(), key_->public_key().end()));

    const auto& request = vector_.at("request").as_object();
    message_ = HttpMessage::Request(Str(request.at("method")), Str(request.at("url"))).value();
    for (const auto& [name, value] : request.at("headers").as_object()) {
      message_.AddField(name, Str(value));
    }
    params_.components = {"date",       "@method",      "@path",
                          "@authority", "content-type", "content-length"};
    params_.created = kCreated;
    params_.keyid = "test-key-ed25519";
  }

  // The message as received: with the vector's Signature-Input and Signature.
  HttpMessage Signed() const {
    HttpMessage m = message_;
    m.AddField("Signature-Input", Str(vector_.at("signature_input")));
    m.AddField("Signature", Str(vector_.at("signature")));
    return m;
  }

  Result<VerifiedSignature> Verify(const HttpMessage& m) const {
    Ed25519PublicKey public_key = key_->public_key();
    auto lookup = [public_key](std::string_view keyid) -> Result<Ed25519PublicKey> {
      if (keyid != "test-key-ed25519") return NotFound("no such key");
      return public_key;
    };
    return VerifyHttpMessage(m, policy_, lookup, clock_);
  }
  StatusCode VerifyCode(const HttpMessage& m) const { return Verify(m).status().code(); }

  boost::json::object vector_;
  std::optional<Ed25519KeyPair> key_;
  HttpMessage message_;
  SignatureParams params_;
  SignatureVerifyPolicy policy_;
  FakeClock clock_{kCreated + 10};
};

TEST_F(Rfc9421B26Test, SignatureBaseIsByteExact) {
  auto base = BuildSignatureBase(message_, params_);
  ASSERT_TRUE(base.ok()) << base.status().ToString();
  EXPECT_EQ(Str(vector_.at("signature_base")), *base);
}

TEST_F(Rfc9421B26Test, SigningReproducesSignatureInputAndSignature) {
  auto fields = SignHttpMessage(message_, "sig-b26", params_, *key_);
  ASSERT_TRUE(fields.ok()) << fields.status().ToString();
  EXPECT_EQ(Str(vector_.at("signature_input")), fields->signature_input);
  EXPECT_EQ(Str(vector_.at("signature")), fields->signature);
}

TEST_F(Rfc9421B26Test, VectorVerifies) {
  auto verified = Verify(Signed());
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ("sig-b26", verified->label);
  EXPECT_EQ("test-key-ed25519", verified->params.keyid);
  EXPECT_EQ(kCreated, verified->params.created);
  EXPECT_EQ(6u, verified->params.components.size());
}

TEST_F(Rfc9421B26Test, ChangedMethodFails) {
  HttpMessage m = Signed();
  m.method = "PUT";
  EXPECT_EQ(StatusCode::kUnauthenticated, VerifyCode(m));
}

TEST_F(Rfc9421B26Test, ChangedCoveredHeaderFails) {
  HttpMessage m = Signed();
  m.fields["Content-Type"] = {"text/plain"};
  EXPECT_EQ(StatusCode::kUnauthenticated, VerifyCode(m));
}

TEST_F(Rfc9421B26Test, RepeatedCoveredHeaderFails) {
  HttpMessage m = Signed();
  m.AddField("content-length", "18");
  EXPECT_EQ(StatusCode::kUnauthenticated, VerifyCode(m));
}

TEST_F(Rfc9421B26Test, RemovedCoveredHeaderFails) {
  HttpMessage m = Signed();
  m.fields.erase("date");
  Status s = Verify(m).status();
  EXPECT_EQ(StatusCode::kUnauthenticated, s.code());
  EXPECT_NE(std::string::npos, s.message().find("date")) << s.ToString();
}

TEST_F(Rfc9421B26Test, UncoveredChangesDoNotMatter) {
  HttpMessage m = Signed();
  m.AddField("X-Forwarded-For", "192.0.2.1");
  m.query = "param=Other";  // @query is not covered
  m.fields["HOST"] = {"example.com"};
  EXPECT_EQ(StatusCode::kOk, VerifyCode(m));
}

TEST_F(Rfc9421B26Test, StaleCreatedFails) {
  clock_.SetUnixSeconds(kCreated + 301);
  Status s = Verify(Signed()).status();
  EXPECT_EQ(StatusCode::kUnauthenticated, s.code());
  EXPECT_NE(std::string::npos, s.message().find("too old")) << s.ToString();
  policy_.max_age.reset();
  EXPECT_EQ(StatusCode::kOk, VerifyCode(Signed()));
}

TEST_F(Rfc9421B26Test, CreatedInTheFutureFails) {
  clock_.SetUnixSeconds(kCreated - 61);
  EXPECT_EQ(StatusCode::kUnauthenticated, VerifyCode(Signed()));
  clock_.SetUnixSeconds(kCreated - 60);
  EXPECT_EQ(StatusCode::kOk, VerifyCode(Signed()));
}

TEST_F(Rfc9421B26Test, MissingRequiredComponentFails) {
  policy_.required_components = {"@method", "@authority", "content-digest"};
  Status s = Verify(Signed()).status();
  EXPECT_EQ(StatusCode::kUnauthenticated, s.code());
  EXPECT_NE(std::string::npos, s.message().find("content-digest")) << s.ToString();
  policy_.required_components = {"@method", "@authority", "@path", "content-type"};
  EXPECT_EQ(StatusCode::kOk, VerifyCode(Signed()));
}

TEST_F(Rfc9421B26Test, WrongKeyFails) {
  Ed25519PublicKey other = Ed25519KeyPair::FromSeed(Bytes(32, 9)).value().public_key();
  auto lookup = [other](std::string_view) -> Result<Ed25519PublicKey> { return other; };
  EXPECT_EQ(StatusCode::kUnauthenticated,
            VerifyHttpMessage(Signed(), policy_, lookup, clock_).status().code());
}

TEST_F(Rfc9421B26Test, UnknownKeyIdFailsAndLookupErrorsPassThrough) {
  HttpMessage m = message_;
  params_.keyid = "someone-else";
  auto fields = SignHttpMessage(m, "sig", params_, *key_).value();
  m.AddField("Signature-Input", fields.signature_input);
  m.AddField("Signature", fields.signature);
  EXPECT_EQ(StatusCode::kUnauthenticated, VerifyCode(m));
  auto down = [](std::string_view) -> Result<Ed25519PublicKey> { return Unavailable("key store"); };
  EXPECT_EQ(StatusCode::kUnavailable, VerifyHttpMessage(m, policy_, down, clock_).status().code());
}

TEST_F(Rfc9421B26Test, UnsignedMessageIsUnauthenticated) {
  EXPECT_EQ(StatusCode::kUnauthenticated, VerifyCode(message_));
  HttpMessage only_input = message_;
  only_input.AddField("Signature-Input", Str(vector_.at("signature_input")));
  EXPECT_EQ(StatusCode::kUnauthenticated, VerifyCode(only_input));
}

TEST_F(Rfc9421B26Test, MalformedSignatureInputIsInvalidArgument) {
  const std::string params = ";created=1618884473;keyid=\"test-key-ed25519\"";
  for (const std::string& bad : {
           std::string(""),                               // empty dictionary
           std::string("sig-b26=(\"date\" \"@method\""),  // unterminated inner list
           std::string("sig-b26=\"date\"") + params,      // not an inner list
           std::string("sig-b26=(date)") + params,        // token, not string
           std::string("sig-b26=(\"Date\")") + params,    // field names are lowercase
           std::string("sig-b26=(\"@bogus\")") + params,  // unknown derived component
           std::string("sig-b26=(\"@signature-params\")") + params,
           std::string("sig-b26=(\"date\" \"date\")") + params,  // covered twice
           std::string("sig-b26=(\"date\";foo)") + params,       // unknown component parameter
           std::string("sig-b26=(\"@method\";sf)") + params,     // ;sf on a derived component
           std::string("sig-b26=(\"date\";bs;sf)") + params,     // ;bs with ;sf
           std::string("sig-b26=(\"@query-param\")") + params,   // no ;name
           std::string("sig-b26=(\"@query-param\";name=a)") + params,  // name must be a string
           std::string("sig-b26=(\"date\");created=\"1618884473\";keyid=\"k\""),
           std::string("sig-b26=(\"date\");created=-1;keyid=\"k\""),
           std::string("sig-b26=(\"date\");created=1.5;keyid=\"k\""),
           std::string("sig-b26=(\"date\");created=1;keyid=k"),    // keyid must be a string
           std::string("sig-b26=(\"date\")") + params + ";foo=1",  // unknown parameter
           std::string("sig-b26=(\"date\")") + params + ";alg=\"rsa-pss-sha512\"",
           std::string("sig-b26=(\"date\");created=1618884473"),  // no keyid
           std::string("sig-b26=(\"date\")") + params + "x",      // trailing garbage
           std::string("sig-b26=(\"date\")") + params + ",",      // trailing comma
           std::string("sig-b26=(\"date\"") + params,             // missing ')'
           std::string("sig-b26=(\"date\")") + params + ", other=(\"date\")" +
               params,                                         // no Signature
           std::string("other=(\"date\")") + params,           // label not in Signature
           std::string("Sig=(\"date\")") + params,             // labels are lowercase keys
           std::string("sig-b26=(\"d\xc3\xa4te\")") + params,  // non-ASCII
           std::string("sig-b26=(\"date\")") + params + ";created=99999999999999999",  // too big
       }) {
    HttpMessage m = message_;
    m.AddField("Signature-Input", bad);
    m.AddField("Signature", Str(vector_.at("signature")));
    Status s = Verify(m).status();
    EXPECT_EQ(StatusCode::kInvalidArgument, s.code()) << bad << " -> " << s.ToString();
  }
}

TEST_F(Rfc9421B26Test, MalformedSignatureIsInvalidArgument) {
  for (const std::string& bad : {
           std::string("sig-b26=:wqcA:"),                    // not 64 bytes
           std::string("sig-b26=:wqcAq:"),                   // not padded base64
           std::string("sig-b26=wqcA"),                      // a token
           std::string("sig-b26=\"wqcA\""),                  // a string
           std::string("sig-b26=(:wqcA:)"),                  // an inner list
           std::string("sig-b26=:wqcA:;p"),                  // parameters
           std::string("sig-b26=:-_8=:"),                    // base64url alphabet
           Str(vector_.at("signature")) + ", extra=:AAAA:",  // label not in Signature-Input
       }) {
    HttpMessage m = message_;
    m.AddField("Signature-Input", Str(vector_.at("signature_input")));
    m.AddField("Signature", bad);
    Status s = Verify(m).status();
    EXPECT_EQ(StatusCode::kInvalidArgument, s.code()) << bad << " -> " << s.ToString();
  }
}

TEST_F(Rfc9421B26Test, ExpiresIsEnforced) {
  HttpMessage m = message_;
  params_.expires = kCreated + 5;
  auto fields = SignHttpMessage(m, "sig", params_, *key_).value();
  m.AddField("Signature-Input", fields.signature_input);
  m.AddField("Signature", fields.signature);
  clock_.SetUnixSeconds(kCreated + 4);
  EXPECT_EQ(StatusCode::kOk, VerifyCode(m));
  clock_.SetUnixSeconds(kCreated + 5);
  EXPECT_EQ(StatusCode::kUnauthenticated, VerifyCode(m));
}

TEST_F(Rfc9421B26Test, LabelAndTagChooseAmongSignatures) {
  HttpMessage m = Signed();
  SignatureParams buyer = params_;
  buyer.tag = "backline-buyer";
  buyer.nonce = "n-1";
  auto fields = SignHttpMessage(message_, "buyer", buyer, *key_).value();
  m.AddField("Signature-Input", fields.signature_input);
  m.AddField("Signature", fields.signature);

  EXPECT_EQ(StatusCode::kInvalidArgument, VerifyCode(m));  // two candidates, no label
  policy_.tag = "backline-buyer";
  auto verified = Verify(m);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ("buyer", verified->label);
  EXPECT_EQ("n-1", verified->params.nonce);
  policy_.tag.reset();
  policy_.label = "sig-b26";
  EXPECT_EQ(StatusCode::kOk, VerifyCode(m));
  policy_.label = "nobody";
  EXPECT_EQ(StatusCode::kUnauthenticated, VerifyCode(m));
}

TEST_F(Rfc9421B26Test, SignatureParamsRoundTripThroughTheFields) {
  params_.expires = kCreated + 300;
  params_.nonce = "abc";
  params_.alg = "ed25519";
  params_.tag = "t";
  params_.components.push_back(ComponentId::QueryParam("Pet"));
  auto fields = SignHttpMessage(message_, "sig", params_, *key_).value();
  EXPECT_EQ(
      "sig=(\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\" "
      "\"@query-param\";name=\"Pet\");created=1618884473;expires=1618884773;nonce=\"abc\";"
      "alg=\"ed25519\";keyid=\"test-key-ed25519\";tag=\"t\"",
      fields.signature_input);
  auto parsed = ParseSignatureFields(fields.signature_input, fields.signature);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(1u, parsed->size());
  EXPECT_EQ(params_.components, (*parsed)[0].params.components);
  EXPECT_EQ("abc", (*parsed)[0].params.nonce);
  EXPECT_EQ(64u, (*parsed)[0].signature.size());

  HttpMessage m = message_;
  m.AddField("Signature-Input", fields.signature_input);
  m.AddField("Signature", fields.signature);
  EXPECT_EQ(StatusCode::kOk, VerifyCode(m));
}

TEST(HttpSignatureSignTest, RejectsBadLabelsAndAlgorithms) {
  HttpMessage m = HttpMessage::Request("GET", "https://example.com/").value();
  auto key = Ed25519KeyPair::FromSeed(Bytes(32, 1)).value();
  SignatureParams params{.components = {"@method"}, .created = 1, .keyid = "k"};
  EXPECT_FALSE(SignHttpMessage(m, "Bad Label", params, key).ok());
  params.alg = "hmac-sha256";
  EXPECT_FALSE(SignHttpMessage(m, "sig", params, key).ok());
  params.alg.reset();
  params.components.push_back("x-missing");
  EXPECT_EQ(StatusCode::kNotFound, SignHttpMessage(m, "sig", params, key).status().code());
}

// ---- component values (examples of RFC 9421 section 2) ----

std::string Line(const HttpMessage& m, ComponentId id) {
  SignatureParams params{.components = {std::move(id)}};
  auto base = BuildSignatureBase(m, params);
  if (!base.ok()) return base.status().ToString();
  return base->substr(0, base->find('\n'));
}

TEST(HttpSignatureComponentsTest, DerivedComponentsOfARequest) {
  HttpMessage m = HttpMessage::Request("POST", "https://www.example.com/path?param=value").value();
  EXPECT_EQ("\"@method\": POST", Line(m, "@method"));
  EXPECT_EQ("\"@target-uri\": https://www.example.com/path?param=value", Line(m, "@target-uri"));
  EXPECT_EQ("\"@authority\": www.example.com", Line(m, "@authority"));
  EXPECT_EQ("\"@scheme\": https", Line(m, "@scheme"));
  EXPECT_EQ("\"@request-target\": /path?param=value", Line(m, "@request-target"));
  EXPECT_EQ("\"@path\": /path", Line(m, "@path"));
  EXPECT_EQ("\"@query\": ?param=value", Line(m, "@query"));
}

TEST(HttpSignatureComponentsTest, AuthorityIsNormalized) {
  HttpMessage m = HttpMessage::Request("GET", "HTTPS://WWW.Example.com:443").value();
  EXPECT_EQ("\"@authority\": www.example.com", Line(m, "@authority"));
  EXPECT_EQ("\"@target-uri\": https://www.example.com/", Line(m, "@target-uri"));
  EXPECT_EQ("\"@query\": ?", Line(m, "@query"));
  m = HttpMessage::Request("GET", "http://example.com:8080/a?").value();
  EXPECT_EQ("\"@authority\": example.com:8080", Line(m, "@authority"));
  EXPECT_EQ("\"@query\": ?", Line(m, "@query"));
  EXPECT_EQ("\"@request-target\": /a?", Line(m, "@request-target"));
}

TEST(HttpSignatureComponentsTest, QueryParametersAreDecodedAndReencoded) {
  HttpMessage m =
      HttpMessage::Request(
          "GET",
          "https://example.com/parameters?var=this%20is%20a%20big%0Avalue&bar=with+plus+"
          "whitespace&fa%C3%A7ade%22%3A%20=something&qux=&dup=1&dup=2")
          .value();
  EXPECT_EQ("\"@query-param\";name=\"var\": this%20is%20a%20big%0Avalue",
            Line(m, ComponentId::QueryParam("var")));
  EXPECT_EQ("\"@query-param\";name=\"bar\": with%20plus%20whitespace",
            Line(m, ComponentId::QueryParam("bar")));
  EXPECT_EQ("\"@query-param\";name=\"fa%C3%A7ade%22%3A%20\": something",
            Line(m, ComponentId::QueryParam("fa%C3%A7ade%22%3A%20")));
  EXPECT_EQ("\"@query-param\";name=\"qux\": ", Line(m, ComponentId::QueryParam("qux")));
  EXPECT_NE(std::string::npos, Line(m, ComponentId::QueryParam("dup")).find("more than once"));
  EXPECT_NE(std::string::npos, Line(m, ComponentId::QueryParam("nope")).find("NOT_FOUND"));
}

TEST(HttpSignatureComponentsTest, FieldValuesAreCanonicalized) {
  HttpMessage m = HttpMessage::Request("GET", "https://example.com/").value();
  m.AddField("X-OWS-Header", "   Leading and trailing whitespace.   ");
  m.AddField("X-Obs-Fold-Header", "Obsolete\r\n    line folding.");
  m.AddField("Cache-Control", "max-age=60");
  m.AddField("Cache-Control", "   must-revalidate");
  m.AddField("X-Empty-Header", "");
  m.AddField("Example-Dict", " a=1,    b=2;x=1;y=2,   c=(a   b   c)");
  EXPECT_EQ("\"x-ows-header\": Leading and trailing whitespace.", Line(m, "x-ows-header"));
  EXPECT_EQ("\"x-obs-fold-header\": Obsolete line folding.", Line(m, "x-obs-fold-header"));
  EXPECT_EQ("\"cache-control\": max-age=60, must-revalidate", Line(m, "cache-control"));
  EXPECT_EQ("\"x-empty-header\": ", Line(m, "x-empty-header"));
  EXPECT_EQ("\"example-dict\": a=1,    b=2;x=1;y=2,   c=(a   b   c)", Line(m, "example-dict"));
}

TEST(HttpSignatureComponentsTest, DictionaryMembersStructuredAndByteSequenceFields) {
  HttpMessage m = HttpMessage::Request("GET", "https://example.com/").value();
  m.AddField("Example-Dict", " a=1, b=2;x=1;y=2, c=(a   b    c), d");
  m.AddField("Priority", "u=1,   i");
  m.AddField("Example-Header", "value, with, lots");
  m.AddField("Example-Header", "of, commas");
  EXPECT_EQ("\"example-dict\";key=\"a\": 1",
            Line(m, ComponentId::DictionaryMember("example-dict", "a")));
  EXPECT_EQ("\"example-dict\";key=\"d\": ?1",
            Line(m, ComponentId::DictionaryMember("example-dict", "d")));
  EXPECT_EQ("\"example-dict\";key=\"b\": 2;x=1;y=2",
            Line(m, ComponentId::DictionaryMember("example-dict", "b")));
  EXPECT_EQ("\"example-dict\";key=\"c\": (a b c)",
            Line(m, ComponentId::DictionaryMember("example-dict", "c")));
  EXPECT_EQ("\"priority\";sf: u=1, i", Line(m, ComponentId("priority").With("sf")));
  EXPECT_EQ("\"example-header\";bs: :dmFsdWUsIHdpdGgsIGxvdHM=:, :b2YsIGNvbW1hcw==:",
            Line(m, ComponentId("example-header").With("bs")));
  // ;sf needs a type we know; ;key needs a member that exists.
  EXPECT_NE(std::string::npos, Line(m, ComponentId("example-dict").With("sf")).find("INVALID"));
  EXPECT_NE(std::string::npos,
            Line(m, ComponentId::DictionaryMember("example-dict", "z")).find("NOT_FOUND"));
}

TEST(HttpSignatureComponentsTest, ResponsesUseStatusAndReqComponents) {
  HttpMessage request = HttpMessage::Request("POST", "https://example.com/foo?param=Value").value();
  request.AddField("Content-Digest", "sha-512=:AAAA:");
  HttpMessage response = HttpMessage::Response(503);
  response.request = &request;
  response.AddField("Content-Type", "application/json");
  EXPECT_EQ("\"@status\": 503", Line(response, "@status"));
  EXPECT_EQ("\"@method\";req: POST", Line(response, ComponentId("@method").With("req")));
  EXPECT_EQ("\"content-digest\";req: sha-512=:AAAA:",
            Line(response, ComponentId("content-digest").With("req")));
  EXPECT_NE(std::string::npos, Line(response, "@method").find("INVALID"));
  EXPECT_NE(std::string::npos, Line(request, "@status").find("INVALID"));
  EXPECT_NE(std::string::npos, Line(request, ComponentId("@method").With("req")).find("INVALID"));

  auto key = Ed25519KeyPair::FromSeed(Bytes(32, 5)).value();
  SignatureParams params{
      .components = {"@status", "content-type", ComponentId("@method").With("req"),
                     ComponentId("@authority").With("req")},
      .created = 1'700'000'000,
      .keyid = "server"};
  auto fields = SignHttpMessage(response, "resp", params, key).value();
  response.AddField("Signature-Input", fields.signature_input);
  response.AddField("Signature", fields.signature);
  FakeClock clock(1'700'000'000);
  Ed25519PublicKey pk = key.public_key();
  auto lookup = [pk](std::string_view) -> Result<Ed25519PublicKey> { return pk; };
  EXPECT_TRUE(VerifyHttpMessage(response, {}, lookup, clock).ok());
  request.method = "GET";
  EXPECT_EQ(StatusCode::kUnauthenticated,
            VerifyHttpMessage(response, {}, lookup, clock).status().code());
}

TEST(HttpSignatureComponentsTest, ValuesCannotInjectLines) {
  HttpMessage m = HttpMessage::Request("GET", "https://example.com/").value();
  m.AddField("X-Evil", "a\n\"@method\": POST");
  m.AddField("X-Nul", std::string("a\0b", 3));
  m.AddField("X-Cr", "a\rb");
  EXPECT_NE(std::string::npos, Line(m, "x-evil").find("INVALID"));
  EXPECT_NE(std::string::npos, Line(m, "x-nul").find("INVALID"));
  EXPECT_NE(std::string::npos, Line(m, "x-cr").find("INVALID"));
  m.method = "GET\nX";
  EXPECT_NE(std::string::npos, Line(m, "@method").find("INVALID"));
}

TEST(HttpSignatureComponentsTest, TrailersAreUnimplemented) {
  HttpMessage m = HttpMessage::Request("GET", "https://example.com/").value();
  m.AddField("x", "1");
  EXPECT_NE(std::string::npos, Line(m, ComponentId("x").With("tr")).find("UNIMPLEMENTED"));
}

TEST(HttpSignatureMessageTest, RequestParsesAbsoluteUris) {
  HttpMessage m = HttpMessage::Request("GET", "https://a.example:8443/p/q?x=1&y#frag").value();
  EXPECT_EQ("https", m.scheme);
  EXPECT_EQ("a.example:8443", m.authority);
  EXPECT_EQ("/p/q", m.path);
  EXPECT_EQ("x=1&y", m.query);
  EXPECT_FALSE(HttpMessage::Request("GET", "/relative").ok());
  EXPECT_FALSE(HttpMessage::Request("GET", "https:///nohost").ok());
  EXPECT_FALSE(HttpMessage::Request("GET", "https://a b/").ok());
  EXPECT_FALSE(HttpMessage::Request("G T", "https://a/").ok());
  EXPECT_FALSE(HttpMessage::Request("", "https://a/").ok());
}

TEST(HttpSignatureMessageTest, FieldNamesAreCaseInsensitive) {
  HttpMessage m;
  m.AddField("Content-Type", "a");
  m.AddField("content-type", "b");
  ASSERT_EQ(1u, m.fields.size());
  EXPECT_EQ((std::vector<std::string>{"a", "b"}), m.fields.at("CONTENT-TYPE"));
}

}  // namespace
}  // namespace backline::crypto
