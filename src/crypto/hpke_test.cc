#include "crypto/hpke.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "crypto/vectors_testing.h"

namespace backline::crypto {

// Reaches into a context to test the sequence-number limit without sealing
// 2^64 messages.
class HpkeTestPeer {
 public:
  static void SetSequence(HpkeContext& context, uint64_t seq) { context.seq_ = seq; }
};

namespace {

using testing::Unhex;

// Yields fixed bytes: pins the ephemeral key (its ikm) to a vector's ikmE.
class FixedRandom final : public RandomSource {
 public:
  explicit FixedRandom(Bytes bytes) : bytes_(std::move(bytes)) {}
  void Fill(std::span<uint8_t> out) override {
    ASSERT_LE(pos_ + out.size(), bytes_.size()) << "FixedRandom ran out of bytes";
    std::copy_n(bytes_.begin() + static_cast<ptrdiff_t>(pos_), out.size(), out.begin());
    pos_ += out.size();
  }

 private:
  Bytes bytes_;
  size_t pos_ = 0;
};

std::string Str(const boost::json::value& v, const char* key) {
  return std::string(v.as_object().at(key).as_string());
}
Bytes Hex(const boost::json::value& v, const char* key) { return Unhex(Str(v, key)); }

X25519KeyPair KeyPair(ByteSpan private_key) {
  return X25519KeyPair::FromPrivate(private_key).value();
}

const boost::json::array& Vectors() {
  static const boost::json::value kVectors =
      testing::ReadVectorJson("hpke/rfc9180-x25519-sha256-aes128gcm.json");
  return kVectors.as_array();
}

bool IsBaseOrAuth(const boost::json::value& v) {
  int64_t mode = v.as_object().at("mode").to_number<int64_t>();
  return mode == 0 || mode == 2;
}

TEST(HpkeTest, DeriveKeyPairMatchesRfcVectors) {
  int derived = 0;
  for (const auto& v : Vectors()) {
    if (!IsBaseOrAuth(v)) continue;
    std::vector<std::pair<const char*, const char*>> parties = {{"ikmR", "R"}, {"ikmE", "E"}};
    if (v.as_object().contains("ikmS")) parties.push_back({"ikmS", "S"});
    for (auto [ikm_name, who] : parties) {
      X25519KeyPair kp = HpkeDeriveKeyPair(Hex(v, ikm_name)).value();
      std::string sk = std::string("sk") + who + "m", pk = std::string("pk") + who + "m";
      EXPECT_EQ(Str(v, sk.c_str()), HexEncode(kp.private_key())) << ikm_name;
      EXPECT_EQ(Str(v, pk.c_str()), HexEncode(kp.public_key())) << ikm_name;
      ++derived;
    }
  }
  EXPECT_EQ(5, derived);  // R and E in both modes, S in auth mode
}

// Every encryption and export of the base and auth vectors, sealed by a
// sender whose ephemeral key is pinned to ikmE, opened by the recipient.
TEST(HpkeTest, RfcVectorsModesBaseAndAuth) {
  int vectors = 0, skipped = 0, encryptions = 0, exports = 0;
  for (const auto& v : Vectors()) {
    if (!IsBaseOrAuth(v)) {
      ++skipped;  // psk modes: not implemented
      continue;
    }
    ++vectors;
    const bool auth = v.as_object().at("mode").to_number<int64_t>() == 2;
    SCOPED_TRACE(auth ? "mode auth" : "mode base");
    Bytes info = Hex(v, "info");
    X25519KeyPair recipient = KeyPair(Hex(v, "skRm"));
    FixedRandom random(Hex(v, "ikmE"));

    std::optional<HpkeSenderSetup> sender;
    std::optional<HpkeRecipientContext> receiver;
    if (auth) {
      X25519KeyPair sender_key = KeyPair(Hex(v, "skSm"));
      sender.emplace(HpkeSetupAuthSender(recipient.public_key(), info, sender_key, random).value());
      receiver.emplace(
          HpkeSetupAuthRecipient(sender->enc, recipient, info, sender_key.public_key()).value());
      EXPECT_EQ(HpkeMode::kAuth, receiver->mode());
    } else {
      sender.emplace(HpkeSetupBaseSender(recipient.public_key(), info, random).value());
      receiver.emplace(HpkeSetupBaseRecipient(sender->enc, recipient, info).value());
      EXPECT_EQ(HpkeMode::kBase, receiver->mode());
    }
    ASSERT_EQ(Str(v, "enc"), HexEncode(sender->enc));

    for (const auto& e : v.as_object().at("encryptions").as_array()) {
      Bytes aad = Hex(e, "aad"), pt = Hex(e, "plaintext");
      ASSERT_EQ(Str(e, "ciphertext"), HexEncode(sender->context.Seal(aad, pt).value()))
          << "encryption " << encryptions;
      ASSERT_EQ(pt, receiver->Open(aad, Hex(e, "ciphertext")).value());
      ++encryptions;
    }
    EXPECT_EQ(257u, receiver->sequence());

    for (const auto& x : v.as_object().at("exports").as_array()) {
      Bytes context = Hex(x, "exporter_context");
      size_t length = static_cast<size_t>(x.as_object().at("L").to_number<int64_t>());
      EXPECT_EQ(Str(x, "exported_value"),
                HexEncode(sender->context.Export(context, length).value()));
      EXPECT_EQ(Str(x, "exported_value"), HexEncode(receiver->Export(context, length).value()));
      ++exports;
    }
  }
  EXPECT_EQ(2, vectors);
  EXPECT_EQ(2, skipped);
  EXPECT_EQ(2 * 257, encryptions);
  EXPECT_EQ(2 * 3, exports);
}

// --- Properties and failures, on fresh keys.

class HpkeFailureTest : public ::testing::Test {
 protected:
  DeterministicRandom random_{9180};
  X25519KeyPair recipient_ = X25519KeyPair::Generate(random_);
  X25519KeyPair sender_ = X25519KeyPair::Generate(random_);
  X25519KeyPair stranger_ = X25519KeyPair::Generate(random_);
  Bytes info_ = ToBytes("backline test");
  Bytes aad_ = ToBytes("purchase 42");
  Bytes message_ = ToBytes("the key to track 7");

  HpkeSealed SealBase() {
    return HpkeSealBase(recipient_.public_key(), info_, aad_, message_, random_).value();
  }
  HpkeSealed SealAuth() {
    return HpkeSealAuth(recipient_.public_key(), info_, aad_, message_, sender_, random_).value();
  }
};

TEST_F(HpkeFailureTest, SingleShotRoundTrips) {
  HpkeSealed base = SealBase();
  EXPECT_EQ(message_, HpkeOpenBase(base.enc, recipient_, info_, aad_, base.ciphertext).value());
  HpkeSealed auth = SealAuth();
  EXPECT_EQ(message_,
            HpkeOpenAuth(auth.enc, recipient_, info_, aad_, auth.ciphertext, sender_.public_key())
                .value());
  EXPECT_EQ(message_.size() + kHpkeTagSize, base.ciphertext.size());
  EXPECT_NE(base.enc, auth.enc);  // a fresh ephemeral key each time
}

TEST_F(HpkeFailureTest, WrongRecipientKeyFails) {
  HpkeSealed sealed = SealBase();
  Result<Bytes> opened = HpkeOpenBase(sealed.enc, stranger_, info_, aad_, sealed.ciphertext);
  EXPECT_EQ(StatusCode::kUnauthenticated, opened.status().code());
}

TEST_F(HpkeFailureTest, WrongSenderKeyInAuthModeFails) {
  HpkeSealed sealed = SealAuth();
  Result<Bytes> opened =
      HpkeOpenAuth(sealed.enc, recipient_, info_, aad_, sealed.ciphertext, stranger_.public_key());
  EXPECT_EQ(StatusCode::kUnauthenticated, opened.status().code());
}

TEST_F(HpkeFailureTest, AuthCiphertextDoesNotOpenInBaseModeNorViceVersa) {
  HpkeSealed auth = SealAuth();
  EXPECT_FALSE(HpkeOpenBase(auth.enc, recipient_, info_, aad_, auth.ciphertext).ok());
  HpkeSealed base = SealBase();
  EXPECT_FALSE(
      HpkeOpenAuth(base.enc, recipient_, info_, aad_, base.ciphertext, sender_.public_key()).ok());
}

TEST_F(HpkeFailureTest, TamperedCiphertextFails) {
  HpkeSealed sealed = SealBase();
  for (size_t i = 0; i < sealed.ciphertext.size(); ++i) {
    Bytes tampered = sealed.ciphertext;
    tampered[i] ^= 0x01;
    EXPECT_EQ(StatusCode::kUnauthenticated,
              HpkeOpenBase(sealed.enc, recipient_, info_, aad_, tampered).status().code())
        << "byte " << i;
  }
  Bytes truncated(sealed.ciphertext.begin(), sealed.ciphertext.end() - 1);
  EXPECT_FALSE(HpkeOpenBase(sealed.enc, recipient_, info_, aad_, truncated).ok());
}

TEST_F(HpkeFailureTest, TamperedEncFails) {
  HpkeSealed sealed = SealBase();
  sealed.enc[3] ^= 0x10;
  EXPECT_FALSE(HpkeOpenBase(sealed.enc, recipient_, info_, aad_, sealed.ciphertext).ok());
}

TEST_F(HpkeFailureTest, WrongAadFails) {
  HpkeSealed sealed = SealBase();
  Result<Bytes> opened =
      HpkeOpenBase(sealed.enc, recipient_, info_, ToBytes("purchase 43"), sealed.ciphertext);
  EXPECT_EQ(StatusCode::kUnauthenticated, opened.status().code());
}

TEST_F(HpkeFailureTest, WrongInfoFails) {
  HpkeSealed sealed = SealBase();
  EXPECT_FALSE(
      HpkeOpenBase(sealed.enc, recipient_, ToBytes("other"), aad_, sealed.ciphertext).ok());
}

TEST_F(HpkeFailureTest, MessagesOpenOnlyInOrderAndAFailureDoesNotAdvance) {
  HpkeSenderSetup s = HpkeSetupBaseSender(recipient_.public_key(), info_, random_).value();
  Bytes first = s.context.Seal(aad_, ToBytes("one")).value();
  Bytes second = s.context.Seal(aad_, ToBytes("two")).value();
  HpkeRecipientContext r = HpkeSetupBaseRecipient(s.enc, recipient_, info_).value();

  EXPECT_EQ(StatusCode::kUnauthenticated, r.Open(aad_, second).status().code());
  EXPECT_EQ(0u, r.sequence());
  EXPECT_EQ("one", ToString(r.Open(aad_, first).value()));
  EXPECT_EQ("two", ToString(r.Open(aad_, second).value()));
  EXPECT_FALSE(r.Open(aad_, second).ok());  // a replay
}

TEST_F(HpkeFailureTest, SequenceNumberOverflowIsRefused) {
  HpkeSenderSetup s = HpkeSetupBaseSender(recipient_.public_key(), info_, random_).value();
  HpkeRecipientContext r = HpkeSetupBaseRecipient(s.enc, recipient_, info_).value();
  const uint64_t last = std::numeric_limits<uint64_t>::max() - 1;
  HpkeTestPeer::SetSequence(s.context, last);
  HpkeTestPeer::SetSequence(r, last);

  Bytes ct = s.context.Seal(aad_, message_).value();  // the last nonce there is
  EXPECT_EQ(message_, r.Open(aad_, ct).value());
  EXPECT_EQ(StatusCode::kResourceExhausted, s.context.Seal(aad_, message_).status().code());
  EXPECT_EQ(StatusCode::kResourceExhausted, r.Open(aad_, ct).status().code());
}

TEST_F(HpkeFailureTest, ExportLengthIsLimited) {
  HpkeSenderSetup s = HpkeSetupBaseSender(recipient_.public_key(), info_, random_).value();
  EXPECT_EQ(kHpkeMaxExport, s.context.Export({}, kHpkeMaxExport).value().size());
  EXPECT_EQ(StatusCode::kInvalidArgument, s.context.Export({}, kHpkeMaxExport + 1).status().code());
}

TEST_F(HpkeFailureTest, MalformedKeysAreRejected) {
  Bytes short_key(31, 0x42);
  EXPECT_EQ(StatusCode::kInvalidArgument,
            HpkeSetupBaseSender(short_key, info_, random_).status().code());
  EXPECT_EQ(StatusCode::kInvalidArgument,
            HpkeSetupBaseRecipient(short_key, recipient_, info_).status().code());
  EXPECT_EQ(StatusCode::kInvalidArgument,
            HpkeSetupAuthRecipient(SealBase().enc, recipient_, info_, short_key).status().code());
  // The all-zero point has small order: the DH output would be all zeros.
  Bytes zero_point(32, 0);
  EXPECT_EQ(StatusCode::kInvalidArgument,
            HpkeSetupBaseSender(zero_point, info_, random_).status().code());
  EXPECT_EQ(StatusCode::kInvalidArgument,
            HpkeSetupBaseRecipient(zero_point, recipient_, info_).status().code());
  EXPECT_EQ(StatusCode::kInvalidArgument, HpkeDeriveKeyPair({}).status().code());
}

}  // namespace
}  // namespace backline::crypto
