#include "payment/payment_keys.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace backline::payment {
namespace {

class PaymentKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = ::testing::TempDir() + "backline_payment_keys_XXXXXX";
    ASSERT_NE(nullptr, mkdtemp(templ.data()));
    dir_ = templ;
    path_ = dir_ + "/payment.key";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& text, mode_t mode) {
    std::ofstream(path_) << text;
    ASSERT_EQ(0, ::chmod(path_.c_str(), mode));
  }

  std::string dir_;
  std::string path_;
  DeterministicRandom random_{3};
};

TEST_F(PaymentKeysTest, CreatesAnOwnerOnlyFileOnFirstStartAndLoadsItAfter) {
  bool created = false;
  Result<PaymentKeys> first = LoadOrCreateKeyFile(path_, random_, &created);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(created);
  struct stat st {};
  ASSERT_EQ(0, ::stat(path_.c_str(), &st));
  EXPECT_EQ(0600u, st.st_mode & 0777);
  EXPECT_EQ(kCardKeySize, first->card_key.size());

  Result<PaymentKeys> second = LoadOrCreateKeyFile(path_, random_, &created);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(created);
  EXPECT_EQ(first->signing.public_key(), second->signing.public_key());
  EXPECT_TRUE(crypto::ConstantTimeEqual(first->card_key, second->card_key));
  // No temporary file is left next to it.
  EXPECT_EQ(1, std::distance(std::filesystem::directory_iterator(dir_),
                             std::filesystem::directory_iterator()));
}

TEST_F(PaymentKeysTest, TheTwoKeysAreIndependent) {
  PaymentKeys keys = GeneratePaymentKeys(random_);
  EXPECT_FALSE(crypto::ConstantTimeEqual(keys.signing.seed(), keys.card_key));
}

TEST_F(PaymentKeysTest, SerializeAndParseRoundTrip) {
  PaymentKeys keys = GeneratePaymentKeys(random_);
  Result<PaymentKeys> back = ParseKeyFile(SerializeKeyFile(keys));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(keys.signing.public_key(), back->signing.public_key());
  EXPECT_TRUE(crypto::ConstantTimeEqual(keys.card_key, back->card_key));
}

TEST_F(PaymentKeysTest, RefusesAFileOthersCanRead) {
  Write(SerializeKeyFile(GeneratePaymentKeys(random_)), 0644);
  Status s = LoadOrCreateKeyFile(path_, random_).status();
  EXPECT_EQ(StatusCode::kFailedPrecondition, s.code());
  EXPECT_NE(std::string::npos, s.message().find("chmod 600")) << s.message();
}

TEST_F(PaymentKeysTest, RefusesAMalformedFileWithoutQuotingIt) {
  const std::string secretish = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I";
  for (const std::string& text :
       {std::string("not json ") + secretish,
        R"({"kind":"backline-payment-keys","version":1,"ed25519_seed":")" + secretish + R"("})",
        std::string(R"({"kind":"other","version":1})"),
        std::string(R"({"kind":"backline-payment-keys","version":2})")}) {
    Write(text, 0600);
    Status s = LoadOrCreateKeyFile(path_, random_).status();
    EXPECT_EQ(StatusCode::kInvalidArgument, s.code()) << text;
    EXPECT_EQ(std::string::npos, s.message().find(secretish)) << s.message();
  }
}

TEST_F(PaymentKeysTest, AMissingFolderIsUnavailable) {
  EXPECT_EQ(StatusCode::kUnavailable,
            LoadOrCreateKeyFile(dir_ + "/missing/payment.key", random_).status().code());
}

}  // namespace
}  // namespace backline::payment
