#include "crypto/http_signature.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace backline::crypto {
namespace {

constexpr std::string_view kAlgorithm = "ed25519";

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string Lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = LowerAscii(c);
  return out;
}

bool IsTchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += sep;
    out += parts[i];
  }
  return out;
}

// ---- component identifiers ----

enum class SfType { kItem, kList, kDictionary };

// The structured fields whose type we know, for ;sf. RFC 9421 leaves the
// type to the application; an unknown field with ;sf is rejected.
std::optional<SfType> KnownStructuredField(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, SfType>, 12> kTable = {{
      {"accept-signature", SfType::kDictionary},
      {"cache-status", SfType::kList},
      {"content-digest", SfType::kDictionary},
      {"priority", SfType::kDictionary},
      {"proxy-status", SfType::kList},
      {"repr-digest", SfType::kDictionary},
      {"signature", SfType::kDictionary},
      {"signature-input", SfType::kDictionary},
      {"want-content-digest", SfType::kDictionary},
      {"want-repr-digest", SfType::kDictionary},
      {"client-cert", SfType::kItem},
      {"client-cert-chain", SfType::kList},
  }};
  for (const auto& [field, type] : kTable) {
    if (field == name) return type;
  }
  return std::nullopt;
}

// The derived components of RFC 9421 section 2.2 that only requests have.
constexpr std::array<std::string_view, 8> kRequestComponents = {
    "@method",         "@target-uri", "@authority", "@scheme",
    "@request-target", "@path",       "@query",     "@query-param"};

bool IsRequestComponent(std::string_view name) {
  return std::find(kRequestComponents.begin(), kRequestComponents.end(), name) !=
         kRequestComponents.end();
}

// What a component identifier asks for, once its parameters are checked.
struct ComponentOptions {
  bool derived = false;
  bool req = false;
  bool sf = false;
  bool bs = false;
  std::optional<std::string> key;
  std::optional<std::string> name;
};

Status ComponentError(const ComponentId& id, std::string_view why) {
  return InvalidArgument("component \"" + id.name + "\": " + std::string(why));
}

Result<ComponentOptions> CheckComponent(const ComponentId& id) {
  ComponentOptions opts;
  if (id.name.empty()) return InvalidArgument("component: empty name");
  opts.derived = id.name.front() == '@';
  if (id.name == "@signature-params") return ComponentError(id, "cannot be a covered component");
  if (opts.derived && id.name != "@status" && !IsRequestComponent(id.name)) {
    return ComponentError(id, "unknown derived component");
  }
  if (!opts.derived && !std::all_of(id.name.begin(), id.name.end(),
                                    [](char c) { return IsTchar(c) && !(c >= 'A' && c <= 'Z'); })) {
    return ComponentError(id, "a field name must be a lowercase token");
  }
  for (size_t i = 0; i < id.params.size(); ++i) {
    const auto& [key, value] = id.params[i];
    for (size_t j = 0; j < i; ++j) {
      if (id.params[j].first == key) return ComponentError(id, "repeated parameter " + key);
    }
    if (key == "req" || key == "sf" || key == "bs" || key == "tr") {
      const bool* flag = std::get_if<bool>(&value);
      if (flag == nullptr || !*flag) return ComponentError(id, ";" + key + " must be a bare flag");
      if (key != "req" && opts.derived) {
        return ComponentError(id, ";" + key + " applies only to fields");
      }
      if (key == "tr") return Unimplemented("component \"" + id.name + "\": trailers (;tr)");
      opts.req |= key == "req";
      opts.sf |= key == "sf";
      opts.bs |= key == "bs";
    } else if (key == "key" || key == "name") {
      const std::string* text = std::get_if<std::string>(&value);
      if (text == nullptr) return ComponentError(id, ";" + key + " must be a string");
      if (key == "key") {
        if (opts.derived) return ComponentError(id, ";key applies only to fields");
        opts.key = *text;
      } else {
        if (id.name != "@query-param") {
          return ComponentError(id, ";name applies only to @query-param");
        }
        opts.name = *text;
      }
    } else {
      return ComponentError(id, "unknown parameter ;" + key);
    }
  }
  if (opts.bs && (opts.sf || opts.key.has_value())) {
    return ComponentError(id, ";bs cannot be combined with ;sf or ;key");
  }
  if (id.name == "@query-param" && !opts.name.has_value()) {
    return ComponentError(id, "@query-param needs ;name");
  }
  return opts;
}

// ---- component values ----

// One field line's value: obsolete line folding becomes one SP, then SP and
// HTAB are trimmed. Any other CR, LF or NUL is an error.
Result<std::string> CanonicalFieldLine(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\r' || c == '\n') {
      size_t j = i;
      if (raw[j] == '\r' && (++j >= raw.size() || raw[j] != '\n')) {
        return InvalidArgument("field value has a bare CR");
      }
      ++j;  // past LF
      if (j >= raw.size() || (raw[j] != ' ' && raw[j] != '\t')) {
        return InvalidArgument("field value has a line break");
      }
      while (j < raw.size() && (raw[j] == ' ' || raw[j] == '\t')) ++j;
      out += ' ';
      i = j - 1;
    } else if (c == '\0') {
      return InvalidArgument("field value has a NUL");
    } else {
      out += c;
    }
  }
  size_t begin = out.find_first_not_of(" \t");
  if (begin == std::string::npos) return std::string();
  size_t end = out.find_last_not_of(" \t");
  return out.substr(begin, end - begin + 1);
}

Result<std::vector<std::string>> FieldLines(const HttpMessage& message, std::string_view name) {
  auto it = message.fields.find(name);
  if (it == message.fields.end()) {
    return NotFound("message has no field \"" + std::string(name) + "\"");
  }
  std::vector<std::string> lines;
  for (const std::string& raw : it->second) {
    auto line = CanonicalFieldLine(raw);
    if (!line.ok()) return line.status().WithContext("field \"" + std::string(name) + "\"");
    lines.push_back(std::move(line).value());
  }
  return lines;
}

Result<std::string> StrictlySerialized(const ComponentId& id, std::string_view combined) {
  std::optional<SfType> type = KnownStructuredField(id.name);
  if (!type.has_value()) {
    return ComponentError(id, ";sf needs a known structured field type");
  }
  switch (*type) {
    case SfType::kItem: {
      BL_ASSIGN_OR_RETURN(sf::Item item, sf::ParseItem(combined));
      return sf::SerializeItem(item);
    }
    case SfType::kList: {
      BL_ASSIGN_OR_RETURN(sf::List list, sf::ParseList(combined));
      return sf::SerializeList(list);
    }
    case SfType::kDictionary: {
      BL_ASSIGN_OR_RETURN(sf::Dictionary dict, sf::ParseDictionary(combined));
      return sf::SerializeDictionary(dict);
    }
  }
  return Internal("unreachable");
}

Result<std::string> FieldValue(const HttpMessage& message, const ComponentId& id,
                               const ComponentOptions& opts) {
  BL_ASSIGN_OR_RETURN(std::vector<std::string> lines, FieldLines(message, id.name));
  if (opts.bs) {
    for (std::string& line : lines) line = ":" + Base64Encode(AsBytes(line)) + ":";
    return Join(lines, ", ");
  }
  std::string combined = Join(lines, ", ");
  if (opts.key.has_value()) {
    auto dict = sf::ParseDictionary(combined);
    if (!dict.ok()) return dict.status().WithContext("field \"" + id.name + "\" with ;key");
    const sf::ListMember* member = sf::FindMember(*dict, *opts.key);
    if (member == nullptr) {
      return NotFound("field \"" + id.name + "\" has no member \"" + *opts.key + "\"");
    }
    return sf::SerializeListMember(*member);
  }
  if (opts.sf) {
    auto strict = StrictlySerialized(id, combined);
    if (!strict.ok()) return strict.status().WithContext("field \"" + id.name + "\" with ;sf");
    return strict;
  }
  return combined;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded decoding of one name or value: '+' is a
// space, %XX a byte; a '%' without two hex digits stays as it is.
std::string FormDecode(std::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%' && i + 2 < in.size() && HexDigit(in[i + 1]) >= 0 &&
               HexDigit(in[i + 2]) >= 0) {
      out += static_cast<char>(HexDigit(in[i + 1]) * 16 + HexDigit(in[i + 2]));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

std::string PercentEncode(std::string_view in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : in) {
    auto b = static_cast<unsigned char>(c);
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '*' || c == '-' || c == '.' || c == '_';
    if (keep) {
      out += c;
    } else {
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 15];
    }
  }
  return out;
}

Result<std::string> QueryParamValue(const HttpMessage& message, std::string_view name) {
  std::string_view query;
  if (message.query.has_value()) query = *message.query;
  std::optional<std::string> found;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view raw_name = pair.substr(0, eq);
    std::string_view raw_value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    if (PercentEncode(FormDecode(raw_name)) != name) continue;
    // RFC 9421 section 2.2.8: a repeated parameter must not be signed alone.
    if (found.has_value()) {
      return InvalidArgument("query parameter \"" + std::string(name) +
                             "\" occurs more than once; cover @query instead");
    }
    found = PercentEncode(FormDecode(raw_value));
  }
  if (!found.has_value()) return NotFound("query has no parameter \"" + std::string(name) + "\"");
  return std::move(found).value();
}

std::string NormalizedAuthority(const HttpMessage& message) {
  std::string authority = Lowercase(message.authority);
  std::string scheme = Lowercase(message.scheme);
  if (scheme == "https" && authority.ends_with(":443")) authority.resize(authority.size() - 4);
  if (scheme == "http" && authority.ends_with(":80")) authority.resize(authority.size() - 3);
  return authority;
}

std::string RequestTarget(const HttpMessage& message) {
  std::string target = message.path.empty() ? "/" : message.path;
  if (message.query.has_value()) target += "?" + *message.query;
  return target;
}

Result<std::string> DerivedValue(const HttpMessage& message, const ComponentId& id,
                                 const ComponentOptions& opts) {
  const std::string& name = id.name;
  if (name == "@status") {
    if (!message.status.has_value()) return ComponentError(id, "only responses have a status");
    if (*message.status < 100 || *message.status > 999) {
      return ComponentError(id, "status is not a three-digit code");
    }
    return std::to_string(*message.status);
  }
  if (message.status.has_value()) {
    return ComponentError(id, "a request component; on a response it needs ;req");
  }
  if (name == "@method") {
    if (message.method.empty()) return ComponentError(id, "the request has no method");
    return message.method;
  }
  if (name == "@target-uri") {
    return Lowercase(message.scheme) + "://" + NormalizedAuthority(message) +
           RequestTarget(message);
  }
  if (name == "@authority") return NormalizedAuthority(message);
  if (name == "@scheme") return Lowercase(message.scheme);
  if (name == "@request-target") return RequestTarget(message);
  if (name == "@path") return message.path.empty() ? std::string("/") : message.path;
  if (name == "@query") return "?" + message.query.value_or("");
  return QueryParamValue(message, *opts.name);
}

// `"<identifier>": <value>\n`
Result<std::string> ComponentLine(const HttpMessage& message, const ComponentId& id) {
  BL_ASSIGN_OR_RETURN(ComponentOptions opts, CheckComponent(id));
  const HttpMessage* target = &message;
  if (opts.req) {
    if (!message.status.has_value()) return ComponentError(id, ";req is only for responses");
    if (message.request == nullptr) return ComponentError(id, "the response has no request");
    target = message.request;
  }
  BL_ASSIGN_OR_RETURN(std::string value, opts.derived ? DerivedValue(*target, id, opts)
                                                      : FieldValue(*target, id, opts));
  if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
    return ComponentError(id, "value has a CR, LF or NUL");
  }
  BL_ASSIGN_OR_RETURN(std::string identifier, id.Serialize());
  return identifier + ": " + value + "\n";
}

Status CheckDistinct(const std::vector<ComponentId>& components) {
  for (size_t i = 0; i < components.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (components[i].Matches(components[j])) {
        return ComponentError(components[i], "covered more than once");
      }
    }
  }
  return Status::Ok();
}

Result<std::string> BaseWithParamsValue(const HttpMessage& message,
                                        const std::vector<ComponentId>& components,
                                        std::string_view params_value) {
  BL_RETURN_IF_ERROR(CheckDistinct(components));
  std::string base;
  for (const ComponentId& id : components) {
    BL_ASSIGN_OR_RETURN(std::string line, ComponentLine(message, id));
    base += line;
  }
  base += "\"@signature-params\": ";
  base += params_value;
  return base;
}

// ---- Signature-Input / Signature ----

Status SignatureParamsError(std::string_view label, std::string_view why) {
  return InvalidArgument("Signature-Input \"" + std::string(label) + "\": " + std::string(why));
}

Result<SignatureParams> SignatureParamsFromInnerList(std::string_view label,
                                                     const sf::InnerList& list) {
  SignatureParams params;
  for (const sf::Item& item : list.items) {
    const std::string* name = std::get_if<std::string>(&item.value);
    if (name == nullptr) return SignatureParamsError(label, "a component must be a string");
    ComponentId id(*name);
    id.params = item.params;
    auto checked = CheckComponent(id);
    if (!checked.ok())
      return checked.status().WithContext("Signature-Input \"" + std::string(label) + "\"");
    params.components.push_back(std::move(id));
  }
  if (Status distinct = CheckDistinct(params.components); !distinct.ok()) {
    return distinct.WithContext("Signature-Input \"" + std::string(label) + "\"");
  }
  for (const auto& [key, value] : list.params) {
    if (key == "created" || key == "expires") {
      const int64_t* t = std::get_if<int64_t>(&value);
      if (t == nullptr || *t < 0) {
        return SignatureParamsError(label, key + " must be a non-negative integer");
      }
      (key == "created" ? params.created : params.expires) = *t;
      continue;
    }
    std::optional<std::string>* slot = key == "nonce"   ? &params.nonce
                                       : key == "alg"   ? &params.alg
                                       : key == "keyid" ? &params.keyid
                                       : key == "tag"   ? &params.tag
                                                        : nullptr;
    if (slot == nullptr) return SignatureParamsError(label, "unknown parameter " + key);
    const std::string* text = std::get_if<std::string>(&value);
    if (text == nullptr) return SignatureParamsError(label, key + " must be a string");
    *slot = *text;
  }
  return params;
}

Result<sf::InnerList> ToInnerList(const SignatureParams& params) {
  sf::InnerList list;
  for (const ComponentId& id : params.components) {
    BL_RETURN_IF_ERROR(CheckComponent(id).status());
    list.items.push_back(sf::Item{id.name, id.params});
  }
  if (params.created) list.params.emplace_back("created", *params.created);
  if (params.expires) list.params.emplace_back("expires", *params.expires);
  if (params.nonce) list.params.emplace_back("nonce", *params.nonce);
  if (params.alg) list.params.emplace_back("alg", *params.alg);
  if (params.keyid) list.params.emplace_back("keyid", *params.keyid);
  if (params.tag) list.params.emplace_back("tag", *params.tag);
  return list;
}

Result<std::string> CombinedField(const HttpMessage& message, std::string_view name) {
  auto lines = FieldLines(message, name);
  if (!lines.ok()) {
    if (lines.status().code() == StatusCode::kNotFound) {
      return Unauthenticated("message has no " + std::string(name) + " field");
    }
    return lines.status();
  }
  return Join(*lines, ", ");
}

Result<const ParsedSignature*> Choose(const std::vector<ParsedSignature>& signatures,
                                      const SignatureVerifyPolicy& policy) {
  if (policy.label.has_value()) {
    for (const ParsedSignature& s : signatures) {
      if (s.label == *policy.label) return &s;
    }
    return Unauthenticated("no signature labelled \"" + *policy.label + "\"");
  }
  const ParsedSignature* chosen = nullptr;
  for (const ParsedSignature& s : signatures) {
    if (policy.tag.has_value() && s.params.tag != policy.tag) continue;
    if (chosen != nullptr) {
      return InvalidArgument("several signatures qualify; the policy must name a label");
    }
    chosen = &s;
  }
  if (chosen == nullptr) {
    return Unauthenticated("no signature with tag \"" + policy.tag.value_or("") + "\"");
  }
  return chosen;
}

Status CheckPolicy(const ParsedSignature& s, const SignatureVerifyPolicy& policy,
                   const Clock& clock) {
  const SignatureParams& p = s.params;
  if (p.alg.has_value() && *p.alg != kAlgorithm) {
    return InvalidArgument("signature alg \"" + *p.alg + "\" is not supported");
  }
  if (!p.keyid.has_value()) return InvalidArgument("signature has no keyid");
  if (policy.tag.has_value() && p.tag != policy.tag) {
    return Unauthenticated("signature tag is not \"" + *policy.tag + "\"");
  }
  for (const ComponentId& required : policy.required_components) {
    bool covered = std::any_of(p.components.begin(), p.components.end(),
                               [&](const ComponentId& c) { return c.Matches(required); });
    if (!covered) {
      std::string name = required.Serialize().value_or(required.name);
      return Unauthenticated("signature does not cover required component " + name);
    }
  }
  const int64_t now = clock.NowUnixSeconds();
  if (p.created.has_value()) {
    if (*p.created > now + policy.max_future_skew.count()) {
      return Unauthenticated("signature created in the future");
    }
    if (policy.max_age.has_value() && now - *p.created > policy.max_age->count()) {
      return Unauthenticated("signature is too old (created " + std::to_string(now - *p.created) +
                             " s ago)");
    }
  } else if (policy.require_created) {
    return Unauthenticated("signature has no created parameter");
  }
  if (p.expires.has_value() && now >= *p.expires) return Unauthenticated("signature expired");
  return Status::Ok();
}

}  // namespace

bool FieldNameLess::operator()(std::string_view a, std::string_view b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [](char x, char y) { return LowerAscii(x) < LowerAscii(y); });
}

Result<HttpMessage> HttpMessage::Request(std::string_view method, std::string_view target_uri) {
  if (method.empty() || !std::all_of(method.begin(), method.end(), IsTchar)) {
    return InvalidArgument("request: method must be a token");
  }
  if (std::any_of(target_uri.begin(), target_uri.end(), [](char c) {
        auto b = static_cast<unsigned char>(c);
        return b <= 0x20 || b >= 0x7f;
      })) {
    return InvalidArgument("request: target URI has a space, control or non-ASCII character");
  }
  size_t sep = target_uri.find("://");
  std::string_view scheme = target_uri.substr(0, sep);
  if (sep == std::string_view::npos || scheme.empty() ||
      !std::all_of(scheme.begin(), scheme.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
      })) {
    return InvalidArgument("request: target URI must be absolute (scheme://authority/path)");
  }
  std::string_view rest = target_uri.substr(sep + 3);
  rest = rest.substr(0, rest.find('#'));
  size_t path_start = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_start);
  if (authority.empty()) return InvalidArgument("request: target URI has no authority");
  rest = path_start == std::string_view::npos ? std::string_view() : rest.substr(path_start);

  HttpMessage m;
  m.method = std::string(method);
  m.scheme = Lowercase(scheme);
  m.authority = std::string(authority);
  size_t q = rest.find('?');
  m.path = std::string(rest.substr(0, q));
  if (m.path.empty()) m.path = "/";
  if (q != std::string_view::npos) m.query = std::string(rest.substr(q + 1));
  return m;
}

HttpMessage HttpMessage::Response(int status) {
  HttpMessage m;
  m.status = status;
  return m;
}

void HttpMessage::AddField(std::string_view name, std::string_view value) {
  fields[std::string(name)].emplace_back(value);
}

ComponentId ComponentId::QueryParam(std::string_view name) {
  ComponentId id("@query-param");
  id.params.emplace_back("name", std::string(name));
  return id;
}

ComponentId ComponentId::DictionaryMember(std::string_view field, std::string_view key) {
  ComponentId id(field);
  id.params.emplace_back("key", std::string(key));
  return id;
}

ComponentId ComponentId::With(std::string_view flag) const {
  ComponentId id = *this;
  id.params.emplace_back(std::string(flag), true);
  return id;
}

Result<std::string> ComponentId::Serialize() const {
  return sf::SerializeItem(sf::Item{name, params});
}

bool ComponentId::Matches(const ComponentId& other) const {
  if (name != other.name || params.size() != other.params.size()) return false;
  return std::all_of(params.begin(), params.end(), [&](const auto& param) {
    const sf::BareItem* theirs = sf::FindParameter(other.params, param.first);
    return theirs != nullptr && *theirs == param.second;
  });
}

Result<std::string> SerializeSignatureParams(const SignatureParams& params) {
  BL_ASSIGN_OR_RETURN(sf::InnerList list, ToInnerList(params));
  return sf::SerializeInnerList(list);
}

Result<std::string> BuildSignatureBase(const HttpMessage& message, const SignatureParams& params) {
  BL_ASSIGN_OR_RETURN(std::string params_value, SerializeSignatureParams(params));
  return BaseWithParamsValue(message, params.components, params_value);
}

Result<SignatureFields> SignHttpMessage(const HttpMessage& message, std::string_view label,
                                        const SignatureParams& params, const Ed25519KeyPair& key) {
  if (!sf::IsValidKey(label))
    return InvalidArgument("signature label must be a structured-field key");
  if (params.alg.has_value() && *params.alg != kAlgorithm) {
    return InvalidArgument("alg must be \"ed25519\" for an Ed25519 key");
  }
  BL_ASSIGN_OR_RETURN(std::string params_value, SerializeSignatureParams(params));
  BL_ASSIGN_OR_RETURN(std::string base,
                      BaseWithParamsValue(message, params.components, params_value));
  Ed25519Signature signature = key.Sign(AsBytes(base));
  SignatureFields fields;
  fields.signature_input = std::string(label) + "=" + params_value;
  fields.signature = std::string(label) + "=:" + Base64Encode(signature) + ":";
  return fields;
}

Result<std::vector<ParsedSignature>> ParseSignatureFields(std::string_view signature_input,
                                                          std::string_view signature) {
  auto inputs = sf::ParseDictionary(signature_input);
  if (!inputs.ok()) return inputs.status().WithContext("Signature-Input");
  auto values = sf::ParseDictionary(signature);
  if (!values.ok()) return values.status().WithContext("Signature");
  if (inputs->empty()) return InvalidArgument("Signature-Input is empty");

  std::vector<ParsedSignature> out;
  for (const auto& [label, member] : *inputs) {
    const sf::InnerList* list = std::get_if<sf::InnerList>(&member);
    if (list == nullptr) return SignatureParamsError(label, "must be an inner list");
    ParsedSignature parsed;
    parsed.label = label;
    BL_ASSIGN_OR_RETURN(parsed.params, SignatureParamsFromInnerList(label, *list));
    BL_ASSIGN_OR_RETURN(parsed.params_value, sf::SerializeInnerList(*list));

    const sf::ListMember* value = sf::FindMember(*values, label);
    if (value == nullptr) return InvalidArgument("Signature has no \"" + label + "\"");
    const sf::Item* item = std::get_if<sf::Item>(value);
    const Bytes* bytes = item != nullptr ? std::get_if<Bytes>(&item->value) : nullptr;
    if (bytes == nullptr || !item->params.empty()) {
      return InvalidArgument("Signature \"" + label + "\" must be a byte sequence");
    }
    parsed.signature = *bytes;
    out.push_back(std::move(parsed));
  }
  for (const auto& [label, member] : *values) {
    if (sf::FindMember(*inputs, label) == nullptr) {
      return InvalidArgument("Signature \"" + label + "\" has no Signature-Input");
    }
  }
  return out;
}

Result<VerifiedSignature> VerifyHttpMessage(const HttpMessage& message,
                                            const SignatureVerifyPolicy& policy,
                                            const Ed25519KeyLookup& lookup_key,
                                            const Clock& clock) {
  BL_ASSIGN_OR_RETURN(std::string input_field, CombinedField(message, "signature-input"));
  BL_ASSIGN_OR_RETURN(std::string signature_field, CombinedField(message, "signature"));
  BL_ASSIGN_OR_RETURN(std::vector<ParsedSignature> signatures,
                      ParseSignatureFields(input_field, signature_field));
  BL_ASSIGN_OR_RETURN(const ParsedSignature* chosen, Choose(signatures, policy));
  BL_RETURN_IF_ERROR(CheckPolicy(*chosen, policy, clock));
  if (chosen->signature.size() != kEd25519SignatureSize) {
    return InvalidArgument("an ed25519 signature is 64 bytes");
  }

  auto key = lookup_key(*chosen->params.keyid);
  if (!key.ok()) {
    if (key.status().code() == StatusCode::kNotFound) {
      return Unauthenticated("unknown keyid \"" + *chosen->params.keyid + "\"");
    }
    return key.status();
  }
  auto base = BaseWithParamsValue(message, chosen->params.components, chosen->params_value);
  if (!base.ok()) {
    if (base.status().code() == StatusCode::kNotFound) {
      return Unauthenticated("covered component missing: " + base.status().message());
    }
    return base.status();
  }
  if (!Ed25519Verify(*key, AsBytes(*base), chosen->signature)) {
    return Unauthenticated("signature \"" + chosen->label + "\" does not verify");
  }
  return VerifiedSignature{chosen->label, chosen->params};
}

}  // namespace backline::crypto
