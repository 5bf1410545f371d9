#include "protocol/messages.h"

#include <algorithm>
#include <array>
#include <boost/json/array.hpp>
#include <string>
#include <vector>

#include "base/bytes.h"

namespace backline::protocol {
namespace {

constexpr std::string_view kDownloadsPrefix = "/v1/downloads/";
constexpr std::string_view kTokenQuery = "?token=";

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result<std::string> Digits(const JsonReader& r, std::string_view name, size_t min, size_t max) {
  BL_ASSIGN_OR_RETURN(std::string s, r.GetString(name));
  if (s.size() < min || s.size() > max || !AllDigits(s)) {
    return r.FieldError(
        name, "must be " + std::to_string(min) + "-" + std::to_string(max) + " decimal digits");
  }
  return s;
}

Result<crypto::Sha256Digest> GetDigest(const JsonReader& r, std::string_view name) {
  BL_ASSIGN_OR_RETURN(Bytes bytes, r.GetBase64Url(name, crypto::kSha256Size));
  crypto::Sha256Digest digest{};
  std::copy(bytes.begin(), bytes.end(), digest.begin());
  return digest;
}

}  // namespace

// ---- Paths --------------------------------------------------------------------

std::string PaymentPath(const Id& transaction_id) {
  return "/v1/transactions/" + transaction_id.ToBase32() + "/payment";
}
std::string ReleasePath(const Id& transaction_id) {
  return "/v1/transactions/" + transaction_id.ToBase32() + "/release";
}
std::string DownloadPath(const Id& transaction_id) {
  return std::string(kDownloadsPrefix) + transaction_id.ToBase32();
}
std::string CompletionPath(const Id& delivery_id) {
  return std::string(kDeliveriesPath) + "/" + delivery_id.ToBase32() + "/complete";
}
std::string AbortPath(const Id& delivery_id) {
  return std::string(kDeliveriesPath) + "/" + delivery_id.ToBase32() + "/abort";
}

std::string DownloadUrl(std::string_view base, const Id& transaction_id, std::string_view token) {
  return std::string(base) + DownloadPath(transaction_id) + std::string(kTokenQuery) +
         std::string(token);
}

Result<DownloadUrlParts> ParseDownloadUrl(std::string_view url) {
  auto bad = [&](std::string_view why) {
    return InvalidArgument("download URL: " + std::string(why));
  };
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    return bad("must start with http:// or https://");
  }
  size_t authority = url.find("://") + 3;
  size_t path = url.find('/', authority);
  if (path == std::string_view::npos || path == authority) return bad("has no host or path");
  DownloadUrlParts parts;
  // Everything from the path on must be exactly "/v1/downloads/<id>?token=<t>"
  // behind some prefix path (a delivery node may sit under "/dl" behind a
  // proxy): take the last occurrence of the downloads prefix.
  size_t at = url.rfind(kDownloadsPrefix);
  if (at == std::string_view::npos || at < path) return bad("path must contain /v1/downloads/");
  parts.base = std::string(url.substr(0, at));
  std::string_view rest = url.substr(at + kDownloadsPrefix.size());
  size_t query = rest.find('?');
  if (query == std::string_view::npos) return bad("has no token");
  Result<Id> id = ParseId(rest.substr(0, query));
  if (!id.ok()) return bad("the transaction id must be 26 lowercase base32 characters");
  parts.transaction_id = *id;
  rest = rest.substr(query);
  if (!rest.starts_with(kTokenQuery)) return bad("the query must be token=<token>");
  std::string_view token = rest.substr(kTokenQuery.size());
  bool token_ok = !token.empty() && std::all_of(token.begin(), token.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
  if (!token_ok) return bad("the token must be a PASETO token ([A-Za-z0-9._-])");
  parts.token = std::string(token);
  return parts;
}

// ---- Money ----------------------------------------------------------------------

bool IsCurrencyCode(std::string_view currency) {
  return currency.size() == 3 &&
         std::all_of(currency.begin(), currency.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

boost::json::object Money::ToJson() const { return {{"amount", amount}, {"currency", currency}}; }

Result<Money> Money::Read(const JsonReader& r, std::string_view amount_field,
                          std::string_view currency_field) {
  Money m;
  BL_ASSIGN_OR_RETURN(m.amount, r.GetInt(amount_field, 0));
  BL_ASSIGN_OR_RETURN(m.currency, r.GetString(currency_field));
  if (!IsCurrencyCode(m.currency)) {
    return r.FieldError(currency_field, "must be 3 uppercase letters (ISO 4217)");
  }
  return m;
}

Result<Money> Money::FromJson(const boost::json::value& value, std::string_view what) {
  BL_ASSIGN_OR_RETURN(JsonReader r, JsonReader::Of(value, what));
  return Read(r);
}

// ---- Orders ----------------------------------------------------------------------

bool LuhnValid(std::string_view digits) {
  if (digits.empty() || !AllDigits(digits)) return false;
  int sum = 0;
  bool twice = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = *it - '0';
    if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

boost::json::object PaymentCard::ToJson() const {
  return {
      {"card_number", card_number}, {"exp_month", exp_month}, {"exp_year", exp_year}, {"cvc", cvc}};
}

Result<PaymentCard> PaymentCard::Read(const JsonReader& r) {
  PaymentCard c;
  BL_ASSIGN_OR_RETURN(c.card_number, Digits(r, "card_number", 12, 19));
  BL_ASSIGN_OR_RETURN(int64_t month, r.GetInt("exp_month", 1, 12));
  BL_ASSIGN_OR_RETURN(int64_t year, r.GetInt("exp_year", 2000, 2099));
  BL_ASSIGN_OR_RETURN(c.cvc, Digits(r, "cvc", 3, 4));
  c.exp_month = static_cast<int>(month);
  c.exp_year = static_cast<int>(year);
  return c;
}

Result<PaymentCard> PaymentCard::FromJson(const boost::json::value& value, std::string_view what) {
  BL_ASSIGN_OR_RETURN(JsonReader r, JsonReader::Of(value, what));
  return Read(r);
}

std::string PaymentCard::last4() const {
  return card_number.size() >= 4 ? card_number.substr(card_number.size() - 4) : card_number;
}

boost::json::object OrderRequest::ToJson() const {
  return {{"product_id", product_id.ToBase32()},
          {"buyer", buyer.ToJson()},
          {"payment", payment.ToJson()}};
}

Result<OrderRequest> OrderRequest::FromJson(const boost::json::value& value) {
  constexpr std::string_view kWhat = "order request";
  BL_ASSIGN_OR_RETURN(JsonReader r, JsonReader::Of(value, kWhat));
  OrderRequest o;
  BL_ASSIGN_OR_RETURN(o.product_id, r.GetId("product_id"));
  BL_ASSIGN_OR_RETURN(JsonReader buyer, r.GetObject("buyer"));
  BL_ASSIGN_OR_RETURN(o.buyer, PublicKeys::Read(buyer));
  BL_ASSIGN_OR_RETURN(JsonReader payment, r.GetObject("payment"));
  BL_ASSIGN_OR_RETURN(o.payment, PaymentCard::Read(payment));
  return o;
}

namespace {
constexpr std::array<std::pair<OrderStatus, std::string_view>, 8> kOrderStatusNames = {{
    {OrderStatus::kNew, "new"},
    {OrderStatus::kReserved, "reserved"},
    {OrderStatus::kAuthorized, "authorized"},
    {OrderStatus::kPaid, "paid"},
    {OrderStatus::kCaptured, "captured"},
    {OrderStatus::kCompleted, "completed"},
    {OrderStatus::kVoided, "voided"},
    {OrderStatus::kFailed, "failed"},
}};
}  // namespace

std::string_view OrderStatusName(OrderStatus status) {
  for (const auto& [s, name] : kOrderStatusNames) {
    if (s == status) return name;
  }
  return "unknown";
}

std::optional<OrderStatus> OrderStatusFromName(std::string_view name) {
  for (const auto& [s, n] : kOrderStatusNames) {
    if (n == name) return s;
  }
  return std::nullopt;
}

boost::json::object OrderResponse::ToJson() const {
  boost::json::object o = {{"order_id", order_id.ToBase32()},
                           {"status", OrderStatusName(status)},
                           {"amount", price.amount},
                           {"currency", price.currency},
                           {"card_last4", card_last4}};
  if (transaction_id.has_value()) o["transaction_id"] = transaction_id->ToBase32();
  if (download_url.has_value()) o["download_url"] = *download_url;
  return o;
}

Result<OrderResponse> OrderResponse::FromJson(const boost::json::value& value) {
  BL_ASSIGN_OR_RETURN(JsonReader r, JsonReader::Of(value, "order response"));
  OrderResponse o;
  BL_ASSIGN_OR_RETURN(o.order_id, r.GetId("order_id"));
  BL_ASSIGN_OR_RETURN(std::string status, r.GetString("status"));
  std::optional<OrderStatus> parsed = OrderStatusFromName(status);
  if (!parsed.has_value()) return r.FieldError("status", "is not an order status");
  o.status = *parsed;
  if (r.Has("transaction_id")) {
    BL_ASSIGN_OR_RETURN(o.transaction_id, r.GetId("transaction_id"));
  }
  if (r.Has("download_url")) {
    BL_ASSIGN_OR_RETURN(o.download_url, r.GetString("download_url"));
  }
  BL_ASSIGN_OR_RETURN(o.price, Money::Read(r));
  BL_ASSIGN_OR_RETURN(o.card_last4, Digits(r, "card_last4", 4, 4));
  return o;
}

// ---- Reservations and payments ------------------------------------------------------

boost::json::object ReservationRequest::ToJson() const {
  return {{"request_id", request_id.ToBase32()},
          {"product_id", product_id.ToBase32()},
          {"binding", Base64UrlEncode(binding)},
          {"retail", retail.ToJson()}};
}

Result<ReservationRequest> ReservationRequest::FromJson(const boost::json::value& value) {
  BL_ASSIGN_OR_RETURN(JsonReader r, JsonReader::Of(value, "reservation-request"));
  ReservationRequest m;
  BL_ASSIGN_OR_RETURN(m.request_id, r.GetId("request_id"));
  BL_ASSIGN_OR_RETURN(m.product_id, r.GetId("product_id"));
  BL_ASSIGN_OR_RETURN(m.binding, GetDigest(r, "binding"));
  BL_ASSIGN_OR_RETURN(JsonReader retail, r.GetObject("retail"));
  BL_ASSIGN_OR_RETURN(m.retail, Money::Read(retail));
  return m;
}

boost::json::object Reservation::ToJson() const {
  return {{"transaction_id", transaction_id.ToBase32()},
          {"product_id", product_id.ToBase32()},
          {"binding", Base64UrlEncode(binding)},
          {"expires_at", FormatRfc3339(expires_at)},
          {"wholesale", wholesale.ToJson()}};
}

Result<Reservation> Reservation::FromJson(const boost::json::value& value) {
  BL_ASSIGN_OR_RETURN(JsonReader r, JsonReader::Of(value, "reservation"));
  Reservation m;
  BL_ASSIGN_OR_RETURN(m.transaction_id, r.GetId("transaction_id"));
  BL_ASSIGN_OR_RETURN(m.product_id, r.GetId("product_id"));
  BL_ASSIGN_OR_RETURN(m.binding, GetDigest(r, "binding"));
  BL_ASSIGN_OR_RETURN(m.expires_at, r.GetTime("expires_at"));
  BL_ASSIGN_OR_RETURN(JsonReader wholesale, r.GetObject("wholesale"));
  BL_ASSIGN_OR_RETURN(m.wholesale, Money::Read(wholesale));
  return m;
}

boost::json::object ReservationRelease::ToJson() const {
  return {{"request_id", request_id.ToBase32()}, {"transaction_id", transaction_id.ToBase32()}};
}

Result<ReservationRelease> ReservationRelease::FromJson(const boost::json::value& value) {
  BL_ASSIGN_OR_RETURN(JsonReader r, JsonReader::Of(value, "reservation-release"));
  ReservationRelease m;
  BL_ASSIGN_OR_RETURN(m.request_id, r.GetId("request_id"));
  BL_ASSIGN_OR_RETURN(m.transaction_id, r.GetId("transaction_id"));
  return m;
}

boost::json::object ReservationReleased::ToJson() const {
  return {{"transaction_id", transaction_id.ToBase32()}, {"status", status}};
}

Result<ReservationReleased> ReservationReleased::FromJson(const boost::json::value& value) {
  BL_ASSIGN_OR_RETURN(JsonReader r, JsonReader::Of(value, "reservation-released"));
  ReservationReleased m;
  BL_ASSIGN_OR_RETURN(m.transaction_id, r.GetId("transaction_id"));
  BL_ASSIGN_OR_RETURN(m.status, r.GetString("status"));
  if (m.status != "released") return r.FieldError("status", "must be \"released\"");
  return m;
}

boost::json::object PaymentRequest::ToJson() const {
  return {{"request_id", request_id.ToBase32()}, {"authorization_token", authorization_token}};
}

Result<PaymentRequest> PaymentRequest::FromJson(const boost::json::value& value) {
  BL_ASSIGN_OR_RETURN(JsonReader r, JsonReader::Of(value, "payment-request"));
  PaymentRequest m;
  BL_ASSIGN_OR_RETURN(m.request_id, r.GetId("request_id"));
  BL_ASSIGN_OR_RETURN(m.authorization_token, r.GetString("authorization_token"));
  if (m.authorization_token.empty()) return r.FieldError("authorization_token", "is empty");
  return m;
}

boost::json::object PaymentAck::ToJson() const {
  return {{"transaction_id", transaction_id.ToBase32()},
          {"delivery_token", delivery_token},
          {"download_url", download_url}};
}

Result<PaymentAck> PaymentAck::FromJson(const boost::json::value& value) {
  BL_ASSIGN_OR_RETURN(JsonReader r, JsonReader::Of(value, "payment-ack"));
  PaymentAck m;
  BL_ASSIGN_OR_RETURN(m.transaction_id, r.GetId("transaction_id"));
  BL_ASSIGN_OR_RETURN(m.delivery_token, r.GetString("delivery_token"));
  if (m.delivery_token.empty()) return r.FieldError("delivery_token", "is empty");
  BL_ASSIGN_OR_RETURN(m.download_url, r.GetString("download_url"));
  if (!ParseDownloadUrl(m.download_url).ok()) {
    return r.FieldError("download_url", "is not a download URL");
  }
  return m;
}

// ---- Inventory and delivery requests ---------------------------------------------------

namespace {

constexpr size_t kMaxTitleBytes = 200;

// An item of "products": read with its own JsonReader, whose errors are then
// re-pathed so they name the item ("products.2.title"), as nested objects do.
Result<InventoryItem> ReadInventoryItem(const boost::json::value& value, size_t index) {
  const std::string prefix = "products." + std::to_string(index);
  if (!value.is_object()) {
    return InvalidArgument("inventory: field \"" + prefix + "\" must be an object");
  }
  auto repath = [&](const Status& s) {
    std::string message = s.message();
    constexpr std::string_view kField = "field \"";
    size_t at = message.find(kField);
    if (at != std::string::npos) message.insert(at + kField.size(), prefix + ".");
    return Status(s.code(), std::move(message));
  };
  JsonReader r = JsonReader::Of(value.as_object(), "inventory");
  InventoryItem item;
  Result<Id> id = r.GetId("product_id");
  if (!id.ok()) return repath(id.status());
  item.product_id = *id;
  Result<std::string> title = r.GetString("title");
  if (!title.ok()) return repath(title.status());
  if (title->empty() || title->size() > kMaxTitleBytes) {
    return repath(r.FieldError("title", "must be 1-200 bytes"));
  }
  item.title = std::move(*title);
  Result<JsonReader> wholesale = r.GetObject("wholesale");
  if (!wholesale.ok()) return repath(wholesale.status());
  Result<Money> money = Money::Read(*wholesale);
  if (!money.ok()) return repath(money.status());
  item.wholesale = std::move(*money);
  Result<int64_t> limit = r.GetInt("download_limit", 1, 1'000'000);
  if (!limit.ok()) return repath(limit.status());
  item.download_limit = *limit;
  return item;
}

}  // namespace

boost::json::object InventoryRequest::ToJson() const {
  return {{"request_id", request_id.ToBase32()}};
}

Result<InventoryRequest> InventoryRequest::FromJson(const boost::json::value& value) {
  BL_ASSIGN_OR_RETURN(JsonReader r, JsonReader::Of(value, "inventory-request"));
  InventoryRequest m;
  BL_ASSIGN_OR_RETURN(m.request_id, r.GetId("request_id"));
  return m;
}

boost::json::object InventoryItem::ToJson() const {
  return {{"product_id", product_id.ToBase32()},
          {"title", title},
          {"wholesale", wholesale.ToJson()},
          {"download_limit", download_limit}};
}

boost::json::object Inventory::ToJson() const {
  boost::json::array items;
  items.reserve(products.size());
  for (const InventoryItem& item : products) items.emplace_back(item.ToJson());
  return {{"products", std::move(items)}};
}

Result<Inventory> Inventory::FromJson(const boost::json::value& value) {
  BL_ASSIGN_OR_RETURN(JsonReader r, JsonReader::Of(value, "inventory"));
  if (!r.Has("products")) return r.FieldError("products", "is missing");
  const boost::json::value& products = value.as_object().at("products");
  if (!products.is_array()) return r.FieldError("products", "must be an array");
  Inventory m;
  m.products.reserve(products.as_array().size());
  for (size_t i = 0; i < products.as_array().size(); ++i) {
    BL_ASSIGN_OR_RETURN(InventoryItem item, ReadInventoryItem(products.as_array()[i], i));
    m.products.push_back(std::move(item));
  }
  return m;
}

boost::json::object DeliveryRequest::ToJson() const {
  return {{"request_id", request_id.ToBase32()}, {"transaction_id", transaction_id.ToBase32()}};
}

Result<DeliveryRequest> DeliveryRequest::FromJson(const boost::json::value& value) {
  BL_ASSIGN_OR_RETURN(JsonReader r, JsonReader::Of(value, "delivery-request"));
  DeliveryRequest m;
  BL_ASSIGN_OR_RETURN(m.request_id, r.GetId("request_id"));
  BL_ASSIGN_OR_RETURN(m.transaction_id, r.GetId("transaction_id"));
  return m;
}

boost::json::object DeliveryAck::ToJson() const {
  return {{"transaction_id", transaction_id.ToBase32()}, {"download_url", download_url}};
}

Result<DeliveryAck> DeliveryAck::FromJson(const boost::json::value& value) {
  BL_ASSIGN_OR_RETURN(JsonReader r, JsonReader::Of(value, "delivery-ack"));
  DeliveryAck m;
  BL_ASSIGN_OR_RETURN(m.transaction_id, r.GetId("transaction_id"));
  BL_ASSIGN_OR_RETURN(m.download_url, r.GetString("download_url"));
  if (!ParseDownloadUrl(m.download_url).ok()) {
    return r.FieldError("download_url", "is not a download URL");
  }
  return m;
}

// ---- Delivery slots and completions ----------------------------------------------------

boost::json::object DeliveryClaimRequest::ToJson() const {
  return {{"request_id", request_id.ToBase32()},
          {"transaction_id", transaction_id.ToBase32()},
          {"delivery_token", delivery_token}};
}

Result<DeliveryClaimRequest> DeliveryClaimRequest::FromJson(const boost::json::value& value) {
  BL_ASSIGN_OR_RETURN(JsonReader r, JsonReader::Of(value, "delivery claim request"));
  DeliveryClaimRequest m;
  BL_ASSIGN_OR_RETURN(m.request_id, r.GetId("request_id"));
  BL_ASSIGN_OR_RETURN(m.transaction_id, r.GetId("transaction_id"));
  BL_ASSIGN_OR_RETURN(m.delivery_token, r.GetString("delivery_token"));
  if (m.delivery_token.empty()) return r.FieldError("delivery_token", "is empty");
  return m;
}

boost::json::object DeliveryClaim::ToJson() const {
  return {{"delivery_id", delivery_id.ToBase32()},
          {"transaction_id", transaction_id.ToBase32()},
          {"lease_expires_at", FormatRfc3339(lease_expires_at)}};
}

Result<DeliveryClaim> DeliveryClaim::FromJson(const boost::json::value& value) {
  BL_ASSIGN_OR_RETURN(JsonReader r, JsonReader::Of(value, "delivery claim"));
  DeliveryClaim m;
  BL_ASSIGN_OR_RETURN(m.delivery_id, r.GetId("delivery_id"));
  BL_ASSIGN_OR_RETURN(m.transaction_id, r.GetId("transaction_id"));
  BL_ASSIGN_OR_RETURN(m.lease_expires_at, r.GetTime("lease_expires_at"));
  return m;
}

boost::json::object CompletionRequest::ToJson() const {
  return {{"delivery_id", delivery_id.ToBase32()},
          {"transaction_id", transaction_id.ToBase32()},
          {"content_sha256", Base64UrlEncode(content_sha256)},
          {"content_size", content_size},
          {"completed_at", FormatRfc3339(completed_at)}};
}

Result<CompletionRequest> CompletionRequest::FromJson(const boost::json::value& value) {
  BL_ASSIGN_OR_RETURN(JsonReader r, JsonReader::Of(value, "completion"));
  CompletionRequest m;
  BL_ASSIGN_OR_RETURN(m.delivery_id, r.GetId("delivery_id"));
  BL_ASSIGN_OR_RETURN(m.transaction_id, r.GetId("transaction_id"));
  BL_ASSIGN_OR_RETURN(m.content_sha256, GetDigest(r, "content_sha256"));
  BL_ASSIGN_OR_RETURN(m.content_size, r.GetInt("content_size", 0));
  BL_ASSIGN_OR_RETURN(m.completed_at, r.GetTime("completed_at"));
  return m;
}

}  // namespace backline::protocol
