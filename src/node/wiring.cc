#include "node/wiring.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "base/bytes.h"
#include "crypto/hash.h"
#include "payment/payment_keys.h"
#include "protocol/identity.h"

namespace backline::node {
namespace {

bool Hosts(const std::vector<std::string>& hosted, std::string_view role) {
  return std::find(hosted.begin(), hosted.end(), role) != hosted.end();
}

void SetDefault(Config& config, const std::string& key, const std::string& value) {
  if (!config.Has(key)) config.Set(key, value);
}

Status EnsureDir(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Unavailable("cannot create " + path + ": " + ec.message());
  ::chmod(path.c_str(), 0700);
  return Status::Ok();
}

// Loads the role's identity file, creating it on first start.
Result<protocol::PublicKeys> IdentityOf(const Config& config, const std::string& role,
                                        RandomSource& random) {
  std::string dir = config.GetString(role + ".data_dir", "");
  BL_RETURN_IF_ERROR(EnsureDir(dir));
  std::string path = config.GetString(role + ".identity_file", dir + "/identity.json");
  auto loaded = protocol::LoadIdentityFile(path);
  if (loaded.ok()) return loaded->public_keys();
  if (loaded.status().code() != StatusCode::kNotFound) return loaded.status();
  protocol::Identity fresh = protocol::Identity::Generate(random);
  BL_RETURN_IF_ERROR(protocol::SaveIdentityFile(fresh, path));
  return fresh.public_keys();
}

}  // namespace

Status WireLocalPeers(Config& config, const std::vector<std::string>& hosted,
                      RandomSource& random) {
  auto url = [&](const std::string& role) { return config.GetString(role + ".public_url", ""); };
  std::optional<protocol::PublicKeys> ch, merchant, delivery;
  if (Hosts(hosted, "clearinghouse")) {
    BL_ASSIGN_OR_RETURN(ch, IdentityOf(config, "clearinghouse", random));
  }
  if (Hosts(hosted, "merchant")) {
    BL_ASSIGN_OR_RETURN(merchant, IdentityOf(config, "merchant", random));
  }
  if (Hosts(hosted, "delivery")) {
    BL_ASSIGN_OR_RETURN(delivery, IdentityOf(config, "delivery", random));
  }
  if (Hosts(hosted, "payment") && Hosts(hosted, "clearinghouse")) {
    std::string dir = config.GetString("payment.data_dir", "");
    BL_RETURN_IF_ERROR(EnsureDir(dir));
    BL_ASSIGN_OR_RETURN(
        payment::PaymentKeys keys,
        payment::LoadOrCreateKeyFile(config.GetString("payment.key_file", dir + "/payment.key"),
                                     random));
    SetDefault(config, "clearinghouse.payment_ed25519",
               Base64UrlEncode(keys.signing.public_key()));
  }
  if (ch && merchant) {
    SetDefault(config, "merchant.clearinghouse_url", url("clearinghouse"));
    SetDefault(config, "merchant.clearinghouse_x25519", Base64UrlEncode(ch->x25519));
    if (config.KeysWithPrefix("clearinghouse.merchants.").empty()) {
      config.Set("clearinghouse.merchants.0.id", config.GetString("merchant.id", "merchant-1"));
      config.Set("clearinghouse.merchants.0.x25519", Base64UrlEncode(merchant->x25519));
    }
  }
  if (Hosts(hosted, "merchant") && Hosts(hosted, "payment")) {
    SetDefault(config, "merchant.payment_url", url("payment"));
  }
  if (ch && delivery) {
    SetDefault(config, "delivery.clearinghouse_url", url("clearinghouse"));
    SetDefault(config, "delivery.clearinghouse_ed25519", Base64UrlEncode(ch->ed25519));
    if (config.KeysWithPrefix("clearinghouse.delivery_nodes.").empty()) {
      config.Set("clearinghouse.delivery_nodes.0.id",
                 config.GetString("delivery.id", "delivery-1"));
      config.Set("clearinghouse.delivery_nodes.0.ed25519", Base64UrlEncode(delivery->ed25519));
      config.Set("clearinghouse.delivery_nodes.0.url", url("delivery"));
    }
    std::string content = config.GetString("data_dir", "backline-data") + "/content";
    SetDefault(config, "clearinghouse.content_dir", content);
    SetDefault(config, "delivery.content_dir", config.GetString("clearinghouse.content_dir", ""));
  }
  return Status::Ok();
}

Status AddSampleCatalog(Config& config, const std::string& data_dir) {
  if (!config.KeysWithPrefix("clearinghouse.products.").empty()) return Status::Ok();
  struct Sample {
    const char* title;
    size_t size;
    int64_t wholesale;
  };
  const Sample samples[] = {
      {"Backline Sampler, Vol. 1", 1 << 20, 700},
      {"Night Trains (single)", 256 << 10, 90},
      {"Long Form: Live at the Depot", 8 << 20, 1100},
  };
  std::string dir = data_dir + "/sample";
  BL_RETURN_IF_ERROR(EnsureDir(dir));
  for (size_t i = 0; i < std::size(samples); ++i) {
    const Sample& s = samples[i];
    // The product id is derived from the title, so it is the same every run.
    crypto::Sha256Digest digest = crypto::Sha256(AsBytes(s.title));
    std::array<uint8_t, Id::kSize> id_bytes{};
    std::copy_n(digest.begin(), Id::kSize, id_bytes.begin());
    Id id(id_bytes);
    std::string path = dir + "/" + id.ToBase32() + ".bin";
    if (!std::filesystem::exists(path)) {
      DeterministicRandom bytes(i + 1);
      std::ofstream out(path + ".tmp", std::ios::binary | std::ios::trunc);
      std::vector<uint8_t> chunk(64 << 10);
      for (size_t done = 0; done < s.size; done += chunk.size()) {
        bytes.Fill(chunk);
        out.write(reinterpret_cast<const char*>(chunk.data()),
                  static_cast<std::streamsize>(std::min(chunk.size(), s.size - done)));
      }
      out.close();
      if (!out) return Unavailable("cannot write sample product " + path);
      std::filesystem::rename(path + ".tmp", path);
    }
    std::string key = "clearinghouse.products." + std::to_string(i);
    config.Set(key + ".id", id.ToBase32());
    config.Set(key + ".title", s.title);
    config.Set(key + ".file", path);
    config.Set(key + ".wholesale_amount", std::to_string(s.wholesale));
    config.Set(key + ".currency", "EUR");
    config.Set(key + ".download_limit", "3");
  }
  return Status::Ok();
}

}  // namespace backline::node
