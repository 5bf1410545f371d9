#include "protocol/identity.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/bytes.h"

namespace backline::protocol {
namespace {

namespace fs = std::filesystem;

class IdentityFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "backline-identity-XXXXXX").string();
    ASSERT_NE(nullptr, mkdtemp(tmpl.data()));
    dir_ = tmpl;
    path_ = (fs::path(dir_) / "identity.json").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string Read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  void Write(const std::string& text, mode_t mode = 0600) {
    { std::ofstream(path_, std::ios::trunc) << text; }
    ASSERT_EQ(0, chmod(path_.c_str(), mode));
  }
  size_t FilesInDir() const {
    return static_cast<size_t>(
        std::distance(fs::directory_iterator(dir_), fs::directory_iterator()));
  }

  DeterministicRandom random_{7};
  Identity identity_ = Identity::Generate(random_);
  std::string dir_;
  std::string path_;
};

TEST(PublicKeysTest, JsonRoundTrip) {
  DeterministicRandom random(1);
  PublicKeys keys = Identity::Generate(random).public_keys();
  boost::json::object json = keys.ToJson();
  EXPECT_EQ(Base64UrlEncode(keys.ed25519), json.at("ed25519").as_string());
  auto back = PublicKeys::FromJson(boost::json::parse(boost::json::serialize(json)));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(keys, *back);
}

TEST(PublicKeysTest, StrictFieldsNameTheField) {
  DeterministicRandom random(1);
  boost::json::object good = Identity::Generate(random).public_keys().ToJson();
  auto fails_naming = [](const boost::json::object& o, std::string_view field) {
    auto r = PublicKeys::FromJson(o, "buyer");
    ASSERT_EQ(StatusCode::kInvalidArgument, r.status().code());
    EXPECT_NE(std::string::npos, r.status().message().find("\"" + std::string(field) + "\""))
        << r.status().message();
  };
  boost::json::object o = good;
  o.erase("x25519");
  fails_naming(o, "x25519");
  o = good;
  o["ed25519"] = 5;
  fails_naming(o, "ed25519");
  o = good;
  o["ed25519"] = Base64UrlEncode(Bytes(31, 1));  // short key
  fails_naming(o, "ed25519");
  o = good;
  o["x25519"] = std::string(good.at("x25519").as_string()) + "=";  // padding
  fails_naming(o, "x25519");
  EXPECT_EQ(StatusCode::kInvalidArgument,
            PublicKeys::FromJson(boost::json::array{}).status().code());
  o = good;
  o["comment"] = "unknown fields are ignored";
  EXPECT_TRUE(PublicKeys::FromJson(o).ok());
}

TEST(BindingTest, IsTheHashOfLabelAndBothKeys) {
  PublicKeys keys;
  keys.ed25519.fill(0x11);
  keys.x25519.fill(0x22);
  std::string input("backline binding v1");
  input += '\0';
  input.append(32, '\x11');
  input.append(32, '\x22');
  EXPECT_EQ(Base64UrlEncode(crypto::Sha256(AsBytes(input))), BindingOf(keys));
  EXPECT_EQ(43u, BindingOf(keys).size());
  EXPECT_TRUE(BindingMatches(keys, BindingOf(keys)));

  PublicKeys other = keys;
  other.x25519[0] ^= 1;  // another buyer's X25519 key
  EXPECT_FALSE(BindingMatches(other, BindingOf(keys)));
  EXPECT_FALSE(BindingMatches(keys, "not base64url!"));
  EXPECT_FALSE(BindingMatches(keys, ""));
}

TEST(IdentityTest, GenerateIsDeterministicForASeed) {
  DeterministicRandom a(3), b(3), c(4);
  EXPECT_EQ(Identity::Generate(a).public_keys(), Identity::Generate(b).public_keys());
  EXPECT_FALSE(Identity::Generate(a).public_keys() == Identity::Generate(c).public_keys());
}

TEST(IdentityTest, FromSecretsRejectsWrongSizes) {
  EXPECT_FALSE(Identity::FromSecrets(Bytes(31), Bytes(32)).ok());
  EXPECT_FALSE(Identity::FromSecrets(Bytes(32), Bytes(33)).ok());
  EXPECT_TRUE(Identity::FromSecrets(Bytes(32, 1), Bytes(32, 2)).ok());
}

TEST_F(IdentityFileTest, SaveThenLoadGivesTheSameKeys) {
  ASSERT_TRUE(SaveIdentityFile(identity_, path_).ok());
  struct stat st {};
  ASSERT_EQ(0, stat(path_.c_str(), &st));
  EXPECT_EQ(0600u, st.st_mode & 07777);
  EXPECT_EQ(1u, FilesInDir()) << "no temporary file is left behind";

  auto loaded = LoadIdentityFile(path_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(identity_.public_keys(), loaded->public_keys());
  EXPECT_EQ(ToString(identity_.ed25519().seed()), ToString(loaded->ed25519().seed()));
  EXPECT_EQ(ToString(identity_.x25519().private_key()), ToString(loaded->x25519().private_key()));
}

TEST_F(IdentityFileTest, RefusesToOverwriteUnlessAsked) {
  ASSERT_TRUE(SaveIdentityFile(identity_, path_).ok());
  DeterministicRandom other_random(8);
  Identity other = Identity::Generate(other_random);
  EXPECT_EQ(StatusCode::kAlreadyExists, SaveIdentityFile(other, path_).code());
  EXPECT_EQ(identity_.public_keys(), LoadIdentityFile(path_)->public_keys());
  ASSERT_TRUE(SaveIdentityFile(other, path_, {.overwrite = true}).ok());
  EXPECT_EQ(other.public_keys(), LoadIdentityFile(path_)->public_keys());
  EXPECT_EQ(1u, FilesInDir());
}

TEST_F(IdentityFileTest, RefusesAFileOthersCanRead) {
  ASSERT_TRUE(SaveIdentityFile(identity_, path_).ok());
  for (mode_t mode : {0644, 0640, 0604, 0660, 0602}) {
    ASSERT_EQ(0, chmod(path_.c_str(), mode));
    auto loaded = LoadIdentityFile(path_);
    ASSERT_EQ(StatusCode::kFailedPrecondition, loaded.status().code()) << std::oct << mode;
    EXPECT_NE(std::string::npos, loaded.status().message().find(path_));
    EXPECT_NE(std::string::npos, loaded.status().message().find("chmod 600 " + path_));
  }
  ASSERT_EQ(0, chmod(path_.c_str(), 0400));
  EXPECT_TRUE(LoadIdentityFile(path_).ok());
}

TEST_F(IdentityFileTest, MissingFileAndDirectoryAreClearErrors) {
  auto missing = LoadIdentityFile(path_);
  EXPECT_EQ(StatusCode::kNotFound, missing.status().code());
  EXPECT_NE(std::string::npos, missing.status().message().find(path_));
  ASSERT_EQ(0, chmod(dir_.c_str(), 0700));
  EXPECT_EQ(StatusCode::kFailedPrecondition, LoadIdentityFile(dir_).status().code());
  EXPECT_EQ(StatusCode::kUnavailable,
            SaveIdentityFile(identity_, dir_ + "/no/such/dir/id.json").code());
}

TEST_F(IdentityFileTest, MalformedContentsNameTheField) {
  boost::json::object good = boost::json::parse(identity_.ToFileJson()).as_object();
  struct Case {
    const char* field;
    boost::json::value value;  // null: remove the field
  };
  const Case cases[] = {
      {"v", nullptr},
      {"v", 2},
      {"type", "something"},
      {"ed25519_seed", nullptr},
      {"ed25519_seed", 1},
      {"ed25519_seed", boost::json::string(Base64UrlEncode(Bytes(16, 1)))},
      {"x25519_private", "*"},
      {"ed25519", nullptr},
      {"x25519", boost::json::string(Base64UrlEncode(Bytes(3)))},
  };
  for (const Case& c : cases) {
    boost::json::object o = good;
    if (c.value.is_null()) {
      o.erase(c.field);
    } else {
      o[c.field] = c.value;
    }
    Write(boost::json::serialize(o));
    auto loaded = LoadIdentityFile(path_);
    ASSERT_EQ(StatusCode::kInvalidArgument, loaded.status().code()) << c.field;
    EXPECT_NE(std::string::npos, loaded.status().message().find(std::string("\"") + c.field))
        << loaded.status().message();
    EXPECT_NE(std::string::npos, loaded.status().message().find(path_));
  }
  Write("{not json");
  EXPECT_EQ(StatusCode::kInvalidArgument, LoadIdentityFile(path_).status().code());
  Write("[1,2]");
  EXPECT_EQ(StatusCode::kInvalidArgument, LoadIdentityFile(path_).status().code());
  Write(std::string(5000, ' '));
  EXPECT_EQ(StatusCode::kInvalidArgument, LoadIdentityFile(path_).status().code());
}

TEST_F(IdentityFileTest, PublicKeysThatDoNotMatchTheSecretsAreRefused) {
  boost::json::object o = boost::json::parse(identity_.ToFileJson()).as_object();
  DeterministicRandom other_random(9);
  o["x25519"] = Base64UrlEncode(Identity::Generate(other_random).public_keys().x25519);
  Write(boost::json::serialize(o));
  auto loaded = LoadIdentityFile(path_);
  EXPECT_EQ(StatusCode::kInvalidArgument, loaded.status().code());
  EXPECT_NE(std::string::npos, loaded.status().message().find("do not match"));
}

}  // namespace
}  // namespace backline::protocol
