// delivery_bench: the delivery node under download load, each role in its own
// `backline serve ROLE` process (as tests/e2e/purchase_test.cc runs them), so
// that the delivery node's CPU and memory are its own.
//
//   delivery_bench throughput --backline BIN --file PRODUCT --nginx-url URL
//                  [--streams 8] [--rounds 3] [--json PATH]
//     C concurrent streams, each downloading the product `rounds` times, with
//     one client (libcurl, one thread per stream, bytes counted and dropped)
//     against nginx (plain GET of the same file, sendfile) and against the
//     delivery node (signed GET; the node reads, encrypts and streams the
//     RFC 8188 body). The client does not decrypt: the figure is the server's
//     encrypt-and-stream throughput. Best of two alternating runs each.
//
//   delivery_bench memory --backline BIN --file PRODUCT
//                  [--connections 1000] [--seconds 15] [--rate 4096] [--json PATH]
//     `connections` signed downloads opened at once from one thread with
//     non-blocking sockets (small receive buffers), each read at about
//     `rate` bytes/s; the node's VmRSS is sampled every 100 ms, VmHWM at the
//     end. Idle baseline: VmRSS after start-up and one purchase.
//
// One purchase with a download limit of 1,000,000 serves every download.
#include <errno.h>
#include <arpa/inet.h>
#include <sys/resource.h>

#include <atomic>
#include <cstring>
#include <functional>
#include <map>

#include "bench_support.h"
#include "payment/payment_keys.h"
#include "protocol/request_signing.h"

namespace backline::bench {
namespace {

using Clock = std::chrono::steady_clock;

// payment, clearinghouse, delivery and merchant as four processes.
class Deployment {
 public:
  Deployment(const std::string& backline, const std::string& product_file) : dir_("backline-delivery-bench") {
    const std::string root = dir_.path();
    for (const char* role : {"payment", "clearinghouse", "delivery", "merchant"}) {
      ports_[role] = FreePort();
      std::filesystem::create_directories(root + "/" + role);
      std::filesystem::permissions(root + "/" + role, std::filesystem::perms::owner_all);
    }
    SystemRandom& random = SystemRandom::Instance();
    auto payment_keys =
        Check(payment::LoadOrCreateKeyFile(root + "/payment/payment.key", random), "payment key");
    protocol::Identity ch = protocol::Identity::Generate(random);
    protocol::Identity merchant = protocol::Identity::Generate(random);
    protocol::Identity delivery = protocol::Identity::Generate(random);
    Check(protocol::SaveIdentityFile(ch, root + "/clearinghouse/identity.json"), "identity");
    Check(protocol::SaveIdentityFile(merchant, root + "/merchant/identity.json"), "identity");
    Check(protocol::SaveIdentityFile(delivery, root + "/delivery/identity.json"), "identity");
    product_ = Id::Random(random);

    const std::string content = root + "/content";
    Write("payment", "");
    Write("clearinghouse",
          "[clearinghouse]\ncontent_dir = \"" + content + "\"\n"
          "payment_ed25519 = \"" + Base64UrlEncode(payment_keys.signing.public_key()) + "\"\n"
          "[[clearinghouse.merchants]]\nid = \"merchant-1\"\n"
          "x25519 = \"" + Base64UrlEncode(merchant.public_keys().x25519) + "\"\n"
          "[[clearinghouse.delivery_nodes]]\nid = \"delivery-1\"\n"
          "ed25519 = \"" + Base64UrlEncode(delivery.public_keys().ed25519) + "\"\n"
          "url = \"" + Url("delivery") + "\"\n"
          "[[clearinghouse.products]]\nid = \"" + product_.ToBase32() + "\"\n"
          "title = \"Bench Pressing\"\nfile = \"" + product_file + "\"\n"
          "wholesale_amount = 700\ncurrency = \"EUR\"\ndownload_limit = 1000000\n");
    Write("delivery",
          "[delivery]\ncontent_dir = \"" + content + "\"\n"
          "clearinghouse_url = \"" + Url("clearinghouse") + "\"\n"
          "clearinghouse_ed25519 = \"" + Base64UrlEncode(ch.public_keys().ed25519) + "\"\n"
          "[http]\nmax_connections = 4096\n");
    Write("merchant",
          "[merchant]\nclearinghouse_url = \"" + Url("clearinghouse") + "\"\n"
          "clearinghouse_x25519 = \"" + Base64UrlEncode(ch.public_keys().x25519) + "\"\n"
          "payment_url = \"" + Url("payment") + "\"\n");

    client::CurlTransport transport;
    // The clearinghouse imports the product at start: it goes first.
    for (const char* role : {"payment", "clearinghouse", "delivery", "merchant"}) {
      pids_[role] = Spawn({backline, "serve", role, "--config", root + "/" + role + ".toml",
                           "--port", std::to_string(ports_[role]), "--data-dir", root,
                           "--log-level", "warn"},
                          root + "/" + role + ".log");
      WaitHealthy(transport, Url(role) + "/healthz");
    }
    buyer_ = protocol::Identity::Generate(random);
    auto placed = Check(Buy(transport, Url("merchant"), product_, buyer_), "order");
    download_url_ = *placed.order.download_url;
  }
  ~Deployment() {
    for (const char* role : {"merchant", "delivery", "clearinghouse", "payment"}) {
      Terminate(pids_[role]);
    }
  }

  std::string Url(const std::string& role) {
    return "http://127.0.0.1:" + std::to_string(ports_[role]);
  }
  pid_t pid(const std::string& role) { return pids_[role]; }
  uint16_t port(const std::string& role) { return ports_[role]; }
  const std::string& download_url() const { return download_url_; }
  const protocol::Identity& buyer() const { return buyer_; }

 private:
  void Write(const std::string& role, const std::string& toml) {
    WriteFile(dir_.path() + "/" + role + ".toml", toml);
  }
  TempDir dir_;
  Id product_;
  protocol::Identity buyer_ = protocol::Identity::Generate(SystemRandom::Instance());
  std::string download_url_;
  std::map<std::string, uint16_t> ports_;
  std::map<std::string, pid_t> pids_;
};

// ---- throughput ---------------------------------------------------------------------

// Bytes per second of `streams` threads each fetching `rounds` times.
double Throughput(int streams, int rounds, const std::function<client::HttpRequest()>& request,
                  uint64_t expected_bytes) {
  std::atomic<uint64_t> total{0};
  std::atomic<int> failures{0};
  Clock::time_point start = Clock::now();
  std::vector<std::thread> threads;
  for (int s = 0; s < streams; ++s) {
    threads.emplace_back([&] {
      client::CurlTransport transport;
      for (int r = 0; r < rounds; ++r) {
        CountingSink sink;
        Status ok = transport.Stream(request(), sink);
        if (!ok.ok() || sink.bytes() < expected_bytes) {
          if (failures++ < 3) std::cerr << "download failed: " << ok.ToString() << "\n";
        }
        total += sink.bytes();
      }
    });
  }
  for (auto& t : threads) t.join();
  if (failures > 0) Die(std::to_string(failures.load()) + " downloads failed");
  return static_cast<double>(total) / Seconds(Clock::now() - start);
}

// Bytes per second that wrk reads from `url` with `connections` connections
// for `seconds`, sending the headers in `headers` (a wrk Lua script sets
// them); 0 if wrk is missing or its output cannot be parsed.
double WrkBytesPerSecond(const std::string& url, const client::HeaderList& headers,
                         int connections, int seconds, const std::string& work_dir) {
  std::string script = work_dir + "/headers.lua";
  std::string lua;
  for (const auto& [name, value] : headers) {
    // Long brackets: header values carry double quotes (Signature-Input).
    lua += "wrk.headers[\"" + name + "\"] = [==[" + value + "]==]\n";
  }
  WriteFile(script, lua);
  std::string cmd = "wrk -t2 -c" + std::to_string(connections) + " -d" + std::to_string(seconds) +
                    "s --timeout 60s -s " + script + " '" + url + "' 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return 0;
  std::string out;
  char buf[4096];
  while (fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
  pclose(pipe);
  if (out.find("Non-2xx") != std::string::npos) Die("wrk got error responses from " + url);
  size_t at = out.find("Transfer/sec:");
  if (at == std::string::npos) return 0;
  double value = 0;
  char unit[8] = {0};
  if (std::sscanf(out.c_str() + at, "Transfer/sec: %lf%7s", &value, unit) != 2) return 0;
  std::string u(unit);
  double scale = u == "GB" ? 1024.0 * 1024 * 1024 : u == "MB" ? 1024.0 * 1024 : u == "KB" ? 1024.0 : 1;
  return value * scale;
}

int RunThroughput(int argc, char** argv) {
  const std::string file = ArgValue(argc, argv, "--file", "");
  const std::string nginx_url = ArgValue(argc, argv, "--nginx-url", "");
  const int streams = std::stoi(ArgValue(argc, argv, "--streams", "8"));
  const int rounds = std::stoi(ArgValue(argc, argv, "--rounds", "3"));
  const std::string json_path = ArgValue(argc, argv, "--json", "");
  if (file.empty() || nginx_url.empty()) Die("throughput needs --file and --nginx-url");
  const uint64_t size = std::filesystem::file_size(file);

  Deployment d(ArgValue(argc, argv, "--backline", ""), file);
  auto nginx = [&] { return client::HttpRequest{.method = "GET", .url = nginx_url}; };
  auto delivery = [&] {
    client::HttpRequest r{.method = "GET", .url = d.download_url()};
    r.headers = Check(protocol::SignDownloadRequest(d.download_url(), d.buyer(),
                                                    SystemClock::Instance()),
                      "sign");
    return r;
  };
  // The figure: wrk against both, one load tool for like-for-like numbers.
  // A signed request stays valid for 300 s, so wrk may replay it; the
  // product's download limit is set high for the benchmark.
  const int seconds = std::stoi(ArgValue(argc, argv, "--seconds", "8"));
  std::string work = std::filesystem::path(file).parent_path().string();
  double best_nginx = 0, best_delivery = 0;
  for (int repeat = 0; repeat < 2; ++repeat) {
    best_nginx = std::max(best_nginx, WrkBytesPerSecond(nginx_url, {}, streams, seconds, work));
    best_delivery =
        std::max(best_delivery, WrkBytesPerSecond(d.download_url(), delivery().headers, streams,
                                                  seconds, work));
  }
  if (best_nginx == 0 || best_delivery == 0) {
    // No wrk: fall back to the libcurl client (it under-reads nginx, see
    // docs/benchmarks.md), and say so.
    std::printf("wrk unavailable: measuring with the libcurl client instead\n");
    for (int repeat = 0; repeat < 2; ++repeat) {
      best_nginx = std::max(best_nginx, Throughput(streams, rounds, nginx, size));
      best_delivery = std::max(best_delivery, Throughput(streams, rounds, delivery, size));
    }
  }
  const double mib = 1 << 20;
  std::printf("product %.0f MiB, %d connections, wrk %d s, best of 2\n", size / mib, streams,
              seconds);
  std::printf("nginx (sendfile, plain):      %8.1f MiB/s\n", best_nginx / mib);
  std::printf("delivery node (aes128gcm):    %8.1f MiB/s\n", best_delivery / mib);
  std::printf("ratio delivery / nginx:       %8.3f\n", best_delivery / best_nginx);
  if (!json_path.empty()) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "{\"streams\":%d,\"rounds\":%d,\"product_bytes\":%llu,"
                  "\"nginx_bytes_per_second\":%.0f,\"delivery_bytes_per_second\":%.0f}\n",
                  streams, rounds, static_cast<unsigned long long>(size), best_nginx,
                  best_delivery);
    WriteFile(json_path, buf);
  }
  return 0;
}

// ---- memory -------------------------------------------------------------------------

struct SlowConnection {
  int fd = -1;
  bool got_header = false;
  bool ok = false;
};

// A non-blocking connection that sent the signed GET (or fd -1).
SlowConnection OpenSlow(uint16_t port, const std::string& url, const protocol::Identity& buyer) {
  SlowConnection c;
  c.fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int small = 4096;
  ::setsockopt(c.fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(c.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::cerr << "connect: " << std::strerror(errno) << "\n";
    ::close(c.fd);
    c.fd = -1;
    return c;
  }
  std::string target = url.substr(url.find('/', url.find("//") + 2));
  std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                        "\r\n";
  for (auto& [name, value] :
       Check(protocol::SignDownloadRequest(url, buyer, SystemClock::Instance()), "sign")) {
    request += name + ": " + value + "\r\n";
  }
  request += "\r\n";
  if (::send(c.fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    Die("short send");
  }
  ::fcntl(c.fd, F_SETFL, ::fcntl(c.fd, F_GETFL) | O_NONBLOCK);
  return c;
}

// Reads up to `budget` bytes without blocking.
void ReadSome(SlowConnection& c, size_t budget) {
  char buf[4096];
  while (budget > 0 && c.fd >= 0) {
    ssize_t n = ::recv(c.fd, buf, std::min(budget, sizeof buf), 0);
    if (n > 0) {
      if (!c.got_header) {
        c.got_header = true;
        c.ok = std::string_view(buf, static_cast<size_t>(n)).starts_with("HTTP/1.1 200");
        if (!c.ok) std::cerr << "slow download: " << std::string(buf, std::min<ssize_t>(n, 200)) << "\n";
      }
      budget -= static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    ::close(c.fd);  // closed or failed
    c.fd = -1;
  }
}

int RunMemory(int argc, char** argv) {
  const std::string file = ArgValue(argc, argv, "--file", "");
  const int connections = std::stoi(ArgValue(argc, argv, "--connections", "1000"));
  const int seconds = std::stoi(ArgValue(argc, argv, "--seconds", "15"));
  const size_t rate = std::stoul(ArgValue(argc, argv, "--rate", "4096"));
  const std::string json_path = ArgValue(argc, argv, "--json", "");
  if (file.empty()) Die("memory needs --file");

  // Each download holds a socket and the product file open in the node.
  rlimit nofile{};
  ::getrlimit(RLIMIT_NOFILE, &nofile);
  nofile.rlim_cur = nofile.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &nofile);
  if (nofile.rlim_cur < static_cast<rlim_t>(3 * connections + 100)) {
    Die("RLIMIT_NOFILE " + std::to_string(nofile.rlim_cur) + " is too low");
  }

  Deployment d(ArgValue(argc, argv, "--backline", ""), file);
  const pid_t pid = d.pid("delivery");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const long idle_rss = ProcStatusKiB(pid, "VmRSS");
  const long idle_hwm = ProcStatusKiB(pid, "VmHWM");

  std::vector<SlowConnection> conns;
  long peak_rss = idle_rss;
  const auto tick = std::chrono::milliseconds(100);
  const size_t per_tick = std::max<size_t>(1, rate / 10);
  Clock::time_point start = Clock::now();
  Clock::time_point deadline = start + std::chrono::seconds(seconds);
  while (Clock::now() < deadline) {
    Clock::time_point next_tick = Clock::now() + tick;
    // Open in batches of 100 per tick, so the node's accept queue keeps up.
    for (int i = 0; i < 100 && static_cast<int>(conns.size()) < connections; ++i) {
      conns.push_back(OpenSlow(d.port("delivery"), d.download_url(), d.buyer()));
    }
    for (SlowConnection& c : conns) ReadSome(c, per_tick);
    peak_rss = std::max(peak_rss, ProcStatusKiB(pid, "VmRSS"));
    std::this_thread::sleep_until(next_tick);
  }
  int open = 0, streaming = 0;
  for (const SlowConnection& c : conns) {
    open += c.fd >= 0;
    streaming += c.fd >= 0 && c.ok;
  }
  const long hwm = ProcStatusKiB(pid, "VmHWM");
  for (SlowConnection& c : conns) {
    if (c.fd >= 0) ::close(c.fd);
  }
  const double per_conn_kib =
      streaming > 0 ? static_cast<double>(std::max(hwm, peak_rss) - idle_rss) / streaming : 0;
  std::printf("%d slow downloads (%zu B/s each) for %d s: %d still streaming\n", connections, rate,
              seconds, streaming);
  std::printf("delivery node idle: VmRSS %.1f MiB (VmHWM %.1f MiB)\n", idle_rss / 1024.0,
              idle_hwm / 1024.0);
  std::printf("delivery node peak: VmHWM %.1f MiB, sampled VmRSS peak %.1f MiB\n", hwm / 1024.0,
              peak_rss / 1024.0);
  std::printf("per connection over idle: %.1f KiB\n", per_conn_kib);
  if (!json_path.empty()) {
    char buf[384];
    std::snprintf(buf, sizeof buf,
                  "{\"connections\":%d,\"streaming\":%d,\"open\":%d,\"rate_bytes_per_second\":%zu,"
                  "\"seconds\":%d,\"idle_rss_kib\":%ld,\"peak_hwm_kib\":%ld,"
                  "\"peak_rss_kib\":%ld,\"per_connection_kib\":%.2f}\n",
                  connections, streaming, open, rate, seconds, idle_rss, hwm, peak_rss,
                  per_conn_kib);
    WriteFile(json_path, buf);
  }
  return streaming == connections ? 0 : 1;
}

}  // namespace
}  // namespace backline::bench

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "throughput") return backline::bench::RunThroughput(argc, argv);
  if (mode == "memory") return backline::bench::RunMemory(argc, argv);
  std::cerr << "usage: delivery_bench throughput|memory --backline BIN --file PRODUCT ...\n";
  return 2;
}
