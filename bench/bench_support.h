// Helpers shared by the end-to-end benchmarks (purchase_bench, delivery_bench):
// a temporary folder, random product files, buying through a merchant, a
// response sink that only counts, child processes and /proc sampling.
//
// Not a library: header-only, used by bench mains only. Failures that make a
// benchmark meaningless abort with a message (Die), the way a test would.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/bytes.h"
#include "base/id.h"
#include "base/random.h"
#include "base/status.h"
#include "client/curl_transport.h"
#include "client/merchant.h"
#include "protocol/identity.h"
#include "protocol/messages.h"

extern char** environ;

namespace backline::bench {

[[noreturn]] inline void Die(const std::string& what) {
  std::cerr << "bench: " << what << "\n";
  std::exit(1);
}

template <typename T>
T Check(Result<T> r, const std::string& what) {
  if (!r.ok()) Die(what + ": " + r.status().ToString());
  return *std::move(r);
}
inline void Check(const Status& s, const std::string& what) {
  if (!s.ok()) Die(what + ": " + s.ToString());
}

// A fresh folder under $TMPDIR (or /tmp), removed with everything in it.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr && *tmp ? tmp : "/tmp") + "/" + prefix +
                          "-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) Die("mkdtemp " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline void WriteFile(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out) Die("cannot write " + path);
}

// `size` random bytes at `path`.
inline void WriteRandomFile(const std::string& path, uint64_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  std::vector<uint8_t> chunk(1 << 20);
  for (uint64_t done = 0; done < size; done += chunk.size()) {
    SystemRandom::Instance().Fill(chunk);
    out.write(reinterpret_cast<const char*>(chunk.data()),
              static_cast<std::streamsize>(std::min<uint64_t>(chunk.size(), size - done)));
  }
  if (!out) Die("cannot write " + path);
}

// A port that was free a moment ago (the child binds it soon after).
inline uint16_t FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) Die("bind port 0");
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// p in [0, 1] of `values` (sorted in place); nearest rank.
inline double Percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t rank = static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(rank, values.size() - 1)];
}

inline std::string ArgValue(int argc, char** argv, std::string_view name, std::string fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return argv[i + 1];
  }
  return fallback;
}

inline double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// Buys `product` as `buyer` with the test card the payment authority
// approves; returns the download URL.
inline Result<client::PlacedOrder> Buy(client::HttpTransport& transport,
                                       const std::string& merchant_url, const Id& product,
                                       const protocol::Identity& buyer) {
  protocol::OrderRequest order;
  order.product_id = product;
  order.buyer = buyer.public_keys();
  order.payment = {.card_number = "4242424242424242", .exp_month = 12, .exp_year = 2030,
                   .cvc = "123"};
  std::string key = Id::Random(SystemRandom::Instance()).ToBase32();
  return client::PlaceOrder(transport, merchant_url, order, key);
}

// Counts the body bytes of a 200 response and keeps nothing.
class CountingSink final : public client::ResponseSink {
 public:
  Status OnResponse(int status, const client::HeaderList&) override {
    status_ = status;
    return status == 200 ? Status() : Unavailable("HTTP " + std::to_string(status));
  }
  Status OnBody(ByteSpan data) override {
    bytes_ += data.size();
    return Status();
  }
  uint64_t bytes() const { return bytes_; }

 private:
  int status_ = 0;
  uint64_t bytes_ = 0;
};

// A child process with stdout and stderr appended to `log`.
inline pid_t Spawn(const std::vector<std::string>& args, const std::string& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) Die("cannot start " + args[0]);
  return pid;
}

inline void Terminate(pid_t pid) {
  ::kill(pid, SIGTERM);
  for (int i = 0; i < 200; ++i) {
    if (::waitpid(pid, nullptr, WNOHANG) == pid) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

// Waits until GET url answers 200.
inline void WaitHealthy(client::HttpTransport& transport, const std::string& url) {
  for (int i = 0; i < 300; ++i) {
    auto r = transport.Send({.method = "GET", .url = url, .timeout = std::chrono::seconds(2)});
    if (r.ok() && r->status == 200) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  Die(url + " never became healthy");
}

// A field of /proc/<pid>/status in KiB ("VmRSS", "VmHWM"); -1 if absent.
inline long ProcStatusKiB(pid_t pid, std::string_view field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with(field) && line.size() > field.size() && line[field.size()] == ':') {
      return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
    }
  }
  return -1;
}

}  // namespace backline::bench
