// Values going into SQL statements (Param) and coming out of them (Row, Rows).
//
// Backline stores four kinds of value, and every backend maps them the same way:
//
//   kind     C++ in (Param)                  C++ out (Row getter)   SQLite    PostgreSQL
//   null     nullptr, std::nullopt           IsNull / GetOptional*  NULL      NULL
//   int64    signed integers, bool (0 / 1)   GetInt64               INTEGER   BIGINT
//   text     std::string(_view), char*       GetText                TEXT      TEXT
//   blob     Bytes, ByteSpan, std::array     GetBlob                BLOB      BYTEA
//
// There is no floating point: money is integer minor units, time is integer
// seconds or microseconds. Text must be valid UTF-8 without NUL bytes (what
// PostgreSQL accepts); a text parameter that is not is refused with
// kInvalidArgument by every backend. uint64_t does not convert implicitly:
// cast it, knowing values above INT64_MAX do not fit.
//
// Param is a *view*, like std::string_view: it borrows the text or bytes it
// names, which must outlive the Execute/Query call it is passed to. Build
// params in the call's argument list: tx.Execute(sql, {id, name, blob}).
//
// Rows own their values. A Row read with the wrong getter (GetInt64 on a text
// column, GetText on NULL) returns kInternal naming the column: it means the
// code and the schema disagree, which is a bug.
//
// Thread-safety: all types here are values; distinct objects may be used from
// different threads, and const objects may be shared.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace backline::storage {

// The SQL NULL, as a value read from a column.
struct Null {
  friend bool operator==(Null, Null) { return true; }
};

// One column value of a row.
using Value = std::variant<Null, int64_t, std::string, Bytes>;

// "NULL", "INT64", "TEXT" or "BLOB".
std::string_view ValueKindName(const Value& value);

// Integer types whose every value fits in int64 (so not uint64_t), except bool
// and char, which get their own meaning or none.
template <typename I>
concept StorableInteger = std::integral<I> && !std::same_as<I, bool> && !std::same_as<I, char> &&
                          (std::is_signed_v<I> || sizeof(I) < sizeof(int64_t));

// A statement parameter: a borrowed view of one value (see the file comment).
class Param {
 public:
  enum class Kind : uint8_t { kNull, kInt64, kText, kBlob };

  Param(std::nullptr_t) {}  // NOLINT(google-explicit-constructor)
  Param(std::nullopt_t) {}  // NOLINT(google-explicit-constructor)
  // Exactly bool: a pointer must not turn into a flag by accident.
  template <std::same_as<bool> B>
  Param(B v) : kind_(Kind::kInt64), int_(v ? 1 : 0) {}  // NOLINT(google-explicit-constructor)
  template <StorableInteger I>
  Param(I v) : kind_(Kind::kInt64), int_(static_cast<int64_t>(v)) {}  // NOLINT
  Param(const char* text) : Param(std::string_view(text)) {}          // NOLINT
  Param(const std::string& text) : Param(std::string_view(text)) {}   // NOLINT
  Param(std::string_view text)  // NOLINT(google-explicit-constructor)
      : kind_(Kind::kText), data_(text.data()), size_(text.size()) {}
  Param(const Bytes& blob) : Param(ByteSpan(blob)) {}  // NOLINT(google-explicit-constructor)
  Param(ByteSpan blob)                                 // NOLINT(google-explicit-constructor)
      : kind_(Kind::kBlob), data_(blob.data()), size_(blob.size()) {}
  template <size_t N>
  Param(const std::array<uint8_t, N>& blob) : Param(ByteSpan(blob)) {}  // NOLINT
  // NULL when empty, else the contained value.
  template <typename T>
  Param(const std::optional<T>& v) : Param(std::nullopt) {  // NOLINT(google-explicit-constructor)
    if (v.has_value()) *this = Param(*v);
  }

  // Explicit forms, for when the C++ type alone would pick the wrong kind.
  static Param Null() { return Param(nullptr); }
  static Param Text(std::string_view text) { return Param(text); }
  static Param Blob(ByteSpan blob) { return Param(blob); }

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  // Precondition for each: kind() is the matching kind.
  int64_t int64() const { return int_; }
  std::string_view text() const { return {static_cast<const char*>(data_), size_}; }
  ByteSpan blob() const { return {static_cast<const uint8_t*>(data_), size_}; }

 private:
  Kind kind_ = Kind::kNull;
  int64_t int_ = 0;
  const void* data_ = nullptr;
  size_t size_ = 0;
};

// OK when every text parameter is valid UTF-8 without NUL bytes; otherwise
// kInvalidArgument naming the parameter ($1, $2, ...). Backends call this
// before binding, so all of them refuse the same inputs.
Status CheckParams(std::span<const Param> params);

// One result row. Columns are addressed by 0-based index or by name (the name
// the statement gave them; "AS" aliases help).
class Row {
 public:
  Row(std::shared_ptr<const std::vector<std::string>> columns, std::vector<Value> values);

  size_t size() const { return values_.size(); }
  const std::vector<std::string>& column_names() const { return *columns_; }
  // Precondition: column < size().
  const Value& value(size_t column) const { return values_[column]; }

  // Each returns kInternal when the column does not exist or holds another kind.
  Result<bool> IsNull(size_t column) const;
  Result<int64_t> GetInt64(size_t column) const;
  Result<std::string> GetText(size_t column) const;
  Result<Bytes> GetBlob(size_t column) const;
  // As above, but NULL gives nullopt instead of an error.
  Result<std::optional<int64_t>> GetOptionalInt64(size_t column) const;
  Result<std::optional<std::string>> GetOptionalText(size_t column) const;
  Result<std::optional<Bytes>> GetOptionalBlob(size_t column) const;

  // By column name; kInternal when no column has that name.
  Result<bool> IsNull(std::string_view column) const;
  Result<int64_t> GetInt64(std::string_view column) const;
  Result<std::string> GetText(std::string_view column) const;
  Result<Bytes> GetBlob(std::string_view column) const;
  Result<std::optional<int64_t>> GetOptionalInt64(std::string_view column) const;
  Result<std::optional<std::string>> GetOptionalText(std::string_view column) const;
  Result<std::optional<Bytes>> GetOptionalBlob(std::string_view column) const;

 private:
  Result<size_t> IndexOf(std::string_view column) const;
  Result<const Value*> Get(size_t column) const;
  template <typename T>
  Result<std::optional<T>> GetAs(size_t column, std::string_view want) const;

  std::shared_ptr<const std::vector<std::string>> columns_;  // shared by a query's rows
  std::vector<Value> values_;
};

// All rows of one query, in the order the database returned them.
class Rows {
 public:
  Rows() : Rows(std::vector<std::string>()) {}
  explicit Rows(std::vector<std::string> column_names)
      : columns_(std::make_shared<const std::vector<std::string>>(std::move(column_names))) {}

  // Appends a row; precondition: values.size() == column_names().size().
  void Add(std::vector<Value> values) { rows_.emplace_back(columns_, std::move(values)); }

  const std::vector<std::string>& column_names() const { return *columns_; }
  size_t size() const { return rows_.size(); }
  bool empty() const { return rows_.empty(); }
  const Row& operator[](size_t i) const { return rows_[i]; }
  Row& operator[](size_t i) { return rows_[i]; }
  std::vector<Row>::const_iterator begin() const { return rows_.begin(); }
  std::vector<Row>::const_iterator end() const { return rows_.end(); }

 private:
  std::shared_ptr<const std::vector<std::string>> columns_;  // never null
  std::vector<Row> rows_;
};

}  // namespace backline::storage
