// Status and Result<T>: how Backline code reports failure.
//
// Our code does not throw. A fallible function returns Status (no value) or
// Result<T> (a value or a Status). Exceptions thrown by libraries are caught at
// the call site and turned into a Status there.
//
// Which code to use (the HTTP layer maps each to exactly one HTTP status, see
// http/error.h):
//   kInvalidArgument    the caller sent something malformed: bad JSON, a bad
//                       field, a bad signature encoding. Not retryable.
//   kUnauthenticated    missing or bad credentials: a signature that does not
//                       verify, an expired or forged token.
//   kPermissionDenied   authenticated, but not allowed: another buyer's token,
//                       a download limit reached.
//   kNotFound           the named thing does not exist.
//   kAlreadyExists      creating something that exists.
//   kConflict           the request clashes with the current state, e.g. an
//                       idempotency key reused with other parameters.
//   kFailedPrecondition the system is not in the state the operation needs
//                       (capturing a voided authorization).
//   kPaymentDeclined    the payment authority refused the card (declined,
//                       insufficient funds, expired, wrong CVC); the message
//                       says which.
//   kPayloadTooLarge    a body, header or record exceeds its limit.
//   kResourceExhausted  a quota or capacity is used up (too many connections).
//   kDeadlineExceeded   a time limit passed.
//   kUnavailable        a dependency is down; the caller may retry.
//   kDataLoss           stored data is corrupt (a ledger that fails to verify).
//   kUnimplemented      not supported.
//   kInternal           a bug or an impossible state; log it loudly.
//
// Thread-safety: Status and Result are values; distinct objects may be used
// from different threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace backline {

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,
  kUnauthenticated,
  kPermissionDenied,
  kNotFound,
  kAlreadyExists,
  kConflict,
  kFailedPrecondition,
  kPaymentDeclined,
  kPayloadTooLarge,
  kResourceExhausted,
  kDeadlineExceeded,
  kUnavailable,
  kDataLoss,
  kUnimplemented,
  kInternal,
};

// "INVALID_ARGUMENT", "NOT_FOUND", ...: the stable name used on the wire.
std::string_view StatusCodeName(StatusCode code);
// The inverse of StatusCodeName; nullopt for an unknown name.
std::optional<StatusCode> StatusCodeFromName(std::string_view name);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "NOT_FOUND: product 123 is not in the catalog"
  std::string ToString() const;

  // Returns a copy whose message is "context: message".
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Shorthands that read well at the call site: return InvalidArgument("...");
Status InvalidArgument(std::string message);
Status Unauthenticated(std::string message);
Status PermissionDenied(std::string message);
Status NotFound(std::string message);
Status AlreadyExists(std::string message);
Status Conflict(std::string message);
Status FailedPrecondition(std::string message);
Status PaymentDeclined(std::string message);
Status PayloadTooLarge(std::string message);
Status ResourceExhausted(std::string message);
Status DeadlineExceeded(std::string message);
Status Unavailable(std::string message);
Status DataLoss(std::string message);
Status Unimplemented(std::string message);
Status Internal(std::string message);

// A value of type T, or a non-OK Status saying why there is none.
template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::remove_cv_t<T>, Status>, "use Status directly");

 public:
  Result(const T& value) : v_(value) {}             // NOLINT(google-explicit-constructor)
  Result(T&& value) : v_(std::move(value)) {}       // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {}  // NOLINT(google-explicit-constructor)
  template <typename U>
    requires(std::is_constructible_v<T, U &&> && !std::is_same_v<std::decay_t<U>, T> &&
             !std::is_same_v<std::decay_t<U>, Status>)
  Result(U&& value) : v_(T(std::forward<U>(value))) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }

  // The status: OK when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<1>(v_); }

  // Precondition: ok(). Calling these on an error is a bug.
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

  T value_or(T fallback) const& { return ok() ? value() : std::move(fallback); }

 private:
  std::variant<T, Status> v_;
};

namespace internal {
inline Status AsStatus(Status s) { return s; }
template <typename T>
Status AsStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace internal

}  // namespace backline

#define BL_CONCAT_INNER_(a, b) a##b
#define BL_CONCAT_(a, b) BL_CONCAT_INNER_(a, b)

// Returns the status from the enclosing function if `expr` is not OK.
#define BL_RETURN_IF_ERROR(expr)                                          \
  do {                                                                    \
    ::backline::Status bl_status_ = ::backline::internal::AsStatus(expr); \
    if (!bl_status_.ok()) return bl_status_;                              \
  } while (false)

// BL_ASSIGN_OR_RETURN(auto x, ComputeX()); declares x, or returns the error.
#define BL_ASSIGN_OR_RETURN(lhs, expr) \
  BL_ASSIGN_OR_RETURN_IMPL_(BL_CONCAT_(bl_result_, __LINE__), lhs, expr)
#define BL_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
