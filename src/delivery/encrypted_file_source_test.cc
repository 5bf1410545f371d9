// The encrypted body alone: for sizes around the record boundaries and for
// server chunks larger and smaller than a record, the bytes produced are
// exactly Size() long and decrypt to the file.
#include "delivery/encrypted_file_source.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "base/random.h"
#include "protocol/download.h"
#include "protocol/identity.h"

namespace backline::delivery {
namespace {

std::string WriteFile(const std::string& dir, const Bytes& data) {
  std::string path = dir + "/content";
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  return path;
}

class EncryptedFileSourceTest : public ::testing::TestWithParam<std::tuple<size_t, size_t>> {};

TEST_P(EncryptedFileSourceTest, StreamsExactlySizeBytesThatDecryptToTheFile) {
  auto [file_size, chunk] = GetParam();
  std::string dir = ::testing::TempDir() + "backline_efs_XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  DeterministicRandom random(file_size + chunk);
  Bytes content(file_size);
  random.Fill(content);
  std::string path = WriteFile(dir, content);

  protocol::Identity buyer = protocol::Identity::Generate(random);
  Id txn = Id::Random(random);
  Result<ContentFile> file = ContentFile::Open(path, file_size);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  auto encoder = protocol::CreateDownloadEncoder(buyer.public_keys().x25519, txn, random);
  ASSERT_TRUE(encoder.ok());
  EncryptedFileSource source(*std::move(file), *std::move(encoder));
  ASSERT_EQ(source.Size(), protocol::DownloadEncryptedSize(file_size));

  auto decoder = protocol::CreateDownloadDecoder(buyer.x25519(), txn);
  ASSERT_TRUE(decoder.ok());
  Bytes buffer(chunk), plain;
  uint64_t total = 0;
  while (true) {
    Result<size_t> n = source.Read(buffer);
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    if (*n == 0) break;
    total += *n;
    ASSERT_TRUE(decoder->Update(ByteSpan(buffer.data(), *n), plain).ok());
  }
  ASSERT_TRUE(decoder->Finish(plain).ok());
  EXPECT_EQ(total, *source.Size());
  EXPECT_EQ(plain, content);
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(
    Sizes, EncryptedFileSourceTest,
    ::testing::Combine(::testing::Values(0, 1, 65518, 65519, 65520, 131038, 300000),
                       ::testing::Values(65536, 1000, 200000)));

TEST(ContentFileTest, WrongSizeIsDataLossAndMissingIsNotFound) {
  std::string dir = ::testing::TempDir() + "backline_cf_XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  std::string path = WriteFile(dir, Bytes(10, 1));
  EXPECT_EQ(ContentFile::Open(path, 11).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(ContentFile::Open(dir + "/nope", 1).status().code(), StatusCode::kNotFound);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace backline::delivery
