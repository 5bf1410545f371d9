// HTTP messages as handlers see them: Headers, Request, Response, and the
// BodySource a streamed Response pulls its body from.
//
// These are plain values with no Boost.Beast in sight, so role code that
// builds requests and responses compiles quickly. The server (server.h) turns
// wire bytes into a Request and a Response back into wire bytes.
//
// Thread-safety: values; distinct objects may be used from different threads.
// A BodySource is used by one thread at a time (the connection's).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace backline::http {

// ASCII case-insensitive equality, as header names compare.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// An ordered list of header fields; names compare case-insensitively and a
// name may repeat. Values are kept as sent (no folding, no trimming beyond
// what the parser did).
class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  // Appends a field, keeping any existing ones of that name.
  void Add(std::string name, std::string value);
  // Replaces every field of that name with one field.
  void Set(std::string name, std::string value);
  void Remove(std::string_view name);

  // The first value of `name`, or nullopt. The view lives as long as the
  // field is not modified.
  std::optional<std::string_view> Get(std::string_view name) const;
  std::vector<std::string_view> GetAll(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }

  size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  std::vector<Field>::const_iterator begin() const { return fields_.begin(); }
  std::vector<Field>::const_iterator end() const { return fields_.end(); }

 private:
  std::vector<Field> fields_;
};

// One request, fully read (headers and body) before the handler runs.
struct Request {
  std::string method;  // as sent: "GET", "POST", ...
  std::string target;  // raw request-target: "/orders/7?expand=lines"
  std::string path;    // percent-decoded path: "/orders/7"
  // Percent-decoded query parameters in order; '+' decodes to a space. A key
  // without '=' has an empty value.
  std::vector<std::pair<std::string, std::string>> query;
  Headers headers;
  std::string body;
  // Values of the route's {name} segments, percent-decoded, in pattern order.
  std::vector<std::pair<std::string, std::string>> path_params;
  std::string route;           // the matched pattern: "/orders/{id}"
  std::string remote_address;  // "127.0.0.1:53422"
  // The caller's X-Request-Id when it is sane (1-64 of [A-Za-z0-9._-]),
  // otherwise a fresh random id. Echoed in the response's X-Request-Id.
  std::string request_id;

  // The first query value named `name`, or nullopt.
  std::optional<std::string_view> Query(std::string_view name) const;
  // The value of path parameter `name`; "" when the route has no such
  // parameter (a programming error: the router fills every one).
  std::string_view PathParam(std::string_view name) const;
  std::optional<std::string_view> Header(std::string_view name) const { return headers.Get(name); }
};

// A pull source for a streamed response body. The server calls Read() only
// after the previous chunk has been handed to the socket, so at most one
// chunk per connection is held in memory however slow the client.
class BodySource {
 public:
  virtual ~BodySource() = default;

  // The exact number of bytes Read() will produce, if known up front: the
  // response then carries Content-Length. nullopt: chunked encoding.
  virtual std::optional<uint64_t> Size() const = 0;

  // Fills a prefix of `out` (never empty) and returns how many bytes it
  // wrote; 0 means the body is complete. An error aborts the response: the
  // connection is closed so the client sees a truncated body, never a
  // well-formed short one. Runs on a server thread: it may do brief blocking
  // work (read a file, encrypt) but must not wait on the network.
  virtual Result<size_t> Read(std::span<uint8_t> out) = 0;
};

// A BodySource over bytes held in memory (tests, small generated bodies).
class StringBodySource final : public BodySource {
 public:
  // `chunked`: report an unknown size so the response is chunk-encoded.
  explicit StringBodySource(std::string data, bool chunked = false)
      : data_(std::move(data)), chunked_(chunked) {}
  std::optional<uint64_t> Size() const override;
  Result<size_t> Read(std::span<uint8_t> out) override;

 private:
  std::string data_;
  size_t offset_ = 0;
  bool chunked_;
};

// What a handler returns. Either `body` (sent with Content-Length) or
// `stream` (pulled chunk by chunk) carries the content; when `stream` is set,
// `body` is ignored. Move-only.
struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  std::unique_ptr<BodySource> stream;
  // Called exactly once when the server is done with this response, on a
  // server thread, before the connection serves its next request. OK means
  // every byte (status line, headers, whole body and, for chunked encoding,
  // the final chunk) was handed to the socket; any error (the client went
  // away or stalled past the write timeout, the source failed, the server was
  // stopped, the request was HEAD so no body was sent) means it was not.
  // Handed-to-the-socket is not received-by-the-client, but a delivery can
  // never be reported complete when it was cut short. Must not block.
  std::function<void(const Status&)> on_complete;

  // A plain text or other in-memory body with the given Content-Type.
  static Response Text(int status, std::string body,
                       std::string content_type = "text/plain; charset=utf-8");
  // A streamed body with the given Content-Type.
  static Response Stream(int status, std::unique_ptr<BodySource> source,
                         std::string content_type = "application/octet-stream");
  // No body at all (e.g. 204).
  static Response Empty(int status);
};

}  // namespace backline::http
