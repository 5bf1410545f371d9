// Known answers: with DeterministicRandom and FakeClock every output of this
// module is fixed, and these tests pin the bytes. A failure here means the
// wire format changed: every deployed peer would disagree with the new code.
// Change a pin only together with docs/protocol.md (and a version bump where
// old peers exist).
//
// The pins were produced by this implementation; what makes them right is
// that each underlying construction is checked against published vectors in
// crypto/ (HPKE RFC 9180, RFC 8188, PASETO v4, RFC 9421) and that the tests
// beside each header check the composition (round trips, the documented info,
// aad, header layout and field names).
#include <gtest/gtest.h>

#include "base/bytes.h"
#include "crypto/hash.h"
#include "protocol/download.h"
#include "protocol/identity.h"
#include "protocol/messages.h"
#include "protocol/request_signing.h"
#include "protocol/sealed.h"

namespace backline::protocol {
namespace {

constexpr int64_t kNow = 1'790'000'000;

Clock::TimePoint At(int64_t s) { return Clock::TimePoint(std::chrono::seconds(s)); }

Id IdFrom(DeterministicRandom& r) { return Id::Random(r); }

struct Parties {
  DeterministicRandom random{2024};
  Identity buyer = Identity::Generate(random);
  Identity merchant = Identity::Generate(random);
  Identity clearinghouse = Identity::Generate(random);
  Identity delivery = Identity::Generate(random);
  Id product = IdFrom(random);
  Id transaction = IdFrom(random);
  Id request = IdFrom(random);
};

TEST(KnownAnswerTest, Identities) {
  Parties p;
  PublicKeys b = p.buyer.public_keys();
  EXPECT_EQ("nKIGVDP1Cf1DvoS_HjTnipfo6dcKTE1W9rOH5qNNMyg", Base64UrlEncode(b.ed25519));
  EXPECT_EQ("c9Oc3mxRhHEQmZFpJ2ugkXkZ4FVja2sYI-1bJTZ0ZVc", Base64UrlEncode(b.x25519));
  EXPECT_EQ("Fto82BKRiL1sDOgAeQ5_af-SJOgMqI5sIyF-u0iIcJw", BindingOf(b));
  EXPECT_EQ(
      "{\"v\":1,\"type\":\"backline-identity\","
      "\"ed25519\":\"nKIGVDP1Cf1DvoS_HjTnipfo6dcKTE1W9rOH5qNNMyg\","
      "\"x25519\":\"c9Oc3mxRhHEQmZFpJ2ugkXkZ4FVja2sYI-1bJTZ0ZVc\","
      "\"ed25519_seed\":\"1eyO-OyPbZ_S8hEVuzDkGH-l21i_fG9MWbibruBpvh0\","
      "\"x25519_private\":\"ekN2ZGXBoNTrWkVpbXtrjZcyYOPKSQIjkqfEmT4Dqpg\"}\n",
      p.buyer.ToFileJson());
  EXPECT_EQ("gvajek75ywivwrnguworn4wwgi", p.product.ToBase32());
}

TEST(KnownAnswerTest, ReservationMessageJson) {
  Parties p;
  ReservationRequest req{p.request, p.product, BindingDigest(p.buyer.public_keys()), {1299, "EUR"}};
  EXPECT_EQ(
      R"({"request_id":"5kvpuvnqyxoldyk3pvufztnxm4","product_id":"gvajek75ywivwrnguworn4wwgi",)"
      R"("binding":"Fto82BKRiL1sDOgAeQ5_af-SJOgMqI5sIyF-u0iIcJw",)"
      R"("retail":{"amount":1299,"currency":"EUR"}})",
      SerializeJson(req.ToJson()));
  Reservation res{
      p.transaction, p.product, BindingDigest(p.buyer.public_keys()), At(kNow + 900), {800, "EUR"}};
  EXPECT_EQ(
      R"({"transaction_id":"vx3q5ohqiy2qdekt373b6b5w4e","product_id":"gvajek75ywivwrnguworn4wwgi",)"
      R"("binding":"Fto82BKRiL1sDOgAeQ5_af-SJOgMqI5sIyF-u0iIcJw",)"
      R"("expires_at":"2026-09-21T14:28:20Z","wholesale":{"amount":800,"currency":"EUR"}})",
      SerializeJson(res.ToJson()));
}

TEST(KnownAnswerTest, SealedRequestAndAnswer) {
  Parties p;
  DeterministicRandom seal_random(7);
  ReservationRequest req{p.request, p.product, BindingDigest(p.buyer.public_keys()), {1299, "EUR"}};
  auto sealed =
      SealMessage(kReservationRequestType, "POST /v1/reservations", req.ToJson(), "merchant-1",
                  p.merchant.x25519(), p.clearinghouse.public_keys().x25519, seal_random);
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(R"({"v":1,"sender":"merchant-1","enc":"MOSeEvqc8JFxnpjQQM5_x7R3V2LQSqxpM8__t1BBF0Q",)"
            R"("ct":"KsVdT80-JYsKU94gn6LDi3oSwWHKqbXO3WuWqYcx4frP2a70uXk2tFQmPj492lu1lhgYszi0vEz7)"
            R"(FxY0g8WpaZOMH_OpBHjVqI0cQZYL1o2B7t9Z9H986z1ROZHqt-mbZ_zZR4Yaatszfp5P1SlbB98xtj1W)"
            R"(UvtbGGeQgQbe2dnntZGtyLYtHW5UOUXkwWHZ4nkyMtS3abvIXEfHGXdiFYSh3Bzb6FdS7QV1V0LYlRRu)"
            R"(UQqewpayOs-weF37dJ5MP7AlGb-B3g"})",
            SerializeJson(sealed->envelope));
  Reservation res{
      p.transaction, p.product, BindingDigest(p.buyer.public_keys()), At(kNow + 900), {800, "EUR"}};
  auto answer = SealMessage(kReservationType, "POST /v1/reservations", res.ToJson(),
                            "clearinghouse", p.clearinghouse.x25519(),
                            p.merchant.public_keys().x25519, seal_random, sealed->enc);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(
      R"({"v":1,"sender":"clearinghouse","enc":"XScmAn4rjgRaaMSHGnN0iaQdYZ57dlsyqVLHWCU2ghk",)"
      R"("ct":"P4j4r2CHtscOAenXIZV-k1Gi-ACpyi2QzMX-sQWAdARo6BZ65W_S-ReESNVeBPv0SmpbMiVSJpUN)"
      R"(vIgrRDPxzVfzcc2Q7jZm4BikfaSbemkzrKy6ZCwQfueTKYudSEJUzExVTP-u5IRXDbAr5rFG_fbRuPRx)"
      R"(IEtYGqkTLyNR9Mgdo5NI8gmJUTFvJ-UMjLfYsEEGLEDwDX18OKgxFl_uCM-yxSl5TC2OM7wz0tOJzVO1)"
      R"(KLdm5Xpwz7gRuwxjvEMFG7yuPZDYAO2uPEgRr5sd92Iy3uuUvhoBY-4BL6z0D5HFD2oQUfGme3OPqcWS)"
      R"(nnNxOA"})",
      SerializeJson(answer->envelope));
}

TEST(KnownAnswerTest, Tokens) {
  Parties p;
  DeliveryTokenClaims d{p.transaction,
                        p.product,
                        BindingDigest(p.buyer.public_keys()),
                        crypto::Sha256(AsBytes("the product")),
                        11,
                        3,
                        At(kNow),
                        At(kNow + 86400)};
  EXPECT_EQ(
      "v4.public.eyJpc3MiOiJjbGVhcmluZ2hvdXNlIiwic3ViIjoidngzcTVvaHFpeTJxZGVrdDM3M2I2YjV3NGUiLC"
      "JhdWQiOiJkZWxpdmVyeSIsImV4cCI6IjIwMjYtMDktMjJUMTQ6MTM6MjBaIiwiaWF0IjoiMjAyNi0wOS0yMVQx"
      "NDoxMzoyMFoiLCJwcm9kdWN0X2lkIjoiZ3ZhamVrNzV5d2l2d3JuZ3V3b3JuNHd3Z2kiLCJiaW5kaW5nIjoiRn"
      "RvODJCS1JpTDFzRE9nQWVRNV9hZi1TSk9nTXFJNXNJeUYtdTBpSWNKdyIsImNvbnRlbnRfc2hhMjU2IjoiX2oy"
      "MEZzMXRrWnZBVmhFMnI3SXZpd21MdFBEOVBLckJ2X0hwNFFtc1NOQSIsImNvbnRlbnRfc2l6ZSI6MTEsImxpbW"
      "l0IjozfakqsIcFUNSH_vCnE0jpW8m5mCfNTGEKyplL1ZXQqQZcxA53zgO4jQYpXngVSM_Fc5WxvbILz0ROyCdP"
      "bfQxWgw",
      SignDeliveryToken(d, p.clearinghouse.ed25519()));
  PaymentAuthorizationClaims a{
      p.request, {1299, "EUR"}, "merchant-1", At(kNow), At(kNow + int64_t{7} * 86400)};
  EXPECT_EQ(
      "v4.public.eyJpc3MiOiJwYXltZW50Iiwic3ViIjoiNWt2cHV2bnF5eG9sZHlrM3B2dWZ6dG54bTQiLCJhdWQiOi"
      "JjbGVhcmluZ2hvdXNlIiwiZXhwIjoiMjAyNi0wOS0yOFQxNDoxMzoyMFoiLCJpYXQiOiIyMDI2LTA5LTIxVDE0"
      "OjEzOjIwWiIsImFtb3VudCI6MTI5OSwiY3VycmVuY3kiOiJFVVIiLCJtZXJjaGFudF9pZCI6Im1lcmNoYW50LT"
      "EifXM4r_LR5J0t8wO8MYy6hNzMqBCL0F5kjYH1HGi-qPzFoeaKy39vtFtF7O6_Sl5j5xxOxSbTb_WdHz0QQXnU"
      "fgM",
      SignPaymentAuthorization(a, p.merchant.ed25519()));
}

TEST(KnownAnswerTest, DownloadStream) {
  Parties p;
  DeterministicRandom stream_random(9);
  auto encoder =
      CreateDownloadEncoder(p.buyer.public_keys().x25519, p.transaction, stream_random, 4096);
  ASSERT_TRUE(encoder.ok());
  Bytes body;
  ASSERT_TRUE(encoder->Update(AsBytes("I am the walrus"), body).ok());
  ASSERT_TRUE(encoder->Finish(body).ok());
  EXPECT_EQ(
      "a187582f78b33643fe6b8e80a5f4561d"                                  // salt
      "00001000"                                                          // rs = 4096
      "20"                                                                // idlen = 32
      "32e54af709b7005b0f2988e23139967bbac8aae568d6f9aca0178f0dc669cc16"  // keyid = enc
      "bef228273d950f99f2bdc9226ef2ff0e1db0892ba4eba10ef356c32673da03bf",
      HexEncode(body));

  auto decoder = CreateDownloadDecoder(p.buyer.x25519(), p.transaction);
  ASSERT_TRUE(decoder.ok());
  Bytes plain;
  ASSERT_TRUE(decoder->Update(body, plain).ok());
  ASSERT_TRUE(decoder->Finish(plain).ok());
  EXPECT_EQ("I am the walrus", ToString(plain));
}

TEST(KnownAnswerTest, SignedRequests) {
  Parties p;
  FakeClock clock(kNow);
  std::string url = DownloadUrl("http://127.0.0.1:8084", p.transaction, "v4.public.tok");
  auto dl = SignDownloadRequest(url, p.buyer, clock);
  ASSERT_TRUE(dl.ok());
  ASSERT_EQ(3u, dl->size());
  EXPECT_EQ("Buyer-X25519: c9Oc3mxRhHEQmZFpJ2ugkXkZ4FVja2sYI-1bJTZ0ZVc",
            (*dl)[0].first + ": " + (*dl)[0].second);
  EXPECT_EQ(
      "Signature-Input: dl=(\"@method\" \"@target-uri\" \"buyer-x25519\");created=1790000000;"
      "alg=\"ed25519\";keyid=\"nKIGVDP1Cf1DvoS_HjTnipfo6dcKTE1W9rOH5qNNMyg\"",
      (*dl)[1].first + ": " + (*dl)[1].second);
  EXPECT_EQ(
      "Signature: dl=:502XAf+Yco5Fz/zpe9lQpjXde4vYnaoePFd1/hvTWx1pzfnj+rRFMYCmjKhuyEhUYiDWMslwDY07"
      "cgbGUkMCAw==:",
      (*dl)[2].first + ": " + (*dl)[2].second);

  const std::string body = R"({"request_id":"x"})";
  auto svc = SignServiceRequest("POST", "http://127.0.0.1:8083/v1/deliveries", AsBytes(body),
                                p.delivery.ed25519(), "delivery-1", clock);
  ASSERT_TRUE(svc.ok());
  ASSERT_EQ(3u, svc->size());
  EXPECT_EQ("Content-Digest: sha-256=:idy273fF6bSYJJ7pC1eyZ/EIhTOkz03oSuM3PmauURI=:",
            (*svc)[0].first + ": " + (*svc)[0].second);
  EXPECT_EQ(
      "Signature-Input: svc=(\"@method\" \"@target-uri\" \"content-digest\");"
      "created=1790000000;alg=\"ed25519\";keyid=\"delivery-1\"",
      (*svc)[1].first + ": " + (*svc)[1].second);
  EXPECT_EQ(
      "Signature: svc=:dhfCiBATz9kYJg6VRf5JlWcxZrQ2kEfsag8V84ugoEdnldFUCGowQHFVgAlsw69icq/uqDVwa9ld"
      "tcGIVan2DQ==:",
      (*svc)[2].first + ": " + (*svc)[2].second);
}

}  // namespace
}  // namespace backline::protocol
