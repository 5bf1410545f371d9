#include "crypto/structured_fields.h"

#include <algorithm>

namespace backline::crypto::sf {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLcAlpha(char c) { return c >= 'a' && c <= 'z'; }
bool IsAlpha(char c) { return IsLcAlpha(c) || (c >= 'A' && c <= 'Z'); }

// RFC 9110 tchar.
bool IsTchar(char c) {
  if (IsAlpha(c) || IsDigit(c)) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsBase64Char(char c) { return IsAlpha(c) || IsDigit(c) || c == '+' || c == '/' || c == '='; }

Status Error(std::string_view what) {
  return InvalidArgument("structured field: " + std::string(what));
}

template <typename Container, typename Value>
void Upsert(Container& c, std::string key, Value value) {
  for (auto& [k, v] : c) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  c.emplace_back(std::move(key), std::move(value));
}

// A cursor over the input implementing the parsing algorithms of RFC 8941
// section 4.2, one method per algorithm.
class Parser {
 public:
  explicit Parser(std::string_view text) : in_(text) {}

  Status Begin() {
    for (char c : in_) {
      if (static_cast<unsigned char>(c) > 0x7f) return Error("non-ASCII character");
    }
    while (!in_.empty() && in_.front() == ' ') in_.remove_prefix(1);
    while (!in_.empty() && in_.back() == ' ') in_.remove_suffix(1);
    return Status::Ok();
  }

  bool AtEnd() const { return in_.empty(); }

  Result<sf::List> ListValue() {
    sf::List members;
    while (!in_.empty()) {
      if (members.size() == kMaxMembers) return Error("too many list members");
      BL_ASSIGN_OR_RETURN(ListMember member, ItemOrInnerList());
      members.push_back(std::move(member));
      BL_RETURN_IF_ERROR(MemberSeparator());
    }
    return members;
  }

  Result<sf::Dictionary> DictionaryValue() {
    sf::Dictionary members;
    while (!in_.empty()) {
      BL_ASSIGN_OR_RETURN(std::string key, Key());
      ListMember member;
      if (Consume('=')) {
        BL_ASSIGN_OR_RETURN(member, ItemOrInnerList());
      } else {
        sf::Item item{true, {}};
        BL_ASSIGN_OR_RETURN(item.params, Params());
        member = std::move(item);
      }
      Upsert(members, std::move(key), std::move(member));
      if (members.size() > kMaxMembers) return Error("too many dictionary members");
      BL_RETURN_IF_ERROR(MemberSeparator());
    }
    return members;
  }

  Result<sf::Item> ItemValue() {
    BL_ASSIGN_OR_RETURN(BareItem value, Bare());
    BL_ASSIGN_OR_RETURN(Parameters params, Params());
    return sf::Item{std::move(value), std::move(params)};
  }

 private:
  char Peek() const { return in_.empty() ? '\0' : in_.front(); }
  bool Consume(char c) {
    if (in_.empty() || in_.front() != c) return false;
    in_.remove_prefix(1);
    return true;
  }
  void SkipSpaces() {
    while (!in_.empty() && in_.front() == ' ') in_.remove_prefix(1);
  }
  void SkipOws() {
    while (!in_.empty() && (in_.front() == ' ' || in_.front() == '\t')) in_.remove_prefix(1);
  }

  // After a list or dictionary member: end, or OWS "," OWS and another member.
  Status MemberSeparator() {
    SkipOws();
    if (in_.empty()) return Status::Ok();
    if (!Consume(',')) return Error("expected ',' between members");
    SkipOws();
    if (in_.empty()) return Error("trailing ','");
    return Status::Ok();
  }

  Result<ListMember> ItemOrInnerList() {
    if (Peek() == '(') {
      BL_ASSIGN_OR_RETURN(InnerList list, Inner());
      return ListMember(std::move(list));
    }
    BL_ASSIGN_OR_RETURN(sf::Item item, ItemValue());
    return ListMember(std::move(item));
  }

  Result<InnerList> Inner() {
    Consume('(');
    InnerList list;
    while (!in_.empty()) {
      SkipSpaces();
      if (Consume(')')) {
        BL_ASSIGN_OR_RETURN(list.params, Params());
        return list;
      }
      if (list.items.size() == kMaxInnerListItems) return Error("too many inner list items");
      BL_ASSIGN_OR_RETURN(sf::Item item, ItemValue());
      list.items.push_back(std::move(item));
      if (Peek() != ' ' && Peek() != ')') return Error("expected ' ' or ')' in inner list");
    }
    return Error("unterminated inner list");
  }

  Result<Parameters> Params() {
    Parameters params;
    while (Consume(';')) {
      SkipSpaces();
      BL_ASSIGN_OR_RETURN(std::string key, Key());
      BareItem value = true;
      if (Consume('=')) {
        BL_ASSIGN_OR_RETURN(value, Bare());
      }
      Upsert(params, std::move(key), std::move(value));
      if (params.size() > kMaxParameters) return Error("too many parameters");
    }
    return params;
  }

  Result<std::string> Key() {
    char c = Peek();
    if (!IsLcAlpha(c) && c != '*') return Error("a key must start with a-z or '*'");
    size_t n = 1;
    while (n < in_.size()) {
      char k = in_[n];
      if (!IsLcAlpha(k) && !IsDigit(k) && k != '_' && k != '-' && k != '.' && k != '*') break;
      ++n;
    }
    std::string key(in_.substr(0, n));
    in_.remove_prefix(n);
    return key;
  }

  Result<BareItem> Bare() {
    char c = Peek();
    if (c == '-' || IsDigit(c)) return Number();
    if (c == '"') return String();
    if (IsAlpha(c) || c == '*') return TokenItem();
    if (c == ':') return ByteSequence();
    if (c == '?') return Boolean();
    if (in_.empty()) return Error("missing item");
    return Error("unrecognised item");
  }

  Result<BareItem> Number() {
    bool negative = Consume('-');
    if (!IsDigit(Peek())) return Error("expected a digit");
    int64_t integer = 0;
    size_t int_digits = 0;
    while (IsDigit(Peek())) {
      if (++int_digits > 15) return Error("integer has more than 15 digits");
      integer = integer * 10 + (in_.front() - '0');
      in_.remove_prefix(1);
    }
    if (!Consume('.')) return BareItem(negative ? -integer : integer);
    if (int_digits > 12) return Error("decimal has more than 12 integer digits");
    int64_t fraction = 0;
    size_t frac_digits = 0;
    while (IsDigit(Peek())) {
      if (++frac_digits > 3) return Error("decimal has more than 3 fractional digits");
      fraction = fraction * 10 + (in_.front() - '0');
      in_.remove_prefix(1);
    }
    if (frac_digits == 0) return Error("decimal ends with '.'");
    for (size_t i = frac_digits; i < 3; ++i) fraction *= 10;
    int64_t thousandths = integer * 1000 + fraction;
    return BareItem(Decimal{negative ? -thousandths : thousandths});
  }

  Result<BareItem> String() {
    Consume('"');
    std::string out;
    while (!in_.empty()) {
      char c = in_.front();
      in_.remove_prefix(1);
      if (c == '\\') {
        if (in_.empty()) return Error("string ends in '\\'");
        char e = in_.front();
        in_.remove_prefix(1);
        if (e != '"' && e != '\\') return Error("bad escape in string");
        out += e;
      } else if (c == '"') {
        return BareItem(std::move(out));
      } else if (c < 0x20 || c > 0x7e) {
        return Error("control character in string");
      } else {
        out += c;
      }
    }
    return Error("unterminated string");
  }

  Result<BareItem> TokenItem() {
    size_t n = 1;
    while (n < in_.size() && (IsTchar(in_[n]) || in_[n] == ':' || in_[n] == '/')) ++n;
    Token token{std::string(in_.substr(0, n))};
    in_.remove_prefix(n);
    return BareItem(std::move(token));
  }

  Result<BareItem> ByteSequence() {
    Consume(':');
    size_t end = in_.find(':');
    if (end == std::string_view::npos) return Error("unterminated byte sequence");
    std::string_view b64 = in_.substr(0, end);
    if (!std::all_of(b64.begin(), b64.end(), IsBase64Char)) {
      return Error("bad character in byte sequence");
    }
    auto bytes = Base64Decode(b64);
    if (!bytes.ok()) return Error("byte sequence is not canonical padded base64");
    in_.remove_prefix(end + 1);
    return BareItem(std::move(bytes).value());
  }

  Result<BareItem> Boolean() {
    Consume('?');
    if (Consume('1')) return BareItem(true);
    if (Consume('0')) return BareItem(false);
    return Error("a boolean must be ?0 or ?1");
  }

  std::string_view in_;
};

template <typename T, typename Method>
Result<T> ParseWhole(std::string_view text, Method method) {
  Parser parser(text);
  BL_RETURN_IF_ERROR(parser.Begin());
  BL_ASSIGN_OR_RETURN(T value, (parser.*method)());
  if (!parser.AtEnd()) return Error("unexpected characters after the value");
  return value;
}

void AppendDigits(std::string& out, int64_t v) { out += std::to_string(v); }

}  // namespace

bool IsValidKey(std::string_view key) {
  if (key.empty() || (!IsLcAlpha(key[0]) && key[0] != '*')) return false;
  return std::all_of(key.begin() + 1, key.end(), [](char c) {
    return IsLcAlpha(c) || IsDigit(c) || c == '_' || c == '-' || c == '.' || c == '*';
  });
}

Result<Item> ParseItem(std::string_view text) {
  Parser parser(text);
  BL_RETURN_IF_ERROR(parser.Begin());
  BL_ASSIGN_OR_RETURN(Item item, parser.ItemValue());
  if (!parser.AtEnd()) return Error("unexpected characters after the item");
  return item;
}

Result<List> ParseList(std::string_view text) { return ParseWhole<List>(text, &Parser::ListValue); }

Result<Dictionary> ParseDictionary(std::string_view text) {
  return ParseWhole<Dictionary>(text, &Parser::DictionaryValue);
}

Result<std::string> SerializeBareItem(const BareItem& item) {
  std::string out;
  if (const int64_t* i = std::get_if<int64_t>(&item)) {
    if (*i > kMaxInteger || *i < -kMaxInteger) return Error("integer out of range");
    AppendDigits(out, *i);
  } else if (const Decimal* d = std::get_if<Decimal>(&item)) {
    constexpr int64_t kMaxThousandths = 999'999'999'999'999;  // 12 integer + 3 fraction digits
    if (d->thousandths > kMaxThousandths || d->thousandths < -kMaxThousandths) {
      return Error("decimal out of range");
    }
    int64_t magnitude = d->thousandths < 0 ? -d->thousandths : d->thousandths;
    if (d->thousandths < 0) out += '-';
    AppendDigits(out, magnitude / 1000);
    out += '.';
    std::string fraction = std::to_string(1000 + magnitude % 1000).substr(1);
    while (fraction.size() > 1 && fraction.back() == '0') fraction.pop_back();
    out += fraction;
  } else if (const std::string* s = std::get_if<std::string>(&item)) {
    out += '"';
    for (char c : *s) {
      if (c < 0x20 || c > 0x7e) return Error("string has a character outside 0x20-0x7e");
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  } else if (const Token* t = std::get_if<Token>(&item)) {
    const std::string& v = t->value;
    if (v.empty() || (!IsAlpha(v[0]) && v[0] != '*') ||
        !std::all_of(v.begin(), v.end(),
                     [](char c) { return IsTchar(c) || c == ':' || c == '/'; })) {
      return Error("invalid token");
    }
    out += v;
  } else if (const Bytes* b = std::get_if<Bytes>(&item)) {
    out += ':';
    out += Base64Encode(*b);
    out += ':';
  } else {
    out += std::get<bool>(item) ? "?1" : "?0";
  }
  return out;
}

Result<std::string> SerializeParameters(const Parameters& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    if (!IsValidKey(key)) return Error("invalid key \"" + key + "\"");
    out += ';';
    out += key;
    const bool* flag = std::get_if<bool>(&value);
    if (flag != nullptr && *flag) continue;
    out += '=';
    BL_ASSIGN_OR_RETURN(std::string v, SerializeBareItem(value));
    out += v;
  }
  return out;
}

Result<std::string> SerializeItem(const Item& item) {
  BL_ASSIGN_OR_RETURN(std::string out, SerializeBareItem(item.value));
  BL_ASSIGN_OR_RETURN(std::string params, SerializeParameters(item.params));
  return out + params;
}

Result<std::string> SerializeInnerList(const InnerList& list) {
  std::string out = "(";
  for (size_t i = 0; i < list.items.size(); ++i) {
    if (i > 0) out += ' ';
    BL_ASSIGN_OR_RETURN(std::string item, SerializeItem(list.items[i]));
    out += item;
  }
  out += ')';
  BL_ASSIGN_OR_RETURN(std::string params, SerializeParameters(list.params));
  return out + params;
}

Result<std::string> SerializeListMember(const ListMember& member) {
  if (const InnerList* list = std::get_if<InnerList>(&member)) return SerializeInnerList(*list);
  return SerializeItem(std::get<Item>(member));
}

Result<std::string> SerializeList(const List& list) {
  if (list.empty()) return Error("an empty list has no serialization");
  std::string out;
  for (size_t i = 0; i < list.size(); ++i) {
    if (i > 0) out += ", ";
    BL_ASSIGN_OR_RETURN(std::string member, SerializeListMember(list[i]));
    out += member;
  }
  return out;
}

Result<std::string> SerializeDictionary(const Dictionary& dict) {
  if (dict.empty()) return Error("an empty dictionary has no serialization");
  std::string out;
  for (size_t i = 0; i < dict.size(); ++i) {
    const auto& [key, member] = dict[i];
    if (!IsValidKey(key)) return Error("invalid key \"" + key + "\"");
    if (i > 0) out += ", ";
    out += key;
    const Item* item = std::get_if<Item>(&member);
    const bool* flag = item != nullptr ? std::get_if<bool>(&item->value) : nullptr;
    if (flag != nullptr && *flag) {
      // A true boolean is written as the bare key plus its parameters.
      BL_ASSIGN_OR_RETURN(std::string params, SerializeParameters(item->params));
      out += params;
      continue;
    }
    out += '=';
    BL_ASSIGN_OR_RETURN(std::string value, SerializeListMember(member));
    out += value;
  }
  return out;
}

const BareItem* FindParameter(const Parameters& params, std::string_view key) {
  for (const auto& [k, v] : params) {
    if (k == key) return &v;
  }
  return nullptr;
}

const ListMember* FindMember(const Dictionary& dict, std::string_view key) {
  for (const auto& [k, v] : dict) {
    if (k == key) return &v;
  }
  return nullptr;
}

}  // namespace backline::crypto::sf
