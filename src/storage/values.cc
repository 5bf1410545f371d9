#include "storage/values.h"

#include <string>

namespace backline::storage {
namespace {

// Length of the UTF-8 sequence starting at s[i], or 0 when it is invalid. Follows
// RFC 3629 (no overlong forms, no surrogates, nothing above U+10FFFF), which is
// what PostgreSQL enforces for a UTF8 database; NUL is refused as PostgreSQL does.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t b0 = byte(i);
  if (b0 == 0) return 0;
  if (b0 < 0x80) return 1;
  size_t n;
  uint8_t lo = 0x80;
  uint8_t hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;  // overlong
    if (b0 == 0xED) hi = 0x9F;  // surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;  // overlong
    if (b0 == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return n;
}

bool IsStorableText(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = Utf8SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

template <typename T>
constexpr std::string_view KindName() {
  if constexpr (std::is_same_v<T, int64_t>) return "INT64";
  if constexpr (std::is_same_v<T, std::string>) return "TEXT";
  if constexpr (std::is_same_v<T, Bytes>) return "BLOB";
  return "NULL";
}

}  // namespace

std::string_view ValueKindName(const Value& value) {
  switch (value.index()) {
    case 1:
      return "INT64";
    case 2:
      return "TEXT";
    case 3:
      return "BLOB";
    default:
      return "NULL";
  }
}

Status CheckParams(std::span<const Param> params) {
  for (size_t i = 0; i < params.size(); ++i) {
    if (params[i].kind() == Param::Kind::kText && !IsStorableText(params[i].text())) {
      return InvalidArgument("parameter $" + std::to_string(i + 1) +
                             " is not valid UTF-8 text without NUL bytes; store it as a blob");
    }
  }
  return Status::Ok();
}

Row::Row(std::shared_ptr<const std::vector<std::string>> columns, std::vector<Value> values)
    : columns_(std::move(columns)), values_(std::move(values)) {}

Result<size_t> Row::IndexOf(std::string_view column) const {
  for (size_t i = 0; i < columns_->size(); ++i) {
    if ((*columns_)[i] == column) return i;
  }
  return Internal("the result has no column named '" + std::string(column) + "'");
}

Result<const Value*> Row::Get(size_t column) const {
  if (column >= values_.size()) {
    return Internal("column " + std::to_string(column) + " is out of range: the result has " +
                    std::to_string(values_.size()) + " columns");
  }
  return &values_[column];
}

template <typename T>
Result<std::optional<T>> Row::GetAs(size_t column, std::string_view want) const {
  BL_ASSIGN_OR_RETURN(const Value* v, Get(column));
  if (std::holds_alternative<Null>(*v)) return std::optional<T>();
  if (const T* t = std::get_if<T>(v)) return std::optional<T>(*t);
  return Internal("column " + std::to_string(column) + " ('" + (*columns_)[column] + "') holds " +
                  std::string(ValueKindName(*v)) + ", read as " + std::string(want) +
                  ": code and schema disagree");
}

namespace {

// Turns "NULL where a value is required" into the same kInternal error shape.
template <typename T>
Result<T> Required(Result<std::optional<T>> r, size_t column,
                   const std::vector<std::string>& names) {
  if (!r.ok()) return r.status();
  if (!r->has_value()) {
    return Internal("column " + std::to_string(column) + " ('" + names[column] +
                    "') is NULL, read as " + std::string(KindName<T>()) +
                    ": use GetOptional* for nullable columns");
  }
  return std::move(**r);
}

}  // namespace

Result<bool> Row::IsNull(size_t column) const {
  BL_ASSIGN_OR_RETURN(const Value* v, Get(column));
  return std::holds_alternative<Null>(*v);
}
Result<int64_t> Row::GetInt64(size_t column) const {
  return Required(GetOptionalInt64(column), column, *columns_);
}
Result<std::string> Row::GetText(size_t column) const {
  return Required(GetOptionalText(column), column, *columns_);
}
Result<Bytes> Row::GetBlob(size_t column) const {
  return Required(GetOptionalBlob(column), column, *columns_);
}
Result<std::optional<int64_t>> Row::GetOptionalInt64(size_t column) const {
  return GetAs<int64_t>(column, "INT64");
}
Result<std::optional<std::string>> Row::GetOptionalText(size_t column) const {
  return GetAs<std::string>(column, "TEXT");
}
Result<std::optional<Bytes>> Row::GetOptionalBlob(size_t column) const {
  return GetAs<Bytes>(column, "BLOB");
}

// The by-name getters resolve the index, then share the code above.
#define BL_ROW_BY_NAME_(Type, Name)                       \
  Result<Type> Row::Name(std::string_view column) const { \
    BL_ASSIGN_OR_RETURN(size_t i, IndexOf(column));       \
    return Name(i);                                       \
  }
BL_ROW_BY_NAME_(bool, IsNull)
BL_ROW_BY_NAME_(int64_t, GetInt64)
BL_ROW_BY_NAME_(std::string, GetText)
BL_ROW_BY_NAME_(Bytes, GetBlob)
BL_ROW_BY_NAME_(std::optional<int64_t>, GetOptionalInt64)
BL_ROW_BY_NAME_(std::optional<std::string>, GetOptionalText)
BL_ROW_BY_NAME_(std::optional<Bytes>, GetOptionalBlob)
#undef BL_ROW_BY_NAME_

}  // namespace backline::storage
