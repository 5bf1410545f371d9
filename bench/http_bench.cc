// http_bench_server: serves GET /hello -> {"hello":"world"} for wrk.
//
//   http_bench_server [--port N] [--threads N] [--host A]
//   wrk -t2 -c64 -d10s http://127.0.0.1:8080/hello
//
// Prints "listening on HOST:PORT" once bound (port 0 picks one), then serves
// until SIGINT/SIGTERM. Logging stays at warn so it measures the server, not
// the log. Not a Google Benchmark binary: the figures come from wrk.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/json.h"
#include "http/router.h"
#include "http/server.h"

namespace {

int Usage() {
  std::fprintf(stderr, "usage: http_bench_server [--port N] [--threads N] [--host ADDR]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  long port = 8080;
  long threads = 1;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (i + 1 >= argc) return Usage();
    if (arg == "--port") {
      port = std::strtol(argv[++i], nullptr, 10);
    } else if (arg == "--threads") {
      threads = std::strtol(argv[++i], nullptr, 10);
    } else if (arg == "--host") {
      host = argv[++i];
    } else {
      return Usage();
    }
  }
  if (port < 0 || port > 65535 || threads < 1 || threads > 256) return Usage();
  spdlog::set_level(spdlog::level::warn);

  backline::http::Router router;
  router.Get("/hello", [](const backline::http::Request&) {
    return backline::http::JsonResponse({{"hello", "world"}});
  });
  backline::http::ServerOptions options;
  options.name = "bench";
  options.threads = static_cast<int>(threads);
  options.max_connections = 10'000;
  backline::http::Server server(std::move(router), options);
  backline::Result<uint16_t> bound = server.Listen(host, static_cast<uint16_t>(port));
  if (!bound.ok()) {
    std::fprintf(stderr, "http_bench_server: %s\n", bound.status().ToString().c_str());
    return 1;
  }
  std::printf("listening on %s:%u with %ld thread(s)\n", host.c_str(), *bound, threads);
  std::fflush(stdout);
  backline::http::WaitForTerminationSignal();
  server.Stop(std::chrono::seconds(2));
  return 0;
}
