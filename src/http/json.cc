#include "http/json.h"

#include <boost/json/parser.hpp>
#include <boost/json/serialize.hpp>
#include <string>

namespace backline::http {
namespace {

// Content-Type is JSON when its media type (before any ';') is
// application/json or ends in "+json", case-insensitively.
bool IsJsonMediaType(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  if (EqualsIgnoreCase(type, "application/json")) return true;
  constexpr std::string_view kSuffix = "+json";
  return type.size() > kSuffix.size() &&
         EqualsIgnoreCase(type.substr(type.size() - kSuffix.size()), kSuffix);
}

}  // namespace

Result<boost::json::value> ParseJson(std::string_view text, std::string_view what) {
  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::json::parser parser(boost::json::storage_ptr(), options);
  boost::system::error_code ec;
  // write() consumes the document and reports trailing garbage as an error.
  size_t used = parser.write(text.data(), text.size(), ec);
  if (ec) {
    return InvalidArgument(std::string(what) + " is not valid JSON: " + ec.message() + " at byte " +
                           std::to_string(used));
  }
  // release() cannot fail once write() accepted a complete document, but it is
  // declared to throw; keep the library's exceptions at this edge.
  try {
    return parser.release();
  } catch (const std::exception& e) {
    return InvalidArgument(std::string(what) + " is not valid JSON: " + e.what());
  }
}

Result<boost::json::value> ParseJsonBody(const Request& request) {
  if (auto type = request.headers.Get("Content-Type"); type && !IsJsonMediaType(*type)) {
    return InvalidArgument("request body must be application/json, not '" + std::string(*type) +
                           "'");
  }
  if (request.body.empty()) return InvalidArgument("request body is empty; expected JSON");
  return ParseJson(request.body, "request body");
}

Result<boost::json::object> ParseJsonObjectBody(const Request& request) {
  BL_ASSIGN_OR_RETURN(boost::json::value v, ParseJsonBody(request));
  if (!v.is_object()) return InvalidArgument("request body must be a JSON object");
  return std::move(v.as_object());
}

Response JsonResponse(int status, const boost::json::value& value) {
  return Response::Text(status, boost::json::serialize(value), "application/json");
}

}  // namespace backline::http
