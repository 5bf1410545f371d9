// Structured Field Values for HTTP (RFC 8941): the data model, a strict parser
// and a canonical serializer. HTTP message signatures (crypto/http_signature.h)
// use it for Signature-Input, Signature and the ";sf" / ";key" component
// parameters, so serialization must be byte-exact and parsing must reject
// anything the grammar does not allow.
//
// Deliberate choices:
//   - Byte sequences are decoded with the strict padded base64 of
//     base/bytes.h; RFC 8941 says parsers SHOULD tolerate missing padding and
//     non-zero pad bits, we do not (one byte string, one encoding).
//   - Decimals are held exactly, in thousandths, so a parsed decimal always
//     serializes back to the same text.
//   - Duplicate dictionary keys and parameter keys overwrite the earlier value
//     in place, as RFC 8941 requires.
//   - Sizes are capped at the minimums RFC 8941 requires parsers to support:
//     1024 list/dictionary members, 256 inner-list items, 256 parameters.
//   - Dates and Display Strings (RFC 9651) are not supported.
//
// Every error is kInvalidArgument with a message naming the construct.
// Thread-safety: values and reentrant functions only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace backline::crypto::sf {

inline constexpr int64_t kMaxInteger = 999'999'999'999'999;
inline constexpr size_t kMaxMembers = 1024;
inline constexpr size_t kMaxInnerListItems = 256;
inline constexpr size_t kMaxParameters = 256;

// sf-token, e.g. application/json. Distinct from a String.
struct Token {
  std::string value;
  friend bool operator==(const Token&, const Token&) = default;
};

// sf-decimal: at most 12 integer digits and 3 fractional digits.
struct Decimal {
  int64_t thousandths = 0;  // 1.5 is 1500
  friend bool operator==(const Decimal&, const Decimal&) = default;
};

// Integer, Decimal, String (std::string), Token, Byte Sequence (Bytes), Boolean.
using BareItem = std::variant<int64_t, Decimal, std::string, Token, Bytes, bool>;

// Ordered; keys are unique after parsing.
using Parameters = std::vector<std::pair<std::string, BareItem>>;

struct Item {
  BareItem value;
  Parameters params;
  friend bool operator==(const Item&, const Item&) = default;
};

struct InnerList {
  std::vector<Item> items;
  Parameters params;
  friend bool operator==(const InnerList&, const InnerList&) = default;
};

using ListMember = std::variant<Item, InnerList>;
using List = std::vector<ListMember>;
// Ordered; keys are unique after parsing.
using Dictionary = std::vector<std::pair<std::string, ListMember>>;

// Parse a whole field value of the given top-level type. An empty (or all
// spaces) List or Dictionary field is an empty container; an empty Item is an
// error. Non-ASCII input is an error.
Result<Item> ParseItem(std::string_view text);
Result<List> ParseList(std::string_view text);
Result<Dictionary> ParseDictionary(std::string_view text);

// Canonical serialization. Fails (kInvalidArgument) when the value cannot be
// expressed: a key or token outside its grammar, a string with characters
// outside 0x20-0x7E, an integer or decimal out of range, an empty list.
Result<std::string> SerializeBareItem(const BareItem& item);
Result<std::string> SerializeParameters(const Parameters& params);
Result<std::string> SerializeItem(const Item& item);
Result<std::string> SerializeInnerList(const InnerList& list);
Result<std::string> SerializeListMember(const ListMember& member);
Result<std::string> SerializeList(const List& list);
Result<std::string> SerializeDictionary(const Dictionary& dict);

// Lookups; nullptr when absent. The pointers live as long as the container.
const BareItem* FindParameter(const Parameters& params, std::string_view key);
const ListMember* FindMember(const Dictionary& dict, std::string_view key);

// True iff `key` matches the sf key grammar: ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "."
// / "*" ).
bool IsValidKey(std::string_view key);

}  // namespace backline::crypto::sf
