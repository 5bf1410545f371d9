// backline: the one binary. Flags -> config -> wiring -> serve; everything
// else lives in libraries shared with the tests.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/config.h"
#include "base/logging.h"
#include "client/cli.h"
#include "http/server.h"
#include "node/node.h"

namespace {

using backline::Config;
using backline::Result;
using backline::Status;

struct CommonFlags {
  std::string config_file;
  std::vector<std::string> overrides;
  std::string log_level = "info";
  bool log_json = false;
  int port = -1;
  std::string host;
  std::string data_dir;
};

void AddCommonFlags(CLI::App& cmd, CommonFlags& flags) {
  cmd.add_option("--config", flags.config_file, "TOML settings file")->check(CLI::ExistingFile);
  cmd.add_option("--set", flags.overrides,
                 "Override a setting, e.g. --set http.port=9000 (repeatable)");
  cmd.add_option("--host", flags.host, "Address to listen on (setting http.host)");
  cmd.add_option("--port", flags.port, "Port to listen on, 0 for any (setting http.port)")
      ->check(CLI::Range(0, 65535));
  cmd.add_option("--data-dir", flags.data_dir,
                 "Folder for every role's database and keys (setting data_dir)");
  cmd.add_option("--log-level", flags.log_level,
                 "trace, debug, info, warn, error, critical or off");
  cmd.add_flag("--log-json", flags.log_json, "Log one JSON object per line");
}

// Settings: file, then BACKLINE_* environment, then --set, then the flags.
Result<Config> LoadConfig(const CommonFlags& flags) {
  Config config;
  if (!flags.config_file.empty()) {
    BL_ASSIGN_OR_RETURN(config, Config::LoadFile(flags.config_file));
  }
  config.ApplyEnvironment(environ);
  for (const std::string& o : flags.overrides) BL_RETURN_IF_ERROR(config.ApplyOverride(o));
  if (!flags.host.empty()) config.Set("http.host", flags.host);
  if (flags.port >= 0) config.Set("http.port", std::to_string(flags.port));
  if (!flags.data_dir.empty()) config.Set("data_dir", flags.data_dir);
  return config;
}

int Fail(const Status& status) {
  std::fprintf(stderr, "backline: %s\n", status.ToString().c_str());
  return 1;
}

int RunNode(const CommonFlags& flags, const std::vector<std::string>& roles) {
  Status s = backline::InitLogging(
      {.level = flags.log_level, .json = flags.log_json, .file = ""});
  if (!s.ok()) return Fail(s);
  Result<Config> config = LoadConfig(flags);
  if (!config.ok()) return Fail(config.status());
  auto node = backline::node::Node::Start(*config, roles);
  if (!node.ok()) return Fail(node.status());

  std::string names;
  for (const auto& r : (*node)->roles()) {
    names += (names.empty() ? "" : ", ") + std::string(r.info.name);
  }
  // Tests and scripts read these lines to find the ports.
  std::printf("backline: serving %s\n", names.c_str());
  for (const auto& r : (*node)->roles()) {
    if (r.implemented) std::printf("backline: %s at %s\n", r.info.name.data(), r.url.c_str());
  }
  std::printf("backline: listening on %s\n", (*node)->BaseUrl().c_str());
  std::fflush(stdout);
  spdlog::info("serving {} on {}", names, (*node)->BaseUrl());

  backline::http::WaitForTerminationSignal();
  spdlog::info("shutting down");
  (*node)->Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Backline: sell and deliver digital music, securely.", "backline"};
  app.set_version_flag("--version", "backline 0.1.0");
  app.require_subcommand(1);

  CommonFlags demo_flags;
  CLI::App* demo = app.add_subcommand(
      "demo", "Run every role in one process on this machine (embedded SQLite, sample catalog)");
  AddCommonFlags(*demo, demo_flags);

  CommonFlags serve_flags;
  std::vector<std::string> roles;
  CLI::App* serve = app.add_subcommand("serve", "Run one or more roles in this process");
  serve->add_option("ROLE", roles,
                    "merchant, payment, clearinghouse, delivery, licensing or rights")
      ->required();
  AddCommonFlags(*serve, serve_flags);

  backline::client::AddClientCommands(app);

  CLI11_PARSE(app, argc, argv);

  if (demo->parsed()) {
    std::vector<std::string> all;
    for (const auto& r : backline::node::KnownRoles()) all.emplace_back(r.name);
    demo_flags.overrides.insert(demo_flags.overrides.begin(), "sample_catalog=true");
    return RunNode(demo_flags, all);
  }
  return RunNode(serve_flags, roles);
}
