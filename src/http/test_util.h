// Test helpers for the http module: a blocking TCP socket that speaks raw
// bytes (to play slow, broken or hostile clients) and a small HTTP response
// parser for what it reads. Tests only; not part of backline_http.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace backline::http::testing {

struct ParsedResponse {
  int status = 0;
  Headers headers;
  std::string body;
};

// Parses one response from the front of `raw`: Content-Length, chunked, or
// (with `head`) header only. nullopt while incomplete or malformed;
// `*consumed` is set to the bytes used.
std::optional<ParsedResponse> ParseResponse(std::string_view raw, size_t* consumed,
                                            bool head = false);

// Every response in `raw`, in order (for HandleRawForTesting output).
std::vector<ParsedResponse> ParseResponses(std::string_view raw);

// A blocking client socket to 127.0.0.1.
class TestSocket {
 public:
  // `receive_buffer` sets SO_RCVBUF before connecting (0: default).
  explicit TestSocket(uint16_t port, int receive_buffer = 0);
  ~TestSocket();
  TestSocket(const TestSocket&) = delete;
  TestSocket& operator=(const TestSocket&) = delete;

  bool connected() const { return fd_ >= 0; }
  // False when the peer is gone.
  bool Send(std::string_view data);
  // One recv() of up to `max` bytes within `timeout`. Returns the bytes;
  // empty with *closed set when the peer closed or reset, empty with
  // *closed clear on timeout.
  std::string Receive(size_t max, std::chrono::milliseconds timeout, bool* closed = nullptr);
  // Reads until a whole response is buffered; nullopt on close or timeout.
  std::optional<ParsedResponse> ReadResponse(
      std::chrono::milliseconds timeout = std::chrono::seconds(5), bool head = false);
  // Reads and discards until the peer closes; false if still open after
  // `timeout`.
  bool WaitForClose(std::chrono::milliseconds timeout);
  void Close();

 private:
  int fd_ = -1;
  std::string pending_;
};

// A request for `path` with Host and the given extra header lines.
std::string GetRequest(std::string_view path, std::string_view extra_headers = "");

}  // namespace backline::http::testing
