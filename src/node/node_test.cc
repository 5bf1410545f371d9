#include "node/node.h"

#include <gtest/gtest.h>

#include "http/client.h"

namespace backline::node {
namespace {

using http::Client;
using http::ClientRequest;

Config TestConfig() {
  Config c;
  c.Set("http.port", "0");
  return c;
}

class NodeTest : public ::testing::Test {
 protected:
  void StartWith(const std::vector<std::string>& roles) {
    auto started = Node::Start(TestConfig(), roles, clock_);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    node_ = std::move(started).value();
  }
  http::ClientResponse Get(const std::string& path) {
    auto r = client_.SendBlocking(ClientRequest::Get(node_->BaseUrl() + path));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : http::ClientResponse{};
  }

  FakeClock clock_{1'790'000'000};
  Client client_;
  std::unique_ptr<Node> node_;
};

TEST_F(NodeTest, StatusPageListsTheRolesItRuns) {
  StartWith({"merchant", "delivery"});
  http::ClientResponse page = Get("/");
  EXPECT_EQ(200, page.status);
  EXPECT_EQ("text/html; charset=utf-8", page.headers.Get("Content-Type").value_or(""));
  EXPECT_NE(std::string::npos, page.body.find("Merchant storefront"));
  EXPECT_NE(std::string::npos, page.body.find("Delivery node"));
  EXPECT_EQ(std::string::npos, page.body.find("Rights agent"));
  EXPECT_NE(std::string::npos, page.body.find("2026-09-21T"));  // the injected clock

  http::ClientResponse status = Get("/status");
  EXPECT_EQ(200, status.status);
  EXPECT_NE(std::string::npos, status.body.find(R"("roles":["merchant","delivery"])"))
      << status.body;
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

TEST(NodeStartTest, RefusesBadRolesAndSettings) {
  Config config = TestConfig();
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
  RoleInfo odd{"x", "<script>", "a & b", "1"};
  std::string html = RenderStatusPage({odd}, "now");
  EXPECT_EQ(std::string::npos, html.find("<script>"));
  EXPECT_NE(std::string::npos, html.find("&lt;script&gt;"));
  EXPECT_NE(std::string::npos, html.find("a &amp; b"));
  EXPECT_EQ(std::string::npos, html.find("http://"));
  EXPECT_EQ(std::string::npos, html.find("https://"));
}

}  // namespace
}  // namespace backline::node
