#include "http/test_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <vector>

namespace backline::http::testing {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::optional<ParsedResponse> ParseResponse(std::string_view raw, size_t* consumed, bool head) {
  size_t end = raw.find("\r\n\r\n");
  if (end == std::string_view::npos) return std::nullopt;
  std::string_view head_text = raw.substr(0, end);
  ParsedResponse r;
  size_t line_end = head_text.find("\r\n");
  std::string_view status_line = head_text.substr(0, line_end);
  if (status_line.size() < 12 || !status_line.starts_with("HTTP/1.")) return std::nullopt;
  r.status = std::atoi(std::string(status_line.substr(9, 3)).c_str());
  while (line_end != std::string_view::npos) {
    size_t start = line_end + 2;
    line_end = head_text.find("\r\n", start);
    std::string_view line = head_text.substr(
        start, line_end == std::string_view::npos ? std::string_view::npos : line_end - start);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    r.headers.Add(std::string(line.substr(0, colon)), std::string(value));
  }
  size_t pos = end + 4;
  bool bodiless = head || r.status == 204 || r.status == 304 || r.status / 100 == 1;
  auto te = r.headers.Get("Transfer-Encoding");
  if (bodiless) {
    // nothing
  } else if (te && Lower(*te).find("chunked") != std::string::npos) {
    while (true) {
      size_t eol = raw.find("\r\n", pos);
      if (eol == std::string_view::npos) return std::nullopt;
      size_t size = std::strtoull(std::string(raw.substr(pos, eol - pos)).c_str(), nullptr, 16);
      pos = eol + 2;
      if (size == 0) {
        if (raw.substr(pos, 2) != "\r\n") return std::nullopt;  // no trailers expected
        pos += 2;
        break;
      }
      if (raw.size() < pos + size + 2) return std::nullopt;
      r.body.append(raw.substr(pos, size));
      pos += size + 2;
    }
  } else if (auto cl = r.headers.Get("Content-Length")) {
    size_t n = std::strtoull(std::string(*cl).c_str(), nullptr, 10);
    if (raw.size() < pos + n) return std::nullopt;
    r.body = std::string(raw.substr(pos, n));
    pos += n;
  }
  *consumed = pos;
  return r;
}

std::vector<ParsedResponse> ParseResponses(std::string_view raw) {
  std::vector<ParsedResponse> out;
  size_t used = 0;
  while (auto r = ParseResponse(raw, &used)) {
    out.push_back(std::move(*r));
    raw.remove_prefix(used);
  }
  return out;
}

TestSocket::TestSocket(uint16_t port, int receive_buffer) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  if (receive_buffer > 0) {
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) Close();
}

TestSocket::~TestSocket() { Close(); }

void TestSocket::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool TestSocket::Send(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string TestSocket::Receive(size_t max, std::chrono::milliseconds timeout, bool* closed) {
  if (closed != nullptr) *closed = false;
  if (!pending_.empty()) {
    std::string out = pending_.substr(0, max);
    pending_.erase(0, out.size());
    return out;
  }
  pollfd p{fd_, POLLIN, 0};
  int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (ready <= 0) return {};
  std::string buf(max, '\0');
  ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
  if (n <= 0) {
    if (closed != nullptr) *closed = true;
    return {};
  }
  buf.resize(static_cast<size_t>(n));
  return buf;
}

std::optional<ParsedResponse> TestSocket::ReadResponse(std::chrono::milliseconds timeout,
                                                       bool head) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string data = std::move(pending_);
  pending_.clear();
  while (true) {
    size_t used = 0;
    if (auto r = ParseResponse(data, &used, head)) {
      pending_ = data.substr(used);
      return r;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    bool closed = false;
    std::string more = Receive(64 * 1024, left, &closed);
    if (more.empty()) break;
    data += more;
  }
  pending_ = std::move(data);
  return std::nullopt;
}

bool TestSocket::WaitForClose(std::chrono::milliseconds timeout) {
  pending_.clear();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    bool closed = false;
    Receive(64 * 1024, std::max(left, std::chrono::milliseconds(1)), &closed);
    if (closed) return true;
  }
  return false;
}

std::string GetRequest(std::string_view path, std::string_view extra_headers) {
  std::string r = "GET ";
  r += path;
  r += " HTTP/1.1\r\nHost: test\r\n";
  r += extra_headers;
  r += "\r\n";
  return r;
}

}  // namespace backline::http::testing
