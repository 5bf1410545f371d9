#include "node/node.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "http/client.h"

namespace backline::node {
namespace {

using http::Client;
using http::ClientRequest;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/node_test_XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Config TestConfig(const std::string& data_dir) {
  Config c;
  c.Set("http.port", "0");
  c.Set("data_dir", data_dir);
  return c;
}

class NodeTest : public ::testing::Test {
 protected:
  void StartWith(const std::vector<std::string>& roles) {
    auto started = Node::Start(TestConfig(dir_.path()), roles, clock_);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    node_ = std::move(started).value();
  }
  http::ClientResponse Get(const std::string& path) {
    auto r = client_.SendBlocking(ClientRequest::Get(node_->BaseUrl() + path));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : http::ClientResponse{};
  }

  TempDir dir_;
  FakeClock clock_{1'790'000'000};
  Client client_;
  std::unique_ptr<Node> node_;
};

TEST_F(NodeTest, StatusPageListsTheRolesItRuns) {
  StartWith({"payment", "licensing"});
  http::ClientResponse page = Get("/");
  EXPECT_EQ(200, page.status);
  EXPECT_EQ("text/html; charset=utf-8", page.headers.Get("Content-Type").value_or(""));
  EXPECT_NE(std::string::npos, page.body.find("Payment authority"));
  EXPECT_NE(std::string::npos, page.body.find("Licensing"));
  EXPECT_EQ(std::string::npos, page.body.find("Rights agent"));
  EXPECT_NE(std::string::npos, page.body.find("2026-09-21T"));  // the injected clock

  http::ClientResponse status = Get("/status");
  EXPECT_EQ(200, status.status);
  EXPECT_NE(std::string::npos, status.body.find(R"({"name":"payment")")) << status.body;
  EXPECT_NE(std::string::npos, status.body.find(R"({"name":"licensing")")) << status.body;
  EXPECT_EQ(std::string::npos, status.body.find(R"({"name":"rights")")) << status.body;
}

TEST_F(NodeTest, ServesHealthAndMetrics) {
  StartWith({"payment"});
  http::ClientResponse health = Get("/healthz");
  EXPECT_EQ(200, health.status);
  EXPECT_NE(std::string::npos, health.body.find(R"("status":"ok")"));
  EXPECT_NE(std::string::npos, health.body.find(R"("roles":["payment"])"));
  Get("/");
  http::ClientResponse metrics = Get("/metrics");
  EXPECT_EQ(200, metrics.status);
  EXPECT_NE(std::string::npos, metrics.body.find("backline_http_requests_total{"));
  EXPECT_NE(std::string::npos, metrics.body.find("route=\"/\""));
}

TEST_F(NodeTest, UnknownRouteGetsTheJsonError) {
  StartWith({"licensing"});
  http::ClientResponse missing = Get("/nope");
  EXPECT_EQ(404, missing.status);
  EXPECT_EQ(StatusCode::kNotFound, missing.ToStatus().code());
}

TEST_F(NodeTest, EachRoleOfSeveralGetsItsOwnServer) {
  StartWith({"payment", "licensing"});
  std::string payment = node_->RoleUrl("payment");
  ASSERT_FALSE(payment.empty());
  EXPECT_NE(node_->BaseUrl(), payment);
  EXPECT_EQ("", node_->RoleUrl("licensing"));  // listed, not built yet
  auto keys = client_.SendBlocking(ClientRequest::Get(payment + "/v1/keys"));
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(200, keys->status);
  EXPECT_NE(std::string::npos, keys->body.find("ed25519")) << keys->body;
  EXPECT_EQ(404, Get("/v1/keys").status);  // not on the node's own port
}

TEST_F(NodeTest, OneRoleSharesTheNodePort) {
  StartWith({"payment"});
  EXPECT_EQ(node_->BaseUrl(), node_->RoleUrl("payment"));
  EXPECT_EQ(200, Get("/v1/keys").status);
}

TEST_F(NodeTest, ADeliveryNodeWithoutAClearinghouseIsRefused) {
  auto started = Node::Start(TestConfig(dir_.path()), {"delivery", "payment"}, clock_);
  ASSERT_FALSE(started.ok());
  EXPECT_NE(std::string::npos, started.status().message().find("delivery."))
      << started.status().ToString();
}

TEST(NodeStartTest, RefusesBadRolesAndSettings) {
  TempDir dir;
  Config config = TestConfig(dir.path());
  auto unknown = Node::Start(config, {"merchant", "bank"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(std::string::npos, unknown.status().message().find("unknown role 'bank'"));

  EXPECT_FALSE(Node::Start(config, {}).ok());
  auto twice = Node::Start(config, {"rights", "rights"});
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(std::string::npos, twice.status().message().find("named twice"));

  config.Set("http.threads", "zero");
  auto bad = Node::Start(config, {"rights"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(std::string::npos, bad.status().message().find("http.threads"));
}

TEST(StatusPageTest, EscapesAndNeedsNoOutsideAssets) {
  RoleStatus odd{{"x", "<script>", "a & b", "1"}, "", false};
  std::string html = RenderStatusPage({odd}, "now");
  EXPECT_EQ(std::string::npos, html.find("<script>"));
  EXPECT_NE(std::string::npos, html.find("&lt;script&gt;"));
  EXPECT_NE(std::string::npos, html.find("a &amp; b"));
  EXPECT_EQ(std::string::npos, html.find("http://"));
  EXPECT_EQ(std::string::npos, html.find("https://"));
}

}  // namespace
}  // namespace backline::node
