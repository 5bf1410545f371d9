#include "client/merchant.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <thread>

#include "crypto/secure.h"
#include "http/error.h"
#include "http/json.h"
#include "protocol/json_fields.h"

namespace backline::client {

namespace json = boost::json;

std::string JoinUrl(std::string_view base, std::string_view path) {
  while (base.ends_with('/')) base.remove_suffix(1);
  std::string out(base);
  if (!path.starts_with('/')) out += '/';
  out += path;
  return out;
}

Result<json::value> FetchCatalog(HttpTransport& transport, std::string_view merchant_url) {
  HttpRequest request{.method = "GET", .url = JoinUrl(merchant_url, "/v1/catalog")};
  request.headers.emplace_back("Accept", "application/json");
  BL_ASSIGN_OR_RETURN(HttpResponse response, transport.Send(request));
  if (response.status != 200) return http::StatusFromResponse(response.status, response.body);
  return http::ParseJson(response.body, "catalog from " + request.url);
}

namespace {

std::string StringField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return "";
  return std::string(v->as_string());
}

Result<CatalogItem> ParseCatalogItem(const json::value& v, size_t index) {
  const std::string where = "catalog: product " + std::to_string(index);
  if (!v.is_object()) return InvalidArgument(where + " is not an object");
  const json::object& o = v.as_object();
  CatalogItem item;
  item.product_id = StringField(o, "product_id");
  if (item.product_id.empty()) item.product_id = StringField(o, "id");
  if (item.product_id.empty()) return InvalidArgument(where + " has no \"product_id\"");
  item.title = StringField(o, "title");
  item.artist = StringField(o, "artist");
  const json::value* price = o.if_contains("price");
  Result<protocol::Money> money = price != nullptr
                                      ? protocol::Money::FromJson(*price, where + " price")
                                      : protocol::Money::FromJson(v, where);
  if (!money.ok()) return money.status();
  item.price = *std::move(money);
  return item;
}

}  // namespace

Result<std::vector<CatalogItem>> ParseCatalog(const json::value& body) {
  const json::array* products = body.if_array();
  if (products == nullptr && body.is_object()) {
    for (std::string_view key : {"products", "items"}) {
      if (const json::value* v = body.as_object().if_contains(key); v != nullptr) {
        products = v->if_array();
        break;
      }
    }
  }
  if (products == nullptr) {
    return InvalidArgument("catalog: expected {\"products\":[...]} or an array of products");
  }
  std::vector<CatalogItem> items;
  items.reserve(products->size());
  for (size_t i = 0; i < products->size(); ++i) {
    BL_ASSIGN_OR_RETURN(CatalogItem item, ParseCatalogItem((*products)[i], i));
    items.push_back(std::move(item));
  }
  return items;
}

std::string FormatPrice(const protocol::Money& price) {
  static constexpr std::array<std::string_view, 17> kNoMinorUnits = {
      "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
      "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"};
  static constexpr std::array<std::string_view, 7> kThreeMinorDigits = {
      "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"};
  auto in = [&](const auto& list) {
    return std::find(list.begin(), list.end(), price.currency) != list.end();
  };
  int exponent = in(kNoMinorUnits) ? 0 : in(kThreeMinorDigits) ? 3 : 2;
  std::string digits = std::to_string(price.amount < 0 ? -price.amount : price.amount);
  if (exponent > 0) {
    if (digits.size() <= static_cast<size_t>(exponent)) {
      digits.insert(0, static_cast<size_t>(exponent) + 1 - digits.size(), '0');
    }
    digits.insert(digits.size() - static_cast<size_t>(exponent), ".");
  }
  return (price.amount < 0 ? "-" : "") + digits + " " + price.currency;
}

std::string FormatCatalogTable(const std::vector<CatalogItem>& items) {
  std::vector<std::array<std::string, 3>> rows;
  rows.push_back({"ID", "TITLE", "PRICE"});
  for (const CatalogItem& item : items) {
    std::string title = item.artist.empty() ? item.title : item.artist + " - " + item.title;
    rows.push_back({item.product_id, std::move(title), FormatPrice(item.price)});
  }
  std::array<size_t, 2> width{};
  for (const auto& row : rows) {
    for (size_t c = 0; c < width.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  std::string out;
  for (const auto& row : rows) {
    for (size_t c = 0; c < width.size(); ++c) {
      out += row[c];
      out.append(width[c] - row[c].size() + 2, ' ');
    }
    out += row[2];
    out += '\n';
  }
  return out;
}

Status ParseCardExpiry(std::string_view text, protocol::PaymentCard& card) {
  const Status bad = InvalidArgument("--exp must be MM/YY or MM/YYYY, e.g. 12/30");
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return bad;
  std::string_view mm = text.substr(0, slash);
  std::string_view yy = text.substr(slash + 1);
  auto digits = [](std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!digits(mm) || mm.size() > 2 || !digits(yy) || (yy.size() != 2 && yy.size() != 4)) {
    return bad;
  }
  int month = std::stoi(std::string(mm));
  int year = std::stoi(std::string(yy));
  if (yy.size() == 2) year += 2000;
  if (month < 1 || month > 12) return InvalidArgument("--exp: the month must be 01 to 12");
  if (year < 2000 || year > 2099) return InvalidArgument("--exp: the year must be 2000 to 2099");
  card.exp_month = month;
  card.exp_year = year;
  return Status();
}

namespace {

bool Retryable(const Status& transport_status) {
  return transport_status.code() == StatusCode::kUnavailable ||
         transport_status.code() == StatusCode::kDeadlineExceeded;
}

}  // namespace

Result<PlacedOrder> PlaceOrder(HttpTransport& transport, std::string_view merchant_url,
                               const protocol::OrderRequest& order,
                               std::string_view idempotency_key, const OrderOptions& options) {
  HttpRequest request{.method = "POST", .url = JoinUrl(merchant_url, protocol::kOrdersPath)};
  request.headers = {{"Content-Type", "application/json"},
                     {"Accept", "application/json"},
                     {"Idempotency-Key", std::string(idempotency_key)}};
  request.body = protocol::SerializeJson(order.ToJson());
  // The body holds the card number and CVC: wipe it however we leave.
  struct Wipe {
    std::string& s;
    ~Wipe() { crypto::SecureWipe({reinterpret_cast<uint8_t*>(s.data()), s.size()}); }
  } wipe{request.body};

  Result<HttpResponse> response = Unavailable("no attempt made");
  std::chrono::milliseconds backoff = options.first_backoff;
  for (int attempt = 1; attempt <= std::max(1, options.max_attempts); ++attempt) {
    if (attempt > 1) {
      if (options.sleep) {
        options.sleep(backoff);
      } else {
        std::this_thread::sleep_for(backoff);
      }
      backoff *= 2;
    }
    response = transport.Send(request);
    if (!response.ok()) {
      if (Retryable(response.status())) continue;
      return response.status();
    }
    int s = response->status;
    if (s != 502 && s != 503 && s != 504) break;
  }
  if (!response.ok()) return response.status();
  if (response->status != 200 && response->status != 201) {
    return http::StatusFromResponse(response->status, response->body);
  }
  BL_ASSIGN_OR_RETURN(json::value body, http::ParseJson(response->body, "order response"));
  BL_ASSIGN_OR_RETURN(protocol::OrderResponse parsed, protocol::OrderResponse::FromJson(body));
  if (parsed.status != protocol::OrderStatus::kCompleted || !parsed.download_url.has_value()) {
    return FailedPrecondition("order " + parsed.order_id.ToBase32() + " is " +
                              std::string(protocol::OrderStatusName(parsed.status)) +
                              ", not completed: no download URL yet");
  }
  return PlacedOrder{std::move(parsed), std::move(body)};
}

}  // namespace backline::client
