#include "client/curl_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>


namespace backline::client {

namespace {

constexpr size_t kMaxBufferedBody = size_t{16} << 20;

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

// State shared with curl's callbacks for one transfer.
struct Transfer {
  CURL* curl = nullptr;
  ResponseSink* sink = nullptr;
  HeaderList headers{};  // of the latest response (1xx responses are discarded)
  bool started = false;
  Status sink_error{};

  // Tells the sink about the response once, before its first body byte.
  Status Start() {
    if (started) return sink_error;
    started = true;
    long status = 0;  // NOLINT(google-runtime-int): curl's type
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    sink_error = sink->OnResponse(static_cast<int>(status), headers);
    return sink_error;
  }
};

size_t OnHeaderLine(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    t->headers.clear();  // a new response (after 100 Continue, say)
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    t->headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  return size * count;
}

size_t OnBodyData(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (!t->Start().ok()) return 0;
  t->sink_error = t->sink->OnBody(ByteSpan(reinterpret_cast<const uint8_t*>(data), n));
  return t->sink_error.ok() ? n : 0;
}

// Collects a whole response for Send().
class BufferSink final : public ResponseSink {
 public:
  explicit BufferSink(HttpResponse& out) : out_(out) {}
  Status OnResponse(int status, const HeaderList& headers) override {
    out_.status = status;
    out_.headers = headers;
    return Status();
  }
  Status OnBody(ByteSpan data) override {
    if (out_.body.size() + data.size() > kMaxBufferedBody) {
      return PayloadTooLarge("response body is larger than 16 MiB");
    }
    out_.body.append(reinterpret_cast<const char*>(data.data()), data.size());
    return Status();
  }

 private:
  HttpResponse& out_;
};

Status Perform(const HttpRequest& request, ResponseSink& sink, bool streaming) {
  std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
  if (!curl) return Internal("curl_easy_init failed");
  CURL* c = curl.get();
  Transfer transfer{.curl = c, .sink = &sink};

  curl_slist* list = nullptr;
  std::unique_ptr<curl_slist*, void (*)(curl_slist**)> list_guard(
      &list, [](curl_slist** l) { curl_slist_free_all(*l); });
  auto append = [&list](const std::string& line) {
    curl_slist* head = curl_slist_append(list, line.c_str());
    if (head != nullptr) list = head;
    return head != nullptr;
  };
  for (const auto& [name, value] : request.headers) {
    if (!append(name + ": " + value)) return Internal("curl_slist_append failed");
  }
  // No "Expect: 100-continue" round trip for our small JSON bodies.
  if (!append("Expect:")) return Internal("curl_slist_append failed");

  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "backline/0.1");
  if (request.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "POST") {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
  } else {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (!request.body.empty() || request.method == "POST") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  if (streaming) {
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.timeout.count()));
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME,
                     static_cast<long>(std::max<int64_t>(1, request.stall_timeout.count() / 1000)));
  } else {
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  }
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &OnHeaderLine);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &OnBodyData);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);

  CURLcode rc = curl_easy_perform(c);
  if (!transfer.sink_error.ok()) return transfer.sink_error;
  if (rc != CURLE_OK) {
    std::string what = request.method + " " + request.url + ": " +
                       (error[0] != '\0' ? std::string(error) : curl_easy_strerror(rc));
    if (rc == CURLE_OPERATION_TIMEDOUT) return DeadlineExceeded(std::move(what));
    return Unavailable(std::move(what));
  }
  return transfer.Start();  // a response without a body
}

}  // namespace

CurlTransport::CurlTransport() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Result<HttpResponse> CurlTransport::Send(const HttpRequest& request) {
  HttpResponse response;
  BufferSink sink(response);
  BL_RETURN_IF_ERROR(Perform(request, sink, /*streaming=*/false));
  return response;
}

Status CurlTransport::Stream(const HttpRequest& request, ResponseSink& sink) {
  return Perform(request, sink, /*streaming=*/true);
}

}  // namespace backline::client
