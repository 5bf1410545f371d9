#include "clearinghouse/settings.h"

#include <algorithm>
#include <set>

#include "base/bytes.h"
#include "protocol/json_fields.h"

namespace backline::clearinghouse {
namespace {

constexpr std::string_view kPrefix = "clearinghouse.";

std::string Key(std::string_view rest) { return std::string(kPrefix) + std::string(rest); }
std::string Key(std::string_view list, size_t i, std::string_view field) {
  return Key(std::string(list) + "." + std::to_string(i) + "." + std::string(field));
}

template <size_t N>
Result<std::array<uint8_t, N>> ReadKey(const Config& config, const std::string& key) {
  BL_ASSIGN_OR_RETURN(std::string text, config.GetRequiredString(key));
  Result<Bytes> bytes = Base64UrlDecode(text);
  if (!bytes.ok() || bytes->size() != N) {
    return InvalidArgument("setting '" + key + "' must be base64url of a " + std::to_string(N) +
                           "-byte public key");
  }
  std::array<uint8_t, N> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

Result<std::chrono::seconds> ReadTtl(const Config& config, std::string_view name,
                                     std::chrono::seconds fallback) {
  BL_ASSIGN_OR_RETURN(std::chrono::milliseconds ttl, config.GetDuration(Key(name), fallback));
  if (ttl < std::chrono::seconds(1) || ttl > std::chrono::days(366)) {
    return InvalidArgument("setting '" + Key(name) + "' must be between 1s and 366d");
  }
  return std::chrono::duration_cast<std::chrono::seconds>(ttl);
}

Status CheckName(const std::string& key, const std::string& name) {
  bool ok = !name.empty() && name.size() <= 64 &&
            std::all_of(name.begin(), name.end(), [](char c) {
              return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
                     c == '-';
            });
  if (!ok) return InvalidArgument("setting '" + key + "' must be 1-64 of [A-Za-z0-9._-]");
  return Status::Ok();
}

Status ReadMerchants(const Config& config, Settings& s) {
  for (size_t i = 0; config.Has(Key("merchants", i, "id")); ++i) {
    std::string id = config.GetString(Key("merchants", i, "id"), "");
    BL_RETURN_IF_ERROR(CheckName(Key("merchants", i, "id"), id));
    BL_ASSIGN_OR_RETURN(crypto::X25519PublicKey key,
                        ReadKey<32>(config, Key("merchants", i, "x25519")));
    if (!s.merchants.emplace(id, key).second) {
      return InvalidArgument("merchant \"" + id + "\" is configured twice");
    }
  }
  return Status::Ok();
}

Status ReadDeliveryNodes(const Config& config, Settings& s) {
  std::set<std::string> seen;
  for (size_t i = 0; config.Has(Key("delivery_nodes", i, "id")); ++i) {
    DeliveryNode node;
    node.id = config.GetString(Key("delivery_nodes", i, "id"), "");
    BL_RETURN_IF_ERROR(CheckName(Key("delivery_nodes", i, "id"), node.id));
    BL_ASSIGN_OR_RETURN(node.ed25519, ReadKey<32>(config, Key("delivery_nodes", i, "ed25519")));
    BL_ASSIGN_OR_RETURN(node.url, config.GetRequiredString(Key("delivery_nodes", i, "url")));
    while (!node.url.empty() && node.url.back() == '/') node.url.pop_back();
    if (!protocol::ParseDownloadUrl(protocol::DownloadUrl(node.url, Id(), "t")).ok()) {
      return InvalidArgument("setting '" + Key("delivery_nodes", i, "url") +
                             "' must be an http(s) base URL");
    }
    if (!seen.insert(node.id).second) {
      return InvalidArgument("delivery node \"" + node.id + "\" is configured twice");
    }
    s.delivery_nodes.push_back(std::move(node));
  }
  if (s.delivery_nodes.empty()) {
    return InvalidArgument("no delivery node configured: set '" +
                           Key("delivery_nodes", 0, "id") + "', .ed25519 and .url");
  }
  return Status::Ok();
}

Status ReadProducts(const Config& config, Settings& s) {
  std::set<std::string> seen;
  for (size_t i = 0; config.Has(Key("products", i, "id")); ++i) {
    Product p;
    std::string id_key = Key("products", i, "id");
    Result<Id> id = protocol::ParseId(config.GetString(id_key, ""));
    if (!id.ok()) return InvalidArgument("setting '" + id_key + "' must be a 26-character id");
    p.id = *id;
    BL_ASSIGN_OR_RETURN(p.title, config.GetRequiredString(Key("products", i, "title")));
    BL_ASSIGN_OR_RETURN(p.file, config.GetRequiredString(Key("products", i, "file")));
    BL_ASSIGN_OR_RETURN(p.wholesale.amount,
                        config.GetInt(Key("products", i, "wholesale_amount"), -1));
    if (p.wholesale.amount < 0) {
      return InvalidArgument("setting '" + Key("products", i, "wholesale_amount") +
                             "' must be an amount >= 0 in minor units");
    }
    p.wholesale.currency = config.GetString(Key("products", i, "currency"), "");
    if (!protocol::IsCurrencyCode(p.wholesale.currency)) {
      return InvalidArgument("setting '" + Key("products", i, "currency") +
                             "' must be 3 uppercase letters (ISO 4217)");
    }
    BL_ASSIGN_OR_RETURN(p.download_limit, config.GetInt(Key("products", i, "download_limit"), 3));
    if (p.download_limit < 1 || p.download_limit > 1'000'000) {
      return InvalidArgument("setting '" + Key("products", i, "download_limit") +
                             "' must be between 1 and 1000000");
    }
    if (!seen.insert(p.id.ToBase32()).second) {
      return InvalidArgument("product " + p.id.ToBase32() + " is configured twice");
    }
    s.products.push_back(std::move(p));
  }
  return Status::Ok();
}

}  // namespace

Result<Settings> ReadSettings(const Config& config) {
  Settings s;
  s.id = config.GetString(Key("id"), "clearinghouse");
  BL_RETURN_IF_ERROR(CheckName(Key("id"), s.id));
  s.data_dir = config.GetString(Key("data_dir"), "data/clearinghouse");
  s.content_dir = config.GetString(Key("content_dir"), s.data_dir + "/content");
  s.public_url = config.GetString(Key("public_url"), "");
  while (!s.public_url.empty() && s.public_url.back() == '/') s.public_url.pop_back();
  BL_RETURN_IF_ERROR(ReadMerchants(config, s));
  BL_RETURN_IF_ERROR(ReadDeliveryNodes(config, s));
  BL_ASSIGN_OR_RETURN(s.payment_ed25519, ReadKey<32>(config, Key("payment_ed25519")));
  BL_RETURN_IF_ERROR(ReadProducts(config, s));
  BL_ASSIGN_OR_RETURN(s.reservation_ttl,
                      ReadTtl(config, "reservation_ttl", std::chrono::minutes(15)));
  BL_ASSIGN_OR_RETURN(s.token_ttl, ReadTtl(config, "token_ttl", std::chrono::hours(24)));
  BL_ASSIGN_OR_RETURN(s.lease_ttl, ReadTtl(config, "lease_ttl", std::chrono::hours(1)));
  return s;
}

}  // namespace backline::clearinghouse
