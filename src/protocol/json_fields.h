// Strict readers for the JSON objects of the protocol: every codec in this
// module reads its fields through JsonReader, so every role rejects the same
// inputs with the same messages.
//
//   BL_ASSIGN_OR_RETURN(JsonReader r, JsonReader::Of(value, "reservation-request"));
//   BL_ASSIGN_OR_RETURN(Id request_id, r.GetId("request_id"));
//   BL_ASSIGN_OR_RETURN(JsonReader retail, r.GetObject("retail"));
//   BL_ASSIGN_OR_RETURN(int64_t amount, retail.GetInt("amount", 0));
//
// Rules (docs/protocol.md, "Conventions"): a missing field, a field of the
// wrong JSON type, or a value out of its range is kInvalidArgument whose
// message names the message and the field's dotted path:
//   reservation-request: field "retail.amount" must be an integer
// Unknown fields are ignored, so a newer peer may add fields. Integers must be
// JSON integers (1.0 and 1e3 are refused). Strings are kept as the UTF-8
// Boost.JSON validated.
//
// Thread-safety: a JsonReader borrows the object it reads (which must outlive
// it) and is otherwise a value.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/id.h"
#include "base/status.h"

namespace backline::protocol {

// Nesting deeper than this is refused (a stack-depth guard for hostile input).
inline constexpr size_t kMaxJsonDepth = 64;

// Parses `text` as one JSON document that must be an object. `what` names the
// input in errors ("reservation-request", "identity file /x").
Result<boost::json::object> ParseJsonObject(std::string_view text, std::string_view what);

// An id in its one canonical text form: 26 lowercase base32 characters
// (base::Id::FromBase32 also takes uppercase; the protocol does not, so an id
// has exactly one spelling in URLs, tokens and logs).
Result<Id> ParseId(std::string_view text);

// Compact serialization, the form every codec here writes.
std::string SerializeJson(const boost::json::value& value);

class JsonReader {
 public:
  // `value` must be an object; `what` names the message in errors.
  static Result<JsonReader> Of(const boost::json::value& value, std::string_view what);
  static JsonReader Of(const boost::json::object& object, std::string_view what);

  bool Has(std::string_view name) const { return object_->contains(name); }

  Result<std::string> GetString(std::string_view name) const;
  // A string of 1..max_size bytes, each in [A-Za-z0-9._-] (party names,
  // idempotency keys).
  Result<std::string> GetName(std::string_view name, size_t max_size = 64) const;
  // A JSON integer in [min, max].
  Result<int64_t> GetInt(std::string_view name, int64_t min = std::numeric_limits<int64_t>::min(),
                         int64_t max = std::numeric_limits<int64_t>::max()) const;
  // A base::Id in its canonical 26-character base32 form.
  Result<Id> GetId(std::string_view name) const;
  // base64url without padding; when `size` is set the decoded length must
  // equal it.
  Result<Bytes> GetBase64Url(std::string_view name, std::optional<size_t> size = {}) const;
  // An RFC 3339 date-time string (docs/protocol.md: fields named *_at).
  Result<Clock::TimePoint> GetTime(std::string_view name) const;
  // A nested object, read with the path extended ("retail.amount").
  Result<JsonReader> GetObject(std::string_view name) const;

  // "reservation-request: field \"retail.amount\" <problem>" as InvalidArgument.
  Status FieldError(std::string_view name, std::string_view problem) const;
  // The dotted path of a field of this object: "retail.amount".
  std::string Path(std::string_view name) const;

 private:
  JsonReader(const boost::json::object* object, std::string what, std::string prefix)
      : object_(object), what_(std::move(what)), prefix_(std::move(prefix)) {}
  Result<const boost::json::value*> Get(std::string_view name) const;

  const boost::json::object* object_;  // not owned
  std::string what_;
  std::string prefix_;  // "" or "retail."
};

}  // namespace backline::protocol
