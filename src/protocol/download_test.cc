#include "protocol/download.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "base/bytes.h"
#include "crypto/hpke.h"
#include "protocol/identity.h"

namespace backline::protocol {
namespace {

Bytes Plaintext(size_t n) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i * 131 + 7);
  return b;
}

// Encrypts `plaintext` in pieces of `chunk` bytes (0: all at once).
Bytes Encrypt(crypto::Aes128gcmEncoder& encoder, ByteSpan plaintext, size_t chunk = 0) {
  Bytes out;
  if (chunk == 0) chunk = std::max<size_t>(plaintext.size(), 1);
  for (size_t at = 0; at < plaintext.size(); at += chunk) {
    EXPECT_TRUE(
        encoder.Update(plaintext.subspan(at, std::min(chunk, plaintext.size() - at)), out).ok());
  }
  EXPECT_TRUE(encoder.Finish(out).ok());
  return out;
}

// Decrypts `body` in pieces of `chunk` bytes; the status of the first failure.
Result<Bytes> Decrypt(crypto::Aes128gcmDecoder& decoder, ByteSpan body, size_t chunk = 4096) {
  Bytes out;
  for (size_t at = 0; at < body.size(); at += chunk) {
    BL_RETURN_IF_ERROR(decoder.Update(body.subspan(at, std::min(chunk, body.size() - at)), out));
  }
  BL_RETURN_IF_ERROR(decoder.Finish(out));
  return out;
}

class DownloadTest : public ::testing::Test {
 protected:
  Bytes Encrypted(ByteSpan plaintext, uint32_t rs = kDownloadRecordSize, size_t chunk = 0) {
    auto encoder = CreateDownloadEncoder(buyer_.public_keys().x25519, txn_, random_, rs);
    EXPECT_TRUE(encoder.ok()) << encoder.status().ToString();
    return Encrypt(*encoder, plaintext, chunk);
  }
  Result<Bytes> Decrypted(ByteSpan body, const Identity& who, const Id& txn) {
    BL_ASSIGN_OR_RETURN(crypto::Aes128gcmDecoder decoder, CreateDownloadDecoder(who.x25519(), txn));
    return Decrypt(decoder, body);
  }

  DeterministicRandom random_{21};
  Identity buyer_ = Identity::Generate(random_);
  Identity other_buyer_ = Identity::Generate(random_);
  Id txn_ = Id::Random(random_);
};

TEST_F(DownloadTest, BuyerDecryptsWhatTheNodeEncrypted) {
  for (size_t n : {0, 1, 1000, 65519, 65520, 65521, 200000}) {
    Bytes plain = Plaintext(n);
    Bytes body = Encrypted(plain, kDownloadRecordSize, 10000);
    auto got = Decrypted(body, buyer_, txn_);
    ASSERT_TRUE(got.ok()) << n << ": " << got.status().ToString();
    EXPECT_EQ(plain, *got) << n;
  }
}

TEST_F(DownloadTest, HeaderCarriesSaltRecordSizeAndEncAsKeyId) {
  Bytes body = Encrypted(Plaintext(10), 4096);
  ASSERT_GE(body.size(), 53u);
  EXPECT_EQ(4096u, ReadU32(ByteSpan(body).subspan(16, 4)));
  EXPECT_EQ(32, body[20]);
  // The keyid is an HPKE enc: the buyer can open the context from it.
  ByteSpan enc = ByteSpan(body).subspan(21, 32);
  EXPECT_TRUE(crypto::HpkeSetupBaseRecipient(enc, buyer_.x25519(), DownloadInfo(txn_)).ok());
  Bytes info = DownloadInfo(txn_);
  EXPECT_EQ("backline v1 download", ToString(ByteSpan(info).first(20)));
  EXPECT_EQ(0, info[20]);
  EXPECT_EQ(txn_.ToBase32(), ToString(ByteSpan(info).subspan(21)));
}

TEST_F(DownloadTest, EveryDownloadHasItsOwnKey) {
  Bytes a = Encrypted(Plaintext(100));
  Bytes b = Encrypted(Plaintext(100));
  EXPECT_NE(Bytes(a.begin() + 21, a.begin() + 53), Bytes(b.begin() + 21, b.begin() + 53));
  EXPECT_NE(a, b);
}

TEST_F(DownloadTest, AnotherBuyersKeyCannotDecrypt) {
  Bytes body = Encrypted(Plaintext(5000));
  EXPECT_EQ(StatusCode::kUnauthenticated, Decrypted(body, other_buyer_, txn_).status().code());
}

TEST_F(DownloadTest, AnotherTransactionCannotDecrypt) {
  Bytes body = Encrypted(Plaintext(5000));
  DeterministicRandom r(99);
  EXPECT_EQ(StatusCode::kUnauthenticated, Decrypted(body, buyer_, Id::Random(r)).status().code());
}

TEST_F(DownloadTest, TamperedOrTruncatedStreamsFail) {
  Bytes body = Encrypted(Plaintext(300000), 65536);
  Bytes flipped = body;
  flipped[flipped.size() / 2] ^= 0x04;
  EXPECT_EQ(StatusCode::kUnauthenticated, Decrypted(flipped, buyer_, txn_).status().code());
  Bytes bad_enc = body;
  bad_enc[30] ^= 0x01;
  EXPECT_FALSE(Decrypted(bad_enc, buyer_, txn_).ok());
  Bytes cut(body.begin(), body.end() - 100);
  EXPECT_FALSE(Decrypted(cut, buyer_, txn_).ok());
  Bytes at_boundary(body.begin(), body.begin() + 53 + 65536);  // header + one whole record
  EXPECT_FALSE(Decrypted(at_boundary, buyer_, txn_).ok());
}

TEST_F(DownloadTest, KeyIdOfTheWrongSizeIsInvalidArgument) {
  crypto::Aes128gcmEncoderOptions options;
  options.key_id = Bytes(16, 7);
  auto encoder = crypto::Aes128gcmEncoder::Create(Bytes(32, 1), random_, options);
  ASSERT_TRUE(encoder.ok());
  Bytes body = Encrypt(*encoder, Plaintext(10));
  EXPECT_EQ(StatusCode::kInvalidArgument, Decrypted(body, buyer_, txn_).status().code());
}

TEST_F(DownloadTest, EncoderRefusesBadKeysAndRecordSizes) {
  EXPECT_EQ(StatusCode::kInvalidArgument,
            CreateDownloadEncoder(Bytes(31), txn_, random_).status().code());
  EXPECT_FALSE(CreateDownloadEncoder(buyer_.public_keys().x25519, txn_, random_, 17).ok());
  EXPECT_FALSE(
      CreateDownloadEncoder(buyer_.public_keys().x25519, txn_, random_, (1u << 20) + 1).ok());
}

// Content-Length must be exact: check the formula against the encoder for
// many sizes, around every record boundary, fed whole and in pieces.
TEST_F(DownloadTest, EncryptedSizeMatchesTheEncoderExactly) {
  for (uint32_t rs : {18u, 19u, 64u, 100u, 4096u, kDownloadRecordSize}) {
    const size_t d = rs - 17;
    std::vector<size_t> sizes = {0, 1, 2, 17, 100, 1000};
    for (size_t k : {1, 2, 3, 7}) {
      for (size_t delta : {0, 1, 2}) {
        sizes.push_back(k * d + delta);
        if (k * d >= delta) sizes.push_back(k * d - delta);
      }
    }
    for (size_t n : sizes) {
      if (rs < 64 && n > 2000) continue;
      Bytes plain = Plaintext(n);
      for (size_t chunk : {size_t{0}, size_t{1}, d, d + 1, size_t{777}}) {
        if (chunk == 1 && n > 5000) continue;
        Bytes body = Encrypted(plain, rs, chunk);
        ASSERT_EQ(body.size(), DownloadEncryptedSize(n, rs))
            << "rs=" << rs << " n=" << n << " chunk=" << chunk;
      }
    }
  }
  EXPECT_EQ(21u + 17u, EncryptedSize(0, 4096, 0));
  EXPECT_EQ(21u + 255u + 10u + 17u, EncryptedSize(10, 4096, 255));
  // 1 GiB in 64 KiB records: 16 392 records.
  const uint64_t gib = uint64_t{1} << 30;
  EXPECT_EQ(53u + gib + 17u * ((gib + 65518) / 65519), DownloadEncryptedSize(gib));
}

}  // namespace
}  // namespace backline::protocol
