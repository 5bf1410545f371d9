// The `backline` binary as a user runs it: a real process, real flags, real
// signals.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "http/client.h"
#include "tests/e2e/process.h"

namespace backline {
namespace {

using testing::Process;
using testing::TempDir;

std::string UrlFrom(const std::string& output) {
  const std::string marker = "listening on ";
  size_t at = output.find(marker);
  if (at == std::string::npos) return "";
  size_t end = output.find('\n', at);
  return output.substr(at + marker.size(), end - at - marker.size());
}

TEST(BinaryTest, ServesRolesUntilSigterm) {
  TempDir dir;
  Process p(BACKLINE_BINARY, {"serve", "payment", "rights", "--port", "0", "--log-level", "warn", "--data-dir",
             dir.path()});
  ASSERT_TRUE(p.started());
  std::string out = p.ReadUntil("listening on", std::chrono::seconds(20));
  std::string url = UrlFrom(out);
  ASSERT_FALSE(url.empty()) << out;
  EXPECT_NE(std::string::npos, out.find("serving payment, rights"));

  http::Client client;
  auto health = client.SendBlocking(http::ClientRequest::Get(url + "/healthz"));
  ASSERT_TRUE(health.ok()) << health.status().ToString();
  EXPECT_EQ(200, health->status);
  auto page = client.SendBlocking(http::ClientRequest::Get(url + "/"));
  ASSERT_TRUE(page.ok());
  EXPECT_NE(std::string::npos, page->body.find("Payment authority"));
  // The payment authority runs on its own port, announced on stdout.
  size_t at = out.find("payment at ");
  ASSERT_NE(std::string::npos, at) << out;
  std::string payment = out.substr(at + 11, out.find('\n', at) - at - 11);
  auto keys = client.SendBlocking(http::ClientRequest::Get(payment + "/v1/keys"));
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(200, keys->status);

  p.Signal(SIGTERM);
  EXPECT_EQ(0, p.Wait(std::chrono::seconds(15)));
}

TEST(BinaryTest, DemoRunsEveryRole) {
  TempDir dir;
  Process p(BACKLINE_BINARY, {"demo", "--port", "0", "--log-level", "warn", "--data-dir", dir.path()});
  std::string out = p.ReadUntil("listening on", std::chrono::seconds(20));
  EXPECT_NE(std::string::npos,
            out.find("serving merchant, payment, clearinghouse, delivery, licensing, rights"))
      << out;
  p.Signal(SIGINT);
  EXPECT_EQ(0, p.Wait(std::chrono::seconds(15)));
}

TEST(BinaryTest, UnknownRoleIsAClearError) {
  Process p(BACKLINE_BINARY, {"serve", "bank", "--port", "0"});
  std::string out = p.ReadUntil("\n", std::chrono::seconds(20));
  EXPECT_EQ(1, p.Wait(std::chrono::seconds(15)));
  EXPECT_NE(std::string::npos, out.find("unknown role 'bank'")) << out;
}

TEST(BinaryTest, BadSettingNamesTheKey) {
  Process p(BACKLINE_BINARY, {"serve", "rights", "--set", "http.idle_timeout=soon"});
  std::string out = p.ReadUntil("\n", std::chrono::seconds(20));
  EXPECT_EQ(1, p.Wait(std::chrono::seconds(15)));
  EXPECT_NE(std::string::npos, out.find("http.idle_timeout")) << out;
}

TEST(BinaryTest, EverySubcommandHasHelp) {
  for (const char* sub : {"demo", "serve"}) {
    Process p(BACKLINE_BINARY, {sub, "--help"});
    std::string out = p.ReadUntil("--log-json", std::chrono::seconds(20));
    EXPECT_EQ(0, p.Wait(std::chrono::seconds(15))) << sub;
    EXPECT_NE(std::string::npos, out.find("--config")) << sub << ": " << out;
  }
}

}  // namespace
}  // namespace backline
