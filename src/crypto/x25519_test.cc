// X25519 against RFC 7748 (the file's scalar-multiplication cases, the
// iterated case of section 5.2 and the section 6.1 exchange) and every
// Wycheproof case, each with an explicit expected outcome.
#include "crypto/x25519.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "crypto/vectors_testing.h"

namespace backline::crypto {
namespace {

namespace json = boost::json;
using ::backline::testing::ReadVectorFile;
using ::backline::testing::ReadVectorJson;
using ::backline::testing::Unhex;

constexpr size_t kRfc7748FileCases = 3;
constexpr size_t kWycheproofCases = 518;

using Block = ::backline::testing::CountBlock;
using ::backline::testing::ParseCountBlocks;

std::string Hex(const Result<SecretBytes>& r) {
  return r.ok() ? HexEncode(r->span()) : "error: " + r.status().ToString();
}

Bytes HexField(const json::object& o, std::string_view key) {
  return Unhex(std::string_view(o.at(key).as_string()));
}

bool HasFlag(const json::object& test, std::string_view flag) {
  const json::array& flags = test.at("flags").as_array();
  return std::any_of(flags.begin(), flags.end(),
                     [&](const json::value& f) { return f.as_string() == flag; });
}

TEST(X25519Test, RejectsWrongSizes) {
  EXPECT_FALSE(X25519(Bytes(31), Bytes(32)).ok());
  EXPECT_FALSE(X25519(Bytes(32), Bytes(33)).ok());
  EXPECT_FALSE(X25519KeyPair::FromPrivate(Bytes(16)).ok());
}

TEST(X25519Test, Rfc7748FileCases) {
  std::string text = ReadVectorFile("rfc/rfc7748.txt");
  std::vector<Block> blocks = ParseCountBlocks(text);
  size_t cases = 0;
  for (const Block& block : blocks) {
    SCOPED_TRACE("COUNT " + block.at("COUNT"));
    Result<SecretBytes> shared =
        X25519(Unhex(block.at("INPUT_SCALAR")), Unhex(block.at("INPUT_U")));
    EXPECT_EQ(block.at("OUTPUT_U"), Hex(shared));
    ++cases;
  }
  EXPECT_EQ(kRfc7748FileCases, cases);
}

// RFC 7748 section 5.2: start with k = u = 9, then repeatedly
// k, u := X25519(k, u), k. The file's COUNT = 3 is the first iteration; the
// RFC also publishes the value after 1,000 and after 1,000,000 iterations.
std::string IterateFromNine(int iterations) {
  Bytes k(kX25519KeySize, 0);
  k[0] = 9;
  Bytes u = k;
  for (int i = 0; i < iterations; ++i) {
    Result<SecretBytes> next = X25519(k, u);
    if (!next.ok()) return "error at iteration " + std::to_string(i);
    u = k;
    k.assign(next->span().begin(), next->span().end());
  }
  return HexEncode(k);
}

TEST(X25519Test, Rfc7748IteratedOnceAndAThousandTimes) {
  EXPECT_EQ("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079", IterateFromNine(1));
  EXPECT_EQ("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51",
            IterateFromNine(1000));
}

// About 30 s of CPU (it passes): run with --gtest_also_run_disabled_tests.
TEST(X25519Test, DISABLED_Rfc7748IteratedAMillionTimes) {
  EXPECT_EQ("7c3911e0ab2586fd864497297e575e6f3bc601c0883c30df5f4dd2d24f665424",
            IterateFromNine(1000000));
}

// RFC 7748 section 6.1: Alice and Bob derive their public keys and agree.
TEST(X25519Test, Rfc7748AliceAndBob) {
  Result<X25519KeyPair> alice = X25519KeyPair::FromPrivate(
      Unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  Result<X25519KeyPair> bob = X25519KeyPair::FromPrivate(
      Unhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
  ASSERT_TRUE(alice.ok());
  ASSERT_TRUE(bob.ok());
  EXPECT_EQ("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
            HexEncode(alice->public_key()));
  EXPECT_EQ("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
            HexEncode(bob->public_key()));
  const std::string shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
  EXPECT_EQ(shared, Hex(X25519(alice->private_key(), bob->public_key())));
  EXPECT_EQ(shared, Hex(X25519(bob->private_key(), alice->public_key())));
}

// Wycheproof's verdicts and how each is asserted:
//   "valid"       X25519 succeeds and returns exactly `shared`.
//   "acceptable"  RFC 7748 lets an implementation accept or reject these. Our
//                 policy is decided by the flags:
//                 - ZeroSharedSecret (every LowOrderPublic case has it): the
//                   result would be all zeros, which section 6.1 says to
//                   check for; X25519 must fail with InvalidArgument.
//                 - anything else (Twist, NonCanonicalPublic, SmallPublicKey
//                   with a non-zero result, edge cases): X25519 computes as
//                   RFC 7748 section 5 defines (top bit masked, u >= p
//                   taken mod p), so it must succeed and return exactly `shared`.
//   "invalid"     X25519 fails (the file has none today, but the rule holds).
TEST(X25519Test, WycheproofVerdicts) {
  json::value doc = ReadVectorJson("wycheproof/x25519_test.json");
  const std::string all_zero(2 * kX25519KeySize, '0');
  size_t cases = 0;
  size_t computed = 0;
  size_t rejected = 0;
  for (const json::value& group : doc.at("testGroups").as_array()) {
    ASSERT_EQ("curve25519", group.at("curve").as_string());
    for (const json::value& item : group.at("tests").as_array()) {
      const json::object& test = item.as_object();
      std::string_view result(test.at("result").as_string());
      std::string want(test.at("shared").as_string());
      SCOPED_TRACE("tcId " + std::to_string(test.at("tcId").as_int64()) + " (" +
                   std::string(test.at("comment").as_string()) + ")");
      ++cases;
      ASSERT_TRUE(result == "valid" || result == "acceptable" || result == "invalid")
          << "unexpected result " << result;

      // The flags must tell the whole story: an all-zero result is always
      // flagged, every low-order key gives one, and no valid case has one.
      bool zero_shared = HasFlag(test, "ZeroSharedSecret");
      ASSERT_EQ(want == all_zero, zero_shared);
      ASSERT_TRUE(zero_shared || !HasFlag(test, "LowOrderPublic"));
      ASSERT_TRUE(result != "valid" || !zero_shared);

      Result<SecretBytes> shared = X25519(HexField(test, "private"), HexField(test, "public"));
      bool must_reject = result == "invalid" || (result == "acceptable" && zero_shared);
      if (must_reject) {
        EXPECT_EQ(StatusCode::kInvalidArgument, shared.status().code()) << "got " << Hex(shared);
        ++rejected;
      } else {
        EXPECT_EQ(want, Hex(shared));
        ++computed;
      }
    }
  }
  EXPECT_EQ(static_cast<size_t>(doc.at("numberOfTests").as_int64()), cases);
  EXPECT_EQ(kWycheproofCases, cases);
  EXPECT_EQ(487u, computed);  // 264 valid + 223 acceptable with a non-zero result
  EXPECT_EQ(31u, rejected);   // the 31 ZeroSharedSecret cases
}

}  // namespace
}  // namespace backline::crypto
