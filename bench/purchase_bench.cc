// purchase_bench: complete purchases per second with every role in one
// process (a Node hosting merchant, payment, clearinghouse and delivery, each
// on its own loopback port, talking HTTP), and the p50/p99 latency of one
// whole purchase as a buyer lives it:
//
//   1. a fresh buyer identity, POST /v1/orders with an Idempotency-Key
//      (merchant -> clearinghouse reservation -> payment -> clearinghouse);
//   2. the signed GET of the 1 MiB product, decrypted while it arrives, its
//      size and SHA-256 checked against the token (kept in memory, no file);
//   3. the completion recorded durably: the clearinghouse has no read API
//      for purchases, so the buyer polls the clearinghouse's SQLite file
//      (read-only, WAL) every millisecond until the `purchases` row of its
//      transaction is committed; that row is written only after the node's
//      signed completion was accepted.
//
//   purchase_bench [--purchases N] [--buyers C] [--json PATH]
//
// Prints purchases/s, p50, p99 and the mean of each phase; writes the same
// as JSON when --json is given.
#include <sqlite3.h>

#include <atomic>
#include <mutex>

#include "bench_support.h"
#include "base/logging.h"
#include "crypto/aes128gcm.h"
#include "crypto/hash.h"
#include "crypto/secure.h"
#include "node/node.h"
#include "protocol/download.h"
#include "protocol/request_signing.h"

namespace backline::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Decrypts into a reused buffer and hashes the plaintext.
class VerifyingSink final : public client::ResponseSink {
 public:
  explicit VerifyingSink(crypto::Aes128gcmDecoder decoder) : decoder_(std::move(decoder)) {}
  Status OnResponse(int status, const client::HeaderList&) override {
    return status == 200 ? Status() : Unavailable("download: HTTP " + std::to_string(status));
  }
  Status OnBody(ByteSpan data) override {
    if (buffer_.size() < decoder_.MaxOutputSize(data.size())) {
      buffer_.resize(decoder_.MaxOutputSize(data.size()));
    }
    size_t n = 0;
    Status s = decoder_.UpdateInto(data, buffer_, n);
    Consume(n);
    return s;
  }
  Status Finish() {
    if (buffer_.size() < decoder_.MaxOutputSize(0)) buffer_.resize(decoder_.MaxOutputSize(0));
    size_t n = 0;
    Status s = decoder_.FinishInto(buffer_, n);
    Consume(n);
    return s;
  }
  uint64_t size() const { return size_; }
  crypto::Sha256Digest Digest() { return hasher_.Finish(); }

 private:
  void Consume(size_t n) {
    size_ += n;
    hasher_.Update(ByteSpan(buffer_.data(), n));
  }
  crypto::Aes128gcmDecoder decoder_;
  crypto::Sha256Hasher hasher_;
  Bytes buffer_;
  uint64_t size_ = 0;
};

Status DownloadAndVerify(client::HttpTransport& transport, const protocol::Identity& buyer,
                         const std::string& url) {
  BL_ASSIGN_OR_RETURN(protocol::DownloadUrlParts parts, protocol::ParseDownloadUrl(url));
  BL_ASSIGN_OR_RETURN(protocol::DeliveryTokenClaims claims,
                      protocol::ReadDeliveryTokenUnverified(parts.token));
  client::HttpRequest request{.method = "GET", .url = url};
  BL_ASSIGN_OR_RETURN(request.headers,
                      protocol::SignDownloadRequest(url, buyer, SystemClock::Instance()));
  BL_ASSIGN_OR_RETURN(crypto::Aes128gcmDecoder decoder,
                      protocol::CreateDownloadDecoder(buyer.x25519(), parts.transaction_id));
  VerifyingSink sink(std::move(decoder));
  BL_RETURN_IF_ERROR(transport.Stream(request, sink));
  BL_RETURN_IF_ERROR(sink.Finish());
  if (sink.size() != static_cast<uint64_t>(claims.content_size)) {
    return DataLoss("download size differs from the token's");
  }
  if (!crypto::ConstantTimeEqual(sink.Digest(), claims.content_sha256)) {
    return DataLoss("download SHA-256 differs from the token's");
  }
  return Status();
}

// A read-only connection to the clearinghouse's database, one per buyer.
class PurchaseLedgerReader {
 public:
  explicit PurchaseLedgerReader(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      Die("cannot open " + path + " read-only");
    }
    sqlite3_busy_timeout(db_, 1000);
    if (sqlite3_prepare_v2(db_, "SELECT COUNT(*) FROM purchases WHERE transaction_id = ?1", -1,
                           &stmt_, nullptr) != SQLITE_OK) {
      Die(std::string("prepare: ") + sqlite3_errmsg(db_));
    }
  }
  ~PurchaseLedgerReader() {
    sqlite3_finalize(stmt_);
    sqlite3_close(db_);
  }
  // Polls until the purchase of `transaction_id` is committed.
  Status WaitRecorded(const std::string& transaction_id, std::chrono::seconds timeout) {
    Clock::time_point deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      sqlite3_reset(stmt_);
      sqlite3_bind_text(stmt_, 1, transaction_id.c_str(), -1, SQLITE_TRANSIENT);
      if (sqlite3_step(stmt_) == SQLITE_ROW && sqlite3_column_int64(stmt_, 0) > 0) {
        return Status();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return DeadlineExceeded("purchase " + transaction_id + " never recorded");
  }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

struct Sample {
  double order_s, download_s, record_s, total_s;
};

int Run(int argc, char** argv) {
  const int purchases = std::stoi(ArgValue(argc, argv, "--purchases", "1500"));
  const int buyers = std::stoi(ArgValue(argc, argv, "--buyers", "8"));
  const std::string json_path = ArgValue(argc, argv, "--json", "");
  Check(InitLogging({.level = "warn", .json = false, .file = ""}), "logging");

  TempDir dir("backline-purchase-bench");
  const std::string product_file = dir.path() + "/product.bin";
  WriteRandomFile(product_file, 1 << 20);
  const Id product = Id::Random(SystemRandom::Instance());

  Config config;
  config.Set("data_dir", dir.path() + "/data");
  config.Set("http.port", "0");
  config.Set("clearinghouse.products.0.id", product.ToBase32());
  config.Set("clearinghouse.products.0.title", "Bench Pressing");
  config.Set("clearinghouse.products.0.file", product_file);
  config.Set("clearinghouse.products.0.wholesale_amount", "700");
  config.Set("clearinghouse.products.0.currency", "EUR");
  config.Set("clearinghouse.products.0.download_limit", "3");
  auto node = Check(node::Node::Start(config, {"merchant", "payment", "clearinghouse", "delivery"}),
                    "start node");
  const std::string merchant_url = node->RoleUrl("merchant");
  const std::string db_path = dir.path() + "/data/clearinghouse/clearinghouse.db";

  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  std::mutex mu;
  std::vector<Sample> samples;
  auto buyer_loop = [&] {
    client::CurlTransport transport;
    PurchaseLedgerReader ledger(db_path);
    while (next++ < purchases) {
      Clock::time_point t0 = Clock::now();
      protocol::Identity buyer = protocol::Identity::Generate(SystemRandom::Instance());
      auto placed = Buy(transport, merchant_url, product, buyer);
      Clock::time_point t1 = Clock::now();
      Status ok = placed.status();
      if (ok.ok()) ok = DownloadAndVerify(transport, buyer, *placed->order.download_url);
      Clock::time_point t2 = Clock::now();
      if (ok.ok()) ok = ledger.WaitRecorded(placed->order.transaction_id->ToBase32(),
                                            std::chrono::seconds(30));
      Clock::time_point t3 = Clock::now();
      if (!ok.ok()) {
        if (failures++ < 5) std::cerr << "purchase failed: " << ok.ToString() << "\n";
        continue;
      }
      std::lock_guard lock(mu);
      samples.push_back({Seconds(t1 - t0), Seconds(t2 - t1), Seconds(t3 - t2), Seconds(t3 - t0)});
    }
  };

  // Warm-up: one purchase per buyer, unmeasured, then the measured run.
  {
    std::vector<std::thread> threads;
    for (int b = 0; b < buyers; ++b) {
      threads.emplace_back([&] {
        client::CurlTransport transport;
        PurchaseLedgerReader ledger(db_path);
        protocol::Identity buyer = protocol::Identity::Generate(SystemRandom::Instance());
        auto placed = Check(Buy(transport, merchant_url, product, buyer), "warm-up order");
        Check(DownloadAndVerify(transport, buyer, *placed.order.download_url), "warm-up download");
        Check(ledger.WaitRecorded(placed.order.transaction_id->ToBase32(), std::chrono::seconds(30)),
              "warm-up completion");
      });
    }
    for (auto& t : threads) t.join();
  }
  Clock::time_point start = Clock::now();
  {
    std::vector<std::thread> threads;
    for (int b = 0; b < buyers; ++b) threads.emplace_back(buyer_loop);
    for (auto& t : threads) t.join();
  }
  const double elapsed = Seconds(Clock::now() - start);
  node->Stop();

  const size_t done = samples.size();
  std::vector<double> total, order, download, record;
  for (const Sample& s : samples) {
    total.push_back(s.total_s);
    order.push_back(s.order_s);
    download.push_back(s.download_s);
    record.push_back(s.record_s);
  }
  auto mean = [](const std::vector<double>& v) {
    double sum = 0;
    for (double x : v) sum += x;
    return v.empty() ? 0 : sum / static_cast<double>(v.size());
  };
  const double rate = static_cast<double>(done) / elapsed;
  const double p50 = Percentile(total, 0.50) * 1e3;
  const double p99 = Percentile(total, 0.99) * 1e3;
  std::printf("purchases: %zu ok, %d failed, %d buyers, %.2f s\n", done, failures.load(), buyers,
              elapsed);
  std::printf("purchases/s: %.1f\nlatency ms: p50 %.1f  p99 %.1f\n", rate, p50, p99);
  std::printf("mean ms: order %.1f  download+verify %.1f  until recorded %.1f\n",
              mean(order) * 1e3, mean(download) * 1e3, mean(record) * 1e3);
  if (!json_path.empty()) {
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "{\"purchases\":%zu,\"failed\":%d,\"buyers\":%d,\"seconds\":%.3f,"
                  "\"purchases_per_second\":%.3f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,"
                  "\"mean_order_ms\":%.2f,\"mean_download_ms\":%.2f,\"mean_record_ms\":%.2f}\n",
                  done, failures.load(), buyers, elapsed, rate, p50, p99, mean(order) * 1e3,
                  mean(download) * 1e3, mean(record) * 1e3);
    WriteFile(json_path, buf);
  }
  return failures.load() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace backline::bench

int main(int argc, char** argv) { return backline::bench::Run(argc, argv); }
