// What the clearinghouse knows, read from Config at start-up: its peers by
// public key (merchants, delivery nodes, the payment authority), its products
// and its lifetimes. src/clearinghouse/README.md lists every key.
//
//   BL_ASSIGN_OR_RETURN(Settings s, ReadSettings(config));
//
// Thread-safety: values.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/config.h"
#include "base/id.h"
#include "base/status.h"
#include "crypto/ed25519.h"
#include "crypto/hash.h"
#include "crypto/x25519.h"
#include "protocol/messages.h"

namespace backline::clearinghouse {

struct DeliveryNode {
  std::string id;
  crypto::Ed25519PublicKey ed25519{};
  std::string url;  // public base URL, no trailing slash: "http://127.0.0.1:8084"
};

struct Product {
  Id id;
  std::string title;
  std::string file;  // the source file imported at start-up
  protocol::Money wholesale;
  int64_t download_limit = 3;
  // Filled by the content import (content_store.h).
  crypto::Sha256Digest content_sha256{};
  int64_t content_size = 0;
};

struct Settings {
  std::string id = "clearinghouse";  // "sender" of our sealed answers
  std::string data_dir;
  std::string content_dir;
  // Set: the absolute URL of this service as delivery nodes address it,
  // used to rebuild @target-uri; empty: "http://" + Host header.
  std::string public_url;
  std::map<std::string, crypto::X25519PublicKey, std::less<>> merchants;
  std::vector<DeliveryNode> delivery_nodes;  // at least one
  crypto::Ed25519PublicKey payment_ed25519{};
  std::vector<Product> products;
  std::chrono::seconds reservation_ttl{15 * 60};
  std::chrono::seconds token_ttl{24 * 3600};
  std::chrono::seconds lease_ttl{3600};
};

// kInvalidArgument naming the key for a missing or malformed setting.
Result<Settings> ReadSettings(const Config& config);

}  // namespace backline::clearinghouse
