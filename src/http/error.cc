#include "http/error.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "base/logging.h"

namespace backline::http {

// Both tables stay one row per case, to read like the table in error.h.
// clang-format off
// NOLINTBEGIN(bugprone-branch-clone): rows of a table may agree.
int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists: return 409;
    case StatusCode::kConflict: return 409;
    case StatusCode::kFailedPrecondition: return 409;
    case StatusCode::kPaymentDeclined: return 402;
    case StatusCode::kPayloadTooLarge: return 413;
    case StatusCode::kResourceExhausted: return 429;
    case StatusCode::kDeadlineExceeded: return 504;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kDataLoss: return 500;
    case StatusCode::kUnimplemented: return 501;
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

StatusCode StatusCodeForHttp(int http_status) {
  if (http_status >= 200 && http_status < 300) return StatusCode::kOk;
  switch (http_status) {
    case 400: return StatusCode::kInvalidArgument;
    case 401: return StatusCode::kUnauthenticated;
    case 402: return StatusCode::kPaymentDeclined;
    case 403: return StatusCode::kPermissionDenied;
    case 404: return StatusCode::kNotFound;
    case 405: return StatusCode::kUnimplemented;
    case 408: return StatusCode::kDeadlineExceeded;
    case 409: return StatusCode::kConflict;
    case 412: return StatusCode::kFailedPrecondition;
    case 413: return StatusCode::kPayloadTooLarge;
    case 429: return StatusCode::kResourceExhausted;
    case 501: return StatusCode::kUnimplemented;
    case 502: return StatusCode::kUnavailable;
    case 503: return StatusCode::kUnavailable;
    case 504: return StatusCode::kDeadlineExceeded;
    default: break;
  }
  if (http_status >= 400 && http_status < 500) return StatusCode::kFailedPrecondition;
  return StatusCode::kInternal;
}
// NOLINTEND(bugprone-branch-clone)
// clang-format on

std::string ErrorBody(const Status& status) {
  Status s = status.ok() ? Internal("error response built from an OK status") : status;
  std::string out = "{\"error\":{\"code\":\"";
  out += StatusCodeName(s.code());
  out += "\",\"message\":\"";
  out += JsonEscape(s.message());
  out += "\"}}";
  return out;
}

Response ErrorResponse(const Status& status) {
  StatusCode code = status.ok() ? StatusCode::kInternal : status.code();
  return Response::Text(HttpStatusFor(code), ErrorBody(status), "application/json");
}

Status StatusFromResponse(int http_status, std::string_view body) {
  StatusCode fallback = StatusCodeForHttp(http_status);
  if (fallback == StatusCode::kOk) return Status::Ok();
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (!ec && v.is_object()) {
    const boost::json::value* error = v.as_object().if_contains("error");
    if (error != nullptr && error->is_object()) {
      const boost::json::value* code = error->as_object().if_contains("code");
      const boost::json::value* message = error->as_object().if_contains("message");
      if (code != nullptr && code->is_string()) {
        const boost::json::string& name = code->as_string();
        std::optional<StatusCode> named =
            StatusCodeFromName(std::string_view(name.data(), name.size()));
        std::string text =
            (message != nullptr && message->is_string())
                ? std::string(message->as_string().data(), message->as_string().size())
                : std::string();
        if (named.has_value() && *named != StatusCode::kOk) return Status(*named, text);
      }
    }
  }
  constexpr size_t kMaxQuoted = 200;
  std::string text = "HTTP " + std::to_string(http_status);
  if (!body.empty()) {
    text += ": ";
    text += body.substr(0, kMaxQuoted);
  }
  return Status(fallback, std::move(text));
}

}  // namespace backline::http
