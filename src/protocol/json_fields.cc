#include "protocol/json_fields.h"

#include <boost/json/parser.hpp>
#include <boost/json/serialize.hpp>
#include <exception>

#include "crypto/paseto_claims.h"

namespace backline::protocol {

Result<boost::json::object> ParseJsonObject(std::string_view text, std::string_view what) {
  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::json::parser parser(boost::json::storage_ptr(), options);
  boost::system::error_code ec;
  // write() consumes the whole document and reports trailing bytes as an error.
  size_t used = parser.write(text.data(), text.size(), ec);
  if (ec) {
    return InvalidArgument(std::string(what) + " is not valid JSON: " + ec.message() + " at byte " +
                           std::to_string(used));
  }
  boost::json::value value;
  // release() is declared to throw; keep the library's exceptions at this edge.
  try {
    value = parser.release();
  } catch (const std::exception& e) {
    return InvalidArgument(std::string(what) + " is not valid JSON: " + e.what());
  }
  if (!value.is_object()) return InvalidArgument(std::string(what) + " must be a JSON object");
  return std::move(value.as_object());
}

Result<Id> ParseId(std::string_view text) {
  Result<Id> id = Id::FromBase32(text);
  if (!id.ok() || id->ToBase32() != text) {
    return InvalidArgument("an id must be 26 lowercase base32 characters");
  }
  return *id;
}

std::string SerializeJson(const boost::json::value& value) { return boost::json::serialize(value); }

Result<JsonReader> JsonReader::Of(const boost::json::value& value, std::string_view what) {
  const boost::json::object* object = value.if_object();
  if (object == nullptr) return InvalidArgument(std::string(what) + " must be a JSON object");
  return JsonReader(object, std::string(what), "");
}

JsonReader JsonReader::Of(const boost::json::object& object, std::string_view what) {
  return JsonReader(&object, std::string(what), "");
}

std::string JsonReader::Path(std::string_view name) const { return prefix_ + std::string(name); }

Status JsonReader::FieldError(std::string_view name, std::string_view problem) const {
  return InvalidArgument(what_ + ": field \"" + Path(name) + "\" " + std::string(problem));
}

Result<const boost::json::value*> JsonReader::Get(std::string_view name) const {
  const boost::json::value* v = object_->if_contains(name);
  if (v == nullptr) return FieldError(name, "is missing");
  return v;
}

Result<std::string> JsonReader::GetString(std::string_view name) const {
  BL_ASSIGN_OR_RETURN(const boost::json::value* v, Get(name));
  const boost::json::string* s = v->if_string();
  if (s == nullptr) return FieldError(name, "must be a string");
  return std::string(s->data(), s->size());
}

Result<std::string> JsonReader::GetName(std::string_view name, size_t max_size) const {
  BL_ASSIGN_OR_RETURN(std::string s, GetString(name));
  bool ok = !s.empty() && s.size() <= max_size;
  for (char c : s) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '.' || c == '_' || c == '-';
    ok = ok && allowed;
  }
  if (!ok) {
    return FieldError(name, "must be 1-" + std::to_string(max_size) + " of [A-Za-z0-9._-]");
  }
  return s;
}

Result<int64_t> JsonReader::GetInt(std::string_view name, int64_t min, int64_t max) const {
  BL_ASSIGN_OR_RETURN(const boost::json::value* v, Get(name));
  int64_t n = 0;
  if (const int64_t* i = v->if_int64()) {
    n = *i;
  } else if (v->is_uint64()) {
    // Boost.JSON keeps integers above INT64_MAX as uint64: always out of range.
    return FieldError(name, "is out of range");
  } else {
    return FieldError(name, "must be an integer");
  }
  if (n < min || n > max) {
    return FieldError(name, "must be in [" + std::to_string(min) + ", " + std::to_string(max) +
                                "], got " + std::to_string(n));
  }
  return n;
}

Result<Id> JsonReader::GetId(std::string_view name) const {
  BL_ASSIGN_OR_RETURN(std::string text, GetString(name));
  Result<Id> id = ParseId(text);
  if (!id.ok()) return FieldError(name, "must be an id of 26 lowercase base32 characters");
  return *id;
}

Result<Bytes> JsonReader::GetBase64Url(std::string_view name, std::optional<size_t> size) const {
  BL_ASSIGN_OR_RETURN(std::string text, GetString(name));
  Result<Bytes> bytes = Base64UrlDecode(text);
  if (!bytes.ok()) return FieldError(name, "must be base64url without padding");
  if (size.has_value() && bytes->size() != *size) {
    return FieldError(name, "must encode " + std::to_string(*size) + " bytes, got " +
                                std::to_string(bytes->size()));
  }
  return std::move(bytes).value();
}

Result<Clock::TimePoint> JsonReader::GetTime(std::string_view name) const {
  BL_ASSIGN_OR_RETURN(std::string text, GetString(name));
  Result<Clock::TimePoint> t = crypto::ParseRfc3339(text);
  if (!t.ok()) return FieldError(name, "must be an RFC 3339 date-time");
  return *t;
}

Result<JsonReader> JsonReader::GetObject(std::string_view name) const {
  BL_ASSIGN_OR_RETURN(const boost::json::value* v, Get(name));
  const boost::json::object* object = v->if_object();
  if (object == nullptr) return FieldError(name, "must be an object");
  return JsonReader(object, what_, Path(name) + ".");
}

}  // namespace backline::protocol
