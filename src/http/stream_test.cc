// Streamed responses over real sockets: backpressure (the source is pulled
// only as the socket drains), completion reporting, and the clients that
// read slowly, stop reading, or hang up.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "http/server.h"
#include "http/test_util.h"

namespace backline::http {
namespace {

using namespace std::chrono_literals;
using testing::GetRequest;
using testing::TestSocket;

constexpr size_t kChunk = 64 * 1024;

// Produces `total` bytes of a pattern (byte i is i % 251) and counts how many
// have been pulled.
class PatternSource final : public BodySource {
 public:
  PatternSource(uint64_t total, bool known_size, std::atomic<uint64_t>* pulled,
                uint64_t fail_at = UINT64_MAX)
      : total_(total), known_size_(known_size), pulled_(pulled), fail_at_(fail_at) {}

  std::optional<uint64_t> Size() const override {
    return known_size_ ? std::optional<uint64_t>(total_) : std::nullopt;
  }

  Result<size_t> Read(std::span<uint8_t> out) override {
    if (offset_ >= fail_at_) return DataLoss("content store read failed");
    size_t n = static_cast<size_t>(std::min<uint64_t>(out.size(), total_ - offset_));
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>((offset_ + i) % 251);
    offset_ += n;
    pulled_->fetch_add(n);
    return n;
  }

 private:
  uint64_t total_;
  bool known_size_;
  std::atomic<uint64_t>* pulled_;
  uint64_t fail_at_;
  uint64_t offset_ = 0;
};

// Where the body starts in `data`, or npos while the header is incomplete.
size_t BodyStart(const std::string& data) {
  size_t end = data.find("\r\n\r\n");
  return end == std::string::npos ? end : end + 4;
}

class StreamTest : public ::testing::Test {
 protected:
  void Start(uint64_t total, bool known_size, uint64_t fail_at = UINT64_MAX) {
    options_.name = "stream";
    options_.stream_chunk_bytes = kChunk;
    options_.socket_send_buffer_bytes = 64 * 1024;
    Router router;
    router.Get("/download", [=, this](const Request&) {
      Response r = Response::Stream(
          200, std::make_unique<PatternSource>(total, known_size, &pulled_, fail_at));
      r.on_complete = [this](const Status& s) { completed_.set_value(s); };
      return r;
    });
    server_ = std::make_unique<Server>(std::move(router), options_);
    Result<uint16_t> port = server_->Listen("127.0.0.1", 0);
    ASSERT_TRUE(port.ok());
    port_ = *port;
  }

  // The completion status, or nullopt if on_complete was not called in time.
  std::optional<Status> Completion(std::chrono::milliseconds timeout = 10s) {
    std::future<Status> f = completed_.get_future();
    if (f.wait_for(timeout) != std::future_status::ready) return std::nullopt;
    return f.get();
  }

  ServerOptions options_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
  std::atomic<uint64_t> pulled_{0};
  std::promise<Status> completed_;
};

TEST_F(StreamTest, SlowReaderOf64MiBKeepsServerMemoryBounded) {
  constexpr uint64_t kTotal = 64ull << 20;
  Start(kTotal, /*known_size=*/true);
  TestSocket s(port_, /*receive_buffer=*/64 * 1024);
  ASSERT_TRUE(s.Send(GetRequest("/download")));

  // What may sit between the source and this test: one chunk in the server,
  // the server's send buffer and our receive buffer (each doubled by the
  // kernel), plus slack. Far below the 64 MiB an unbounded server would pull.
  constexpr uint64_t kBound = 2 << 20;

  // Not reading at all for a while: the source must stop being pulled.
  std::this_thread::sleep_for(300ms);
  uint64_t pulled_while_stalled = pulled_.load();
  EXPECT_LE(pulled_while_stalled, kBound);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(pulled_while_stalled, pulled_.load()) << "source pulled with nowhere to put it";

  // Now read slowly and check the pattern as it comes.
  std::string head;
  uint64_t received = 0;
  uint64_t max_ahead = 0;
  size_t body_start = std::string::npos;
  bool pattern_ok = true;
  int reads = 0;
  while (received < kTotal) {
    bool closed = false;
    std::string piece = s.Receive(32 * 1024, 5s, &closed);
    ASSERT_FALSE(piece.empty()) << "stream ended after " << received << " bytes";
    if (body_start == std::string::npos) {
      head += piece;
      body_start = BodyStart(head);
      if (body_start == std::string::npos) continue;
      EXPECT_NE(std::string::npos, head.find("Content-Length: 67108864\r\n"));
      piece = head.substr(body_start);
    }
    for (size_t i = 0; i < piece.size() && pattern_ok; i += 4099) {
      pattern_ok = static_cast<uint8_t>(piece[i]) == (received + i) % 251;
    }
    received += piece.size();
    max_ahead = std::max(max_ahead, pulled_.load() - received);
    if (++reads % 64 == 0) std::this_thread::sleep_for(1ms);  // a slow reader
  }
  EXPECT_EQ(kTotal, received);
  EXPECT_TRUE(pattern_ok);
  EXPECT_LE(max_ahead, kBound) << "the server ran ahead of the client";
  std::optional<Status> done = Completion();
  ASSERT_TRUE(done.has_value());
  EXPECT_TRUE(done->ok()) << done->ToString();
  EXPECT_EQ(kTotal, pulled_.load());
}

TEST_F(StreamTest, UnknownSizeIsChunkedAndCompletes) {
  constexpr uint64_t kTotal = (4ull << 20) + 17;
  Start(kTotal, /*known_size=*/false);
  TestSocket s(port_);
  ASSERT_TRUE(s.Send(GetRequest("/download")));
  auto r = s.ReadResponse(20s);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ("chunked", r->headers.Get("Transfer-Encoding").value_or(""));
  ASSERT_EQ(kTotal, r->body.size());
  EXPECT_EQ((kTotal - 1) % 251, static_cast<uint8_t>(r->body.back()));
  for (size_t i = 0; i < r->body.size(); i += 9973) {
    ASSERT_EQ((i % 251), static_cast<uint8_t>(r->body[i]));
  }
  std::optional<Status> done = Completion();
  ASSERT_TRUE(done.has_value());
  EXPECT_TRUE(done->ok()) << done->ToString();
  // Keep-alive survives a streamed response.
  ASSERT_TRUE(s.Send(GetRequest("/healthz")));
  auto h = s.ReadResponse();
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(200, h->status);
}

TEST_F(StreamTest, ClientHangingUpMidStreamIsReportedAsFailure) {
  Start(64ull << 20, /*known_size=*/true);
  {
    TestSocket s(port_, 64 * 1024);
    ASSERT_TRUE(s.Send(GetRequest("/download")));
    uint64_t got = 0;
    while (got < (1u << 20)) {
      std::string piece = s.Receive(64 * 1024, 5s);
      ASSERT_FALSE(piece.empty());
      got += piece.size();
    }
  }  // closed with unread data: the server's next writes fail
  std::optional<Status> done = Completion();
  ASSERT_TRUE(done.has_value()) << "on_complete never called";
  EXPECT_FALSE(done->ok());
  EXPECT_EQ(StatusCode::kUnavailable, done->code()) << done->ToString();
  EXPECT_LT(pulled_.load(), 8ull << 20);
}

TEST_F(StreamTest, ClientThatStopsReadingIsCutOffByTheStallTimeout) {
  options_.write_stall_timeout = 300ms;
  Start(64ull << 20, /*known_size=*/true);
  TestSocket s(port_, 64 * 1024);
  ASSERT_TRUE(s.Send(GetRequest("/download")));
  auto start = std::chrono::steady_clock::now();
  std::optional<Status> done = Completion(5s);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(StatusCode::kDeadlineExceeded, done->code()) << done->ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_TRUE(s.WaitForClose(5s));
}

TEST_F(StreamTest, SourceFailureTruncatesAndReportsFailure) {
  Start(1 << 20, /*known_size=*/true, /*fail_at=*/256 * 1024);
  TestSocket s(port_);
  ASSERT_TRUE(s.Send(GetRequest("/download")));
  std::string all;
  while (true) {
    bool closed = false;
    std::string piece = s.Receive(64 * 1024, 5s, &closed);
    if (piece.empty()) {
      EXPECT_TRUE(closed);
      break;
    }
    all += piece;
  }
  size_t body = BodyStart(all);
  ASSERT_NE(std::string::npos, body);
  EXPECT_EQ(256u * 1024, all.size() - body);  // short of Content-Length: visibly truncated
  std::optional<Status> done = Completion();
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(StatusCode::kDataLoss, done->code());
}

TEST_F(StreamTest, HeadDoesNotPullTheSource) {
  Start(1 << 20, /*known_size=*/true);
  TestSocket s(port_);
  ASSERT_TRUE(s.Send("HEAD /download HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto r = s.ReadResponse(5s, /*head=*/true);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ("1048576", r->headers.Get("Content-Length").value_or(""));
  std::optional<Status> done = Completion();
  ASSERT_TRUE(done.has_value());
  EXPECT_FALSE(done->ok());
  EXPECT_EQ(0u, pulled_.load());
}

}  // namespace
}  // namespace backline::http
