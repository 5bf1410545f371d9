#include "protocol/request_signing.h"

#include <gtest/gtest.h>

#include "base/bytes.h"

namespace backline::protocol {
namespace {

using std::chrono::seconds;

constexpr int64_t kNow = 1'790'000'000;
const std::string kUrl =
    "http://127.0.0.1:8084/v1/downloads/aaaaaaaaaaaaaaaaaaaaaaaaaa?token=v4.public.abc";

std::string* Find(std::vector<HeaderField>& headers, std::string_view name) {
  for (auto& [n, v] : headers) {
    if (n == name) return &v;
  }
  return nullptr;
}

class DownloadSigningTest : public ::testing::Test {
 protected:
  SignedRequest Signed(const Identity& who, std::string url = kUrl) {
    auto headers = SignDownloadRequest(url, who, clock_);
    EXPECT_TRUE(headers.ok()) << headers.status().ToString();
    return {"GET", std::move(url), std::move(headers).value()};
  }
  StatusCode Code(const SignedRequest& r) {
    return VerifyDownloadRequest(r, clock_).status().code();
  }

  DeterministicRandom random_{31};
  Identity buyer_ = Identity::Generate(random_);
  Identity other_ = Identity::Generate(random_);
  FakeClock clock_{kNow};
};

TEST_F(DownloadSigningTest, HeadersAreTheDocumentedOnes) {
  SignedRequest r = Signed(buyer_);
  ASSERT_EQ(3u, r.headers.size());
  EXPECT_EQ(Base64UrlEncode(buyer_.public_keys().x25519), *Find(r.headers, "Buyer-X25519"));
  EXPECT_EQ(
      "dl=(\"@method\" \"@target-uri\" \"buyer-x25519\");created=1790000000;alg=\"ed25519\";"
      "keyid=\"" +
          Base64UrlEncode(buyer_.public_keys().ed25519) + "\"",
      *Find(r.headers, "Signature-Input"));
  EXPECT_TRUE(Find(r.headers, "Signature")->starts_with("dl=:"));
}

TEST_F(DownloadSigningTest, VerifiesAndReturnsTheBuyersKeys) {
  clock_.SetUnixSeconds(kNow + 30);
  auto keys = VerifyDownloadRequest(Signed(buyer_), clock_);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(buyer_.public_keys(), *keys);
  EXPECT_TRUE(BindingMatches(*keys, BindingOf(buyer_.public_keys())));
  EXPECT_FALSE(BindingMatches(*keys, BindingOf(other_.public_keys())));
}

TEST_F(DownloadSigningTest, StaleOrFutureSignaturesAreRefused) {
  SignedRequest r = Signed(buyer_);
  clock_.SetUnixSeconds(kNow + 300);
  EXPECT_EQ(StatusCode::kOk, Code(r));
  clock_.SetUnixSeconds(kNow + 301);
  EXPECT_EQ(StatusCode::kUnauthenticated, Code(r));
  EXPECT_EQ(StatusCode::kOk, VerifyDownloadRequest(r, clock_, seconds(600)).status().code());
  clock_.SetUnixSeconds(kNow - 61);  // signed more than 60 s in the future
  EXPECT_EQ(StatusCode::kUnauthenticated, Code(r));
}

TEST_F(DownloadSigningTest, TamperedRequestsAreRefused) {
  SignedRequest r = Signed(buyer_);
  SignedRequest url = r;
  url.target_uri =
      "http://127.0.0.1:8084/v1/downloads/aaaaaaaaaaaaaaaaaaaaaaaaab?token=v4.public.abc";
  EXPECT_EQ(StatusCode::kUnauthenticated, Code(url));
  SignedRequest token = r;
  token.target_uri += "d";
  EXPECT_EQ(StatusCode::kUnauthenticated, Code(token));
  SignedRequest method = r;
  method.method = "POST";
  EXPECT_EQ(StatusCode::kUnauthenticated, Code(method));
  // Another buyer's X25519 key put in: the signature covers the header.
  SignedRequest swapped = r;
  *Find(swapped.headers, "Buyer-X25519") = Base64UrlEncode(other_.public_keys().x25519);
  EXPECT_EQ(StatusCode::kUnauthenticated, Code(swapped));
  // Another key claimed in keyid.
  SignedRequest keyid = r;
  std::string& input = *Find(keyid.headers, "Signature-Input");
  input.replace(input.find(Base64UrlEncode(buyer_.public_keys().ed25519)), 43,
                Base64UrlEncode(other_.public_keys().ed25519));
  EXPECT_EQ(StatusCode::kUnauthenticated, Code(keyid));
}

TEST_F(DownloadSigningTest, SignedByAnotherKeyIsNotTheBuyer) {
  // A valid signature, but by the other key: verification succeeds and
  // reports the other key, whose binding does not match the buyer's token.
  auto keys = VerifyDownloadRequest(Signed(other_), clock_);
  ASSERT_TRUE(keys.ok());
  EXPECT_FALSE(BindingMatches(*keys, BindingOf(buyer_.public_keys())));
}

TEST_F(DownloadSigningTest, MissingOrMalformedPartsAreRefused) {
  SignedRequest r = Signed(buyer_);
  SignedRequest unsigned_request{"GET", kUrl, {{"Buyer-X25519", *Find(r.headers, "Buyer-X25519")}}};
  EXPECT_EQ(StatusCode::kUnauthenticated, Code(unsigned_request));
  SignedRequest no_x = r;
  std::erase_if(no_x.headers, [](const HeaderField& h) { return h.first == "Buyer-X25519"; });
  EXPECT_EQ(StatusCode::kUnauthenticated, Code(no_x));
  SignedRequest bad_keyid = r;
  std::string& input = *Find(bad_keyid.headers, "Signature-Input");
  input.replace(input.find("keyid=\""), 7 + 43, "keyid=\"buyer-1");
  EXPECT_EQ(StatusCode::kInvalidArgument, Code(bad_keyid));
  SignedRequest garbage = r;
  *Find(garbage.headers, "Signature") = "dl=not a byte sequence";
  EXPECT_EQ(StatusCode::kInvalidArgument, Code(garbage));
  // Header names are case-insensitive.
  SignedRequest lower = r;
  for (auto& h : lower.headers) {
    std::transform(h.first.begin(), h.first.end(), h.first.begin(), ::tolower);
  }
  EXPECT_EQ(StatusCode::kOk, Code(lower));
  EXPECT_FALSE(SignDownloadRequest("/v1/downloads/x", buyer_, clock_).ok());
}

class ServiceSigningTest : public ::testing::Test {
 protected:
  crypto::Ed25519KeyLookup Lookup() {
    return [this](std::string_view keyid) -> Result<crypto::Ed25519PublicKey> {
      if (keyid == "delivery-1") return node_.ed25519().public_key();
      return NotFound("unknown node");
    };
  }
  SignedRequest Signed(std::string_view body, std::string_view keyid = "delivery-1",
                       const Identity* who = nullptr) {
    auto headers = SignServiceRequest("POST", kClaimUrl, AsBytes(body),
                                      (who ? *who : node_).ed25519(), keyid, clock_);
    EXPECT_TRUE(headers.ok()) << headers.status().ToString();
    return {"POST", kClaimUrl, std::move(headers).value(), body};
  }
  Result<std::string> Verify(const SignedRequest& r) {
    return VerifyServiceRequest(r, Lookup(), clock_);
  }

  const std::string kClaimUrl = "http://127.0.0.1:8083/v1/deliveries";
  const std::string kBody = R"({"request_id":"x"})";
  DeterministicRandom random_{41};
  Identity node_ = Identity::Generate(random_);
  Identity stranger_ = Identity::Generate(random_);
  FakeClock clock_{kNow};
};

TEST(ContentDigestTest, MatchesRfc9530) {
  // RFC 9530 section 2, the example body {"hello": "world"}.
  EXPECT_EQ("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:",
            ContentDigest(AsBytes(R"({"hello": "world"})")));
  EXPECT_EQ("sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:", ContentDigest({}));
  EXPECT_TRUE(CheckContentDigest(ContentDigest(AsBytes("abc")), AsBytes("abc")).ok());
  EXPECT_TRUE(
      CheckContentDigest("sha-512=:AAAA:, " + ContentDigest(AsBytes("abc")), AsBytes("abc")).ok());
  EXPECT_EQ(StatusCode::kUnauthenticated,
            CheckContentDigest(ContentDigest(AsBytes("abc")), AsBytes("abd")).code());
  EXPECT_EQ(StatusCode::kInvalidArgument, CheckContentDigest("sha-512=:AAAA:", {}).code());
  EXPECT_EQ(StatusCode::kInvalidArgument, CheckContentDigest("sha-256=abc", {}).code());
  EXPECT_EQ(StatusCode::kInvalidArgument, CheckContentDigest("sha-256=:=:", {}).code());
}

TEST_F(ServiceSigningTest, VerifiesAndNamesTheSigner) {
  SignedRequest r = Signed(kBody);
  EXPECT_EQ(ContentDigest(AsBytes(kBody)), *Find(r.headers, "Content-Digest"));
  EXPECT_EQ(
      "svc=(\"@method\" \"@target-uri\" \"content-digest\");created=1790000000;"
      "alg=\"ed25519\";keyid=\"delivery-1\"",
      *Find(r.headers, "Signature-Input"));
  auto who = Verify(r);
  ASSERT_TRUE(who.ok()) << who.status().ToString();
  EXPECT_EQ("delivery-1", *who);
}

TEST_F(ServiceSigningTest, WrongBodyOrDigestIsRefused) {
  SignedRequest r = Signed(kBody);
  const std::string other_body = R"({"request_id":"y"})";
  SignedRequest body = r;
  body.body = other_body;
  auto s = Verify(body);
  EXPECT_EQ(StatusCode::kUnauthenticated, s.status().code());
  EXPECT_NE(std::string::npos, s.status().message().find("Content-Digest"));
  // A digest changed to match the new body breaks the signature instead.
  SignedRequest both = body;
  *Find(both.headers, "Content-Digest") = ContentDigest(AsBytes(other_body));
  EXPECT_EQ(StatusCode::kUnauthenticated, Verify(both).status().code());
}

TEST_F(ServiceSigningTest, UnknownOrWrongSignerAndStaleAreRefused) {
  EXPECT_EQ(StatusCode::kUnauthenticated, Verify(Signed(kBody, "delivery-2")).status().code());
  EXPECT_EQ(StatusCode::kUnauthenticated,
            Verify(Signed(kBody, "delivery-1", &stranger_)).status().code());
  SignedRequest r = Signed(kBody);
  clock_.SetUnixSeconds(kNow + 301);
  EXPECT_EQ(StatusCode::kUnauthenticated, Verify(r).status().code());
  clock_.SetUnixSeconds(kNow);
  SignedRequest other_url = r;
  other_url.target_uri = "http://127.0.0.1:8083/v1/deliveries/x/complete";
  EXPECT_EQ(StatusCode::kUnauthenticated, Verify(other_url).status().code());
  // A download signature is not a service signature.
  auto dl = SignDownloadRequest(kClaimUrl, node_, clock_).value();
  EXPECT_EQ(StatusCode::kUnauthenticated, Verify({"GET", kClaimUrl, dl, ""}).status().code());
  EXPECT_FALSE(SignServiceRequest("POST", kClaimUrl, {}, node_.ed25519(), "", clock_).ok());
}

}  // namespace
}  // namespace backline::protocol
