// Talking to a merchant: the catalog (GET /v1/catalog) and orders
// (POST /v1/orders, docs/protocol.md section 1), over an HttpTransport.
//
// Catalog format. The protocol does not pin the catalog yet, so the reader is
// lenient: the body is {"products":[...]} (or "items", or a bare array), each
// product an object with its id in "product_id" or "id", an optional
// "title" and "artist", and its price either as "price":{"amount","currency"}
// or flat "amount" and "currency" (minor units, as everywhere).
//
//   BL_ASSIGN_OR_RETURN(boost::json::value body, FetchCatalog(transport, url));
//   BL_ASSIGN_OR_RETURN(std::vector<CatalogItem> items, ParseCatalog(body));
//   std::cout << FormatCatalogTable(items);
//
// Orders retry on network failures and 502/503/504 answers with the same
// Idempotency-Key, so a retried order is never paid twice: the merchant
// answers a repeated key with its stored answer.
//
// Errors: a merchant's error body becomes its Status (http::StatusFromResponse):
// 402 is kPaymentDeclined whose message starts with the decline code.
//
// Thread-safety: pure functions over a transport used by one thread.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "client/transport.h"
#include "protocol/messages.h"

namespace backline::client {

struct CatalogItem {
  std::string product_id;
  std::string title;
  std::string artist;
  protocol::Money price;
};

// `base` + `path`, without doubling the slash: ("http://m/", "/v1/x").
std::string JoinUrl(std::string_view base, std::string_view path);

// GET <merchant_url>/v1/catalog, parsed as JSON.
Result<boost::json::value> FetchCatalog(HttpTransport& transport, std::string_view merchant_url);
Result<std::vector<CatalogItem>> ParseCatalog(const boost::json::value& body);

// "12.99 EUR", "1299 JPY", "1.299 KWD": minor units in the currency's
// ISO 4217 exponent (2 unless the currency is known to use 0 or 3).
std::string FormatPrice(const protocol::Money& price);
// An aligned text table: ID, TITLE, PRICE (the artist, when present, is
// shown with the title as "artist - title").
std::string FormatCatalogTable(const std::vector<CatalogItem>& items);

// "MM/YY" or "MM/YYYY" into the card's exp_month and exp_year.
Status ParseCardExpiry(std::string_view text, protocol::PaymentCard& card);

struct OrderOptions {
  int max_attempts = 4;
  std::chrono::milliseconds first_backoff{500};  // doubled after each failure
  // How to wait between attempts; empty: std::this_thread::sleep_for.
  std::function<void(std::chrono::milliseconds)> sleep{};
};

struct PlacedOrder {
  protocol::OrderResponse order;
  boost::json::value json;  // the merchant's answer as received
};

// POST <merchant_url>/v1/orders with `idempotency_key`. The order must be
// completed with a download URL; otherwise kFailedPrecondition naming its
// status.
Result<PlacedOrder> PlaceOrder(HttpTransport& transport, std::string_view merchant_url,
                               const protocol::OrderRequest& request,
                               std::string_view idempotency_key, const OrderOptions& options = {});

}  // namespace backline::client
