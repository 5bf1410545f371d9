#include "http/router.h"

#include <gtest/gtest.h>

namespace backline::http {
namespace {

SyncHandler Named(std::string name) {
  return [name](const Request&) { return Response::Text(200, name); };
}

std::string Handled(const Router::Match& m) {
  if (m.kind != Router::Match::kFound) return "<none>";
  return m.route->sync_handler(Request{}).body;
}

TEST(RouterTest, MatchesLiteralsAndParameters) {
  Router r;
  ASSERT_TRUE(r.Add("GET", "/orders/{id}", Named("order")).ok());
  ASSERT_TRUE(r.Add("GET", "/ledger/entries/{start}", Named("entries")).ok());
  ASSERT_TRUE(r.Add("GET", "/", Named("root")).ok());

  Router::Match m = r.FindPath("GET", "/orders/7");
  ASSERT_EQ(Router::Match::kFound, m.kind);
  EXPECT_EQ("order", Handled(m));
  EXPECT_EQ("/orders/{id}", m.route->pattern);
  ASSERT_EQ(1u, m.params.size());
  EXPECT_EQ("id", m.params[0].first);
  EXPECT_EQ("7", m.params[0].second);

  m = r.FindPath("GET", "/ledger/entries/1024");
  EXPECT_EQ("entries", Handled(m));
  EXPECT_EQ("1024", m.params.at(0).second);
  EXPECT_EQ("root", Handled(r.FindPath("GET", "/")));
}

TEST(RouterTest, SeveralParameters) {
  Router r;
  ASSERT_TRUE(r.Add("GET", "/releases/{release}/tracks/{track}", Named("track")).ok());
  Router::Match m = r.FindPath("GET", "/releases/r1/tracks/t9");
  ASSERT_EQ(Router::Match::kFound, m.kind);
  ASSERT_EQ(2u, m.params.size());
  EXPECT_EQ(std::make_pair(std::string("release"), std::string("r1")), m.params[0]);
  EXPECT_EQ(std::make_pair(std::string("track"), std::string("t9")), m.params[1]);
}

TEST(RouterTest, NotFoundIsNotMethodNotAllowed) {
  Router r;
  ASSERT_TRUE(r.Add("GET", "/orders/{id}", Named("show")).ok());
  ASSERT_TRUE(r.Add("DELETE", "/orders/{id}", Named("cancel")).ok());

  EXPECT_EQ(Router::Match::kNotFound, r.FindPath("GET", "/nothing").kind);
  EXPECT_EQ(Router::Match::kNotFound, r.FindPath("GET", "/orders").kind);
  EXPECT_EQ(Router::Match::kNotFound, r.FindPath("GET", "/orders/7/extra").kind);

  Router::Match m = r.FindPath("POST", "/orders/7");
  EXPECT_EQ(Router::Match::kMethodNotAllowed, m.kind);
  EXPECT_EQ("DELETE, GET, HEAD", m.allow);
}

TEST(RouterTest, LiteralBeatsParameterWhateverTheOrder) {
  Router r;
  ASSERT_TRUE(r.Add("GET", "/orders/{id}", Named("by-id")).ok());
  ASSERT_TRUE(r.Add("GET", "/orders/recent", Named("recent")).ok());
  EXPECT_EQ("recent", Handled(r.FindPath("GET", "/orders/recent")));
  EXPECT_EQ("by-id", Handled(r.FindPath("GET", "/orders/recent2")));
}

TEST(RouterTest, FallsThroughToParameterForOtherMethods) {
  Router r;
  ASSERT_TRUE(r.Add("POST", "/orders/new", Named("create")).ok());
  ASSERT_TRUE(r.Add("GET", "/orders/{id}", Named("show")).ok());
  EXPECT_EQ("show", Handled(r.FindPath("GET", "/orders/new")));
  EXPECT_EQ("create", Handled(r.FindPath("POST", "/orders/new")));
}

TEST(RouterTest, HeadUsesGetUnlessItHasItsOwn) {
  Router r;
  ASSERT_TRUE(r.Add("GET", "/a", Named("get-a")).ok());
  ASSERT_TRUE(r.Add("GET", "/b", Named("get-b")).ok());
  ASSERT_TRUE(r.Add("HEAD", "/b", Named("head-b")).ok());
  EXPECT_EQ("get-a", Handled(r.FindPath("HEAD", "/a")));
  EXPECT_EQ("head-b", Handled(r.FindPath("HEAD", "/b")));
}

TEST(RouterTest, TailParameterTakesTheRest) {
  Router r;
  ASSERT_TRUE(r.Add("GET", "/content/{path...}", Named("content")).ok());
  Router::Match m = r.FindPath("GET", "/content/a/b/c.flac");
  ASSERT_EQ(Router::Match::kFound, m.kind);
  EXPECT_EQ("a/b/c.flac", m.params.at(0).second);
  EXPECT_EQ(Router::Match::kNotFound, r.FindPath("GET", "/content").kind);
}

TEST(RouterTest, EmptySegmentsAndTrailingSlashes) {
  Router r;
  ASSERT_TRUE(r.Add("GET", "/orders/{id}", Named("show")).ok());
  ASSERT_TRUE(r.Add("GET", "/orders", Named("list")).ok());
  EXPECT_EQ(Router::Match::kNotFound, r.FindPath("GET", "/orders/").kind);
  EXPECT_EQ(Router::Match::kNotFound, r.FindPath("GET", "/orders//x").kind);
  EXPECT_EQ("list", Handled(r.FindPath("GET", "/orders")));
}

TEST(RouterTest, DecodedSegmentsMayContainSlashes) {
  Router r;
  ASSERT_TRUE(r.Add("GET", "/files/{name}", Named("file")).ok());
  std::vector<std::string> segments = {"files", "a/b"};
  Router::Match m = r.Find("GET", segments);
  ASSERT_EQ(Router::Match::kFound, m.kind);
  EXPECT_EQ("a/b", m.params.at(0).second);
}

TEST(RouterTest, RejectsBadPatternsAndDuplicates) {
  Router r;
  EXPECT_EQ(StatusCode::kInvalidArgument, r.Add("GET", "orders", Named("x")).code());
  EXPECT_EQ(StatusCode::kInvalidArgument, r.Add("GET", "/a/{", Named("x")).code());
  EXPECT_EQ(StatusCode::kInvalidArgument, r.Add("GET", "/a/{}", Named("x")).code());
  EXPECT_EQ(StatusCode::kInvalidArgument, r.Add("GET", "/a/{1x}", Named("x")).code());
  EXPECT_EQ(StatusCode::kInvalidArgument, r.Add("GET", "/a/{x}/{x}", Named("x")).code());
  EXPECT_EQ(StatusCode::kInvalidArgument, r.Add("GET", "/a/{rest...}/b", Named("x")).code());
  EXPECT_EQ(StatusCode::kInvalidArgument, r.Add("GET", "/a/b}c", Named("x")).code());
  EXPECT_EQ(StatusCode::kInvalidArgument, r.Add("get", "/a", Named("x")).code());
  EXPECT_EQ(StatusCode::kInvalidArgument, r.Add("GET", "/a", SyncHandler()).code());

  ASSERT_TRUE(r.Add("GET", "/a/{x}", Named("x")).ok());
  EXPECT_EQ(StatusCode::kAlreadyExists, r.Add("GET", "/a/{y}", Named("y")).code());
  EXPECT_TRUE(r.Add("PUT", "/a/{y}", Named("y")).ok());
  EXPECT_TRUE(r.Has("GET", "/a/{x}"));
  EXPECT_FALSE(r.Has("GET", "/a/{y}"));
}

TEST(RouterTest, ShorthandsAcceptPlainAndCoroutineHandlers) {
  Router r;
  r.Get("/plain", [](const Request&) { return Response::Empty(204); });
  r.Post("/coro", [](const Request&) -> boost::asio::awaitable<Response> {
    co_return Response::Empty(202);
  });
  Router::Match plain = r.FindPath("GET", "/plain");
  ASSERT_EQ(Router::Match::kFound, plain.kind);
  EXPECT_TRUE(plain.route->sync_handler);
  Router::Match coro = r.FindPath("POST", "/coro");
  ASSERT_EQ(Router::Match::kFound, coro.kind);
  EXPECT_TRUE(coro.route->async_handler);
}

TEST(RouterDeathTest, ShorthandAbortsOnBadPattern) {
  Router r;
  EXPECT_DEATH(r.Get("no-slash", Named("x")), "route pattern must start with");
}

}  // namespace
}  // namespace backline::http
