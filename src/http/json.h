// JSON request and response helpers on Boost.JSON.
//
//   BL_ASSIGN_OR_RETURN(boost::json::object order, ParseJsonObjectBody(request));
//   return JsonResponse(201, {{"id", id}});
//
// Parse errors are INVALID_ARGUMENT with a message that says what is wrong
// and where ("request body is not valid JSON: syntax error at byte 17"), so
// the 400 a caller gets is actionable.
//
// Thread-safety: pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string_view>

#include "base/status.h"
#include "http/message.h"

namespace backline::http {

// Nesting deeper than this is rejected (a stack-depth guard for hostile input).
inline constexpr size_t kMaxJsonDepth = 64;

// Parses `text` as one JSON document. `what` names the input in errors
// ("request body", "response from clearinghouse").
Result<boost::json::value> ParseJson(std::string_view text, std::string_view what = "input");

// Parses the request body. Rejects (INVALID_ARGUMENT) an empty body and a
// Content-Type that is present but not JSON (application/json or */*+json):
// browsers cannot send those cross-origin without a preflight, which is what
// keeps a form on another site from posting to our APIs.
Result<boost::json::value> ParseJsonBody(const Request& request);
// As ParseJsonBody, and the document must be an object.
Result<boost::json::object> ParseJsonObjectBody(const Request& request);

// `value` serialized, with Content-Type: application/json.
Response JsonResponse(int status, const boost::json::value& value);
inline Response JsonResponse(const boost::json::value& value) { return JsonResponse(200, value); }

}  // namespace backline::http
