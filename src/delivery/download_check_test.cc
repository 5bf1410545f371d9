// The delivery node's checks on a buyer's request, alone: each bad input is
// refused with the code the routes turn into its HTTP status.
#include "delivery/download_check.h"

#include <gtest/gtest.h>

#include "base/bytes.h"
#include "base/random.h"

namespace backline::delivery {
namespace {

using protocol::Identity;

constexpr std::string_view kPublicUrl = "http://dl.example:8084";

class DownloadCheckTest : public ::testing::Test {
 protected:
  DownloadCheckTest()
      : random_(7),
        clearinghouse_(Identity::Generate(random_)),
        buyer_(Identity::Generate(random_)),
        other_(Identity::Generate(random_)),
        txn_(Id::Random(random_)) {
    options_.clearinghouse_ed25519 = clearinghouse_.ed25519().public_key();
  }

  std::string Token(const Id& txn, std::chrono::seconds ttl = std::chrono::hours(24)) {
    protocol::DeliveryTokenClaims claims{.transaction_id = txn,
                                         .product_id = Id::Random(random_),
                                         .binding = protocol::BindingDigest(buyer_.public_keys()),
                                         .content_sha256 = crypto::Sha256(AsBytes("x")),
                                         .content_size = 1,
                                         .limit = 3,
                                         .issued_at = clock_.Now(),
                                         .expires_at = clock_.Now() + ttl};
    return protocol::SignDeliveryToken(claims, clearinghouse_.ed25519());
  }

  // The buyer signs `signed_url`; the node sees `received_target`.
  Result<VerifiedDownload> Check(const std::string& token, const Identity& signer,
                                 std::string_view tamper = "", bool sign = true) {
    std::string target = protocol::DownloadPath(txn_) + "?token=" + token;
    std::vector<protocol::HeaderField> headers;
    if (sign) {
      auto signed_headers = protocol::SignDownloadRequest(std::string(kPublicUrl) + target,
                                                          signer, clock_);
      EXPECT_TRUE(signed_headers.ok()) << signed_headers.status().ToString();
      headers = *signed_headers;
    }
    target += tamper;
    return CheckDownloadRequest(
        {.transaction_id = txn_.ToBase32(),
         .token = token,
         .signed_request = {.method = "GET",
                            .target_uri = TargetUri(kPublicUrl, target),
                            .headers = headers}},
        options_, clock_);
  }

  DeterministicRandom random_;
  FakeClock clock_;
  Identity clearinghouse_, buyer_, other_;
  Id txn_;
  DownloadCheckOptions options_;
};

TEST_F(DownloadCheckTest, AcceptsTheBuyersSignedRequest) {
  Result<VerifiedDownload> ok = Check(Token(txn_), buyer_);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->transaction_id, txn_);
  EXPECT_EQ(ok->buyer, buyer_.public_keys());
  EXPECT_EQ(ok->claims.limit, 3);
}

TEST_F(DownloadCheckTest, ExpiredTokenIsUnauthenticated) {
  std::string token = Token(txn_, std::chrono::seconds(10));
  clock_.Advance(std::chrono::minutes(5));
  EXPECT_EQ(Check(token, buyer_).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(DownloadCheckTest, AnotherTransactionsTokenIsDenied) {
  Result<VerifiedDownload> r = Check(Token(Id::Random(random_)), buyer_);
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << r.status().ToString();
}

TEST_F(DownloadCheckTest, AnotherKeyIsDenied) {
  Result<VerifiedDownload> r = Check(Token(txn_), other_);
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << r.status().ToString();
  EXPECT_NE(r.status().message().find("bound"), std::string::npos);
}

TEST_F(DownloadCheckTest, StaleSignatureIsUnauthenticated) {
  options_.max_signature_age = std::chrono::seconds(300);
  std::string token = Token(txn_);
  std::string target = protocol::DownloadPath(txn_) + "?token=" + token;
  auto headers = protocol::SignDownloadRequest(std::string(kPublicUrl) + target, buyer_, clock_);
  ASSERT_TRUE(headers.ok());
  clock_.Advance(std::chrono::seconds(301));
  Result<VerifiedDownload> r = CheckDownloadRequest(
      {.transaction_id = txn_.ToBase32(),
       .token = token,
       .signed_request = {.method = "GET",
                          .target_uri = TargetUri(kPublicUrl, target),
                          .headers = *headers}},
      options_, clock_);
  EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated) << r.status().ToString();
}

TEST_F(DownloadCheckTest, TamperedUrlIsUnauthenticated) {
  EXPECT_EQ(Check(Token(txn_), buyer_, "&x=1").status().code(), StatusCode::kUnauthenticated);
}

TEST_F(DownloadCheckTest, MissingSignatureIsUnauthenticated) {
  EXPECT_EQ(Check(Token(txn_), buyer_, "", /*sign=*/false).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(DownloadCheckTest, MissingTokenAndBadIdAreInvalid) {
  std::string id = txn_.ToBase32();
  DownloadRequest no_token{.transaction_id = id, .token = std::nullopt, .signed_request = {}};
  EXPECT_EQ(CheckDownloadRequest(no_token, options_, clock_).status().code(),
            StatusCode::kInvalidArgument);
  DownloadRequest bad_id{.transaction_id = "NOT-AN-ID", .token = "t", .signed_request = {}};
  EXPECT_EQ(CheckDownloadRequest(bad_id, options_, clock_).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ContentPathTest, ShardsByTheFirstTwoHexDigits) {
  crypto::Sha256Digest d = crypto::Sha256(AsBytes("abc"));
  EXPECT_EQ(ContentPath("/c/", d),
            "/c/ba/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(TargetUri("http://h:1/", "/v1/x?y"), "http://h:1/v1/x?y");
}

}  // namespace
}  // namespace backline::delivery
