// The one mapping from backline::StatusCode to an HTTP status, and the one
// JSON error body every error response carries:
//
//   {"error":{"code":"NOT_FOUND","message":"order 7 does not exist"}}
//
// The server uses these for everything it rejects itself (malformed requests,
// limits, unknown routes), and handlers should use them for their own errors,
// so a caller can always turn an error response back into a Status
// (StatusFromResponse) and branch on the code, never on prose.
//
//   StatusCode            HTTP  why this one
//   kInvalidArgument      400
//   kUnauthenticated      401
//   kPermissionDenied     403
//   kNotFound             404
//   kAlreadyExists        409
//   kConflict             409
//   kFailedPrecondition   409   the resource's state forbids it; 412 is kept for
//                               conditional headers (If-Match), which we don't use
//   kPaymentDeclined      402   the card was refused; not retryable as is
//   kPayloadTooLarge      413   bodies and headers alike (no 431)
//   kResourceExhausted    429   a quota; callers back off
//   kDeadlineExceeded     504   a time limit inside the server (a dependency)
//   kUnavailable          503   retryable; also "at the connection limit"
//   kDataLoss             500
//   kUnimplemented        501
//   kInternal             500
//   (anything else)       500
//
// One response does not come from this table: a known path with a method it
// does not serve is 405 with an Allow header and code UNIMPLEMENTED.
// Read timeouts on a slow client are not answered at all: the connection is
// closed (see server.h).
//
// Messages go to the caller verbatim: never put secrets, SQL or stack traces
// in a Status message that can reach a response.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "http/message.h"

namespace backline::http {

// The HTTP status for `code` (table above). kOk maps to 200.
int HttpStatusFor(StatusCode code);

// The StatusCode a bare HTTP status stands for, for responses without our
// error body (e.g. from a proxy): 400->kInvalidArgument,
// 402->kPaymentDeclined, 404->kNotFound, 408/504->kDeadlineExceeded,
// 429->kResourceExhausted, 502/503->kUnavailable, other 4xx->
// kFailedPrecondition, other 5xx->kInternal, 2xx->kOk.
StatusCode StatusCodeForHttp(int http_status);

// {"error":{"code":"...","message":"..."}}. An OK status is a caller bug and
// is reported as INTERNAL.
std::string ErrorBody(const Status& status);

// A JSON response with ErrorBody(status) and HttpStatusFor(status.code()).
Response ErrorResponse(const Status& status);

// The inverse, for clients: the Status named by an error body, or when the
// body is not ours, one derived from `http_status` with the body's first
// bytes as the message. 2xx gives OK.
Status StatusFromResponse(int http_status, std::string_view body);

}  // namespace backline::http
