#include "base/config.h"

#include <gtest/gtest.h>

namespace backline {
namespace {

using std::chrono::milliseconds;

TEST(ConfigTest, FlattensTomlTablesAndArrays) {
  auto c = Config::ParseToml(R"(
name = "clearinghouse"
[http]
port = 8080
keep_alive = true
read_timeout = "30s"
[[merchants]]
name = "m1"
[[merchants]]
name = "m2"
)").value();
  EXPECT_EQ("clearinghouse", c.GetString("name", ""));
  EXPECT_EQ(8080, c.GetInt("http.port", 0).value());
  EXPECT_TRUE(c.GetBool("http.keep_alive", false).value());
  EXPECT_EQ(milliseconds(30000), c.GetDuration("http.read_timeout", milliseconds(0)).value());
  EXPECT_EQ("m2", c.GetString("merchants.1.name", ""));
  EXPECT_EQ(2u, c.KeysWithPrefix("merchants.").size());
}

TEST(ConfigTest, SyntaxErrorNamesTheLine) {
  auto r = Config::ParseToml("a = 1\nb = = 2\n", "role.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(std::string::npos, r.status().message().find("role.toml:2")) << r.status().ToString();
}

TEST(ConfigTest, LayersEnvironmentThenOverrides) {
  auto c = Config::ParseToml("[http]\nport = 1\n").value();
  std::string e1 = "BACKLINE_HTTP__PORT=2";
  std::string e2 = "BACKLINE_LOG__LEVEL=debug";
  std::string e3 = "BACKLINE_IGNORED=1";
  std::string e4 = "PATH=/bin";
  char* envp[] = {e1.data(), e2.data(), e3.data(), e4.data(), nullptr};
  c.ApplyEnvironment(envp);
  EXPECT_EQ(2, c.GetInt("http.port", 0).value());
  EXPECT_EQ("debug", c.GetString("log.level", "info"));
  EXPECT_FALSE(c.Has("ignored"));
  ASSERT_TRUE(c.ApplyOverride("http.port = 3").ok());
  EXPECT_EQ(3, c.GetInt("http.port", 0).value());
  EXPECT_FALSE(c.ApplyOverride("novalue").ok());
}

TEST(ConfigTest, TypedGettersNameTheBadKey) {
  Config c;
  c.Set("http.port", "eighty");
  c.Set("http.timeout", "5 parsecs");
  auto port = c.GetInt("http.port", 0);
  ASSERT_FALSE(port.ok());
  EXPECT_NE(std::string::npos, port.status().message().find("http.port"));
  EXPECT_FALSE(c.GetDuration("http.timeout", milliseconds(1)).ok());
  EXPECT_EQ(7, c.GetInt("absent", 7).value());
  EXPECT_FALSE(c.GetRequiredString("absent").ok());
}

TEST(ConfigTest, ParsesDurationsAndSizes) {
  EXPECT_EQ(milliseconds(250), ParseDuration("250ms").value());
  EXPECT_EQ(milliseconds(7LL * 86'400'000), ParseDuration("7d").value());
  EXPECT_EQ(milliseconds(5000), ParseDuration("5").value());
  EXPECT_FALSE(ParseDuration("5y").ok());
  EXPECT_EQ(1u << 20, ParseByteSize("1MiB").value());
  EXPECT_EQ(64u * 1024, ParseByteSize("64KiB").value());
  EXPECT_FALSE(ParseByteSize("MiB").ok());
}

}  // namespace
}  // namespace backline
