#include "client/commands.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "base/bytes.h"
#include "client/download.h"
#include "client/merchant.h"
#include "client/progress.h"
#include "crypto/secure.h"
#include "protocol/identity.h"
#include "protocol/json_fields.h"
#include "protocol/messages.h"

namespace backline::client {

namespace {

std::optional<std::string> GetEnv(const ClientContext& context, const char* name) {
  if (context.getenv) return context.getenv(name);
  const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): CLI start-up
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

int Fail(ClientContext& context, std::string_view command, const Status& status) {
  context.err << "backline " << command << ": " << status.ToString() << "\n";
  return 1;
}

// Creates the missing directories of `path`'s parent with mode 0700.
Status MakeParentDirectories(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return Status();
  std::string dir = path.substr(0, slash);
  for (size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos != dir.size() && dir[pos] != '/') continue;
    std::string prefix = dir.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      return Unavailable("cannot create directory " + prefix + ": " + std::strerror(errno));
    }
  }
  return Status();
}

void Wipe(std::string& s) {
  crypto::SecureWipe({reinterpret_cast<uint8_t*>(s.data()), s.size()});
  s.clear();
}

Result<protocol::Identity> LoadIdentity(const std::string& flag, const ClientContext& context) {
  BL_ASSIGN_OR_RETURN(std::string path, IdentityPath(flag, context));
  Result<protocol::Identity> identity = protocol::LoadIdentityFile(path);
  if (identity.status().code() == StatusCode::kNotFound) {
    return NotFound("no identity at " + path + ": run `backline keygen` first");
  }
  return identity;
}

}  // namespace

Result<std::string> IdentityPath(const std::string& flag, const ClientContext& context) {
  if (!flag.empty()) return flag;
  if (auto env = GetEnv(context, "BACKLINE_IDENTITY")) return *env;
  if (auto xdg = GetEnv(context, "XDG_CONFIG_HOME"); xdg && xdg->starts_with('/')) {
    return *xdg + "/backline/identity.json";
  }
  if (auto home = GetEnv(context, "HOME")) return *home + "/.config/backline/identity.json";
  return FailedPrecondition("HOME is not set: pass --identity FILE");
}

int RunKeygen(const KeygenFlags& flags, ClientContext& context) {
  Result<std::string> path = IdentityPath(flags.identity, context);
  if (!path.ok()) return Fail(context, "keygen", path.status());
  if (Status s = MakeParentDirectories(*path); !s.ok()) return Fail(context, "keygen", s);
  protocol::Identity identity = protocol::Identity::Generate(context.random);
  Status saved = protocol::SaveIdentityFile(identity, *path, {.overwrite = flags.force});
  if (saved.code() == StatusCode::kAlreadyExists) {
    context.err << "backline keygen: " << *path
                << " already exists; --force replaces it (its keys, and the downloads they "
                   "unlock, are lost)\n";
    return 1;
  }
  if (!saved.ok()) return Fail(context, "keygen", saved);
  const protocol::PublicKeys& keys = identity.public_keys();
  context.out << "identity: " << *path << "\n"
              << "ed25519:  " << Base64UrlEncode(keys.ed25519) << "\n"
              << "x25519:   " << Base64UrlEncode(keys.x25519) << "\n";
  return 0;
}

int RunCatalog(const CatalogFlags& flags, ClientContext& context) {
  Result<boost::json::value> body = FetchCatalog(context.transport, flags.merchant_url);
  if (!body.ok()) return Fail(context, "catalog", body.status());
  if (flags.json) {
    context.out << protocol::SerializeJson(*body) << "\n";
    return 0;
  }
  Result<std::vector<CatalogItem>> items = ParseCatalog(*body);
  if (!items.ok()) return Fail(context, "catalog", items.status());
  context.out << FormatCatalogTable(*items);
  return 0;
}

int RunBuy(const BuyFlags& flags, ClientContext& context) {
  protocol::OrderRequest order;
  // The card stays in `order` only; wiped on every way out.
  struct WipeCard {
    protocol::PaymentCard& card;
    ~WipeCard() {
      Wipe(card.card_number);
      Wipe(card.cvc);
    }
  } wipe{order.payment};
  order.payment.card_number = flags.card;
  order.payment.cvc = flags.cvc;

  Result<Id> product = protocol::ParseId(flags.product_id);
  if (!product.ok()) {
    return Fail(context, "buy", InvalidArgument("PRODUCT_ID must be a 26-character id"));
  }
  order.product_id = *product;
  if (Status s = ParseCardExpiry(flags.exp, order.payment); !s.ok()) {
    return Fail(context, "buy", s);
  }
  Result<protocol::Identity> identity = LoadIdentity(flags.identity, context);
  if (!identity.ok()) return Fail(context, "buy", identity.status());
  order.buyer = identity->public_keys();

  // One key for every retry of this purchase: the merchant answers a repeat
  // with its stored answer, so a lost response never means paying twice.
  const std::string key = Id::Random(context.random).ToBase32();
  Result<PlacedOrder> placed = PlaceOrder(context.transport, flags.merchant_url, order, key,
                                          {.sleep = context.sleep});
  if (!placed.ok()) {
    const Status& s = placed.status();
    if (flags.json) {
      boost::json::object error{{"code", StatusCodeName(s.code())}, {"message", s.message()}};
      context.out << protocol::SerializeJson(boost::json::object{{"error", error}}) << "\n";
    }
    if (s.code() == StatusCode::kPaymentDeclined) {
      context.err << "backline buy: payment declined: " << s.message() << "\n";
      return 1;
    }
    return Fail(context, "buy", s);
  }
  if (flags.json) {
    context.out << protocol::SerializeJson(placed->json) << "\n";
  } else {
    context.out << *placed->order.download_url << "\n";
  }
  return 0;
}

int RunDownload(const DownloadFlags& flags, ClientContext& context) {
  Result<protocol::Identity> identity = LoadIdentity(flags.identity, context);
  if (!identity.ok()) return Fail(context, "download", identity.status());
  std::optional<ProgressBar> bar;
  if (context.progress) bar.emplace(context.err);
  Result<DownloadedFile> file =
      DownloadProduct(context.transport, *identity, flags.url, context.clock,
                      {.output_dir = flags.output_dir, .progress = bar ? &*bar : nullptr});
  if (!file.ok()) {
    if (bar) context.err << "\n";
    return Fail(context, "download", file.status());
  }
  context.out << file->path << "\n";
  return 0;
}

}  // namespace backline::client
