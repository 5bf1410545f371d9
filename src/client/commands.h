// The client's commands as functions: flags in, an exit code out, text on
// the context's streams. cli.h binds them to `backline <command>`; tests
// call them in-process with a real CurlTransport and their own streams.
//
//   keygen    [--identity FILE] [--force]
//   catalog   MERCHANT_URL [--json]
//   buy       MERCHANT_URL PRODUCT_ID --card N --exp MM/YY --cvc NNN [--json] [--identity FILE]
//   download  URL [-o DIR] [--identity FILE]
//
// Output: results on `out` (a download URL, a table, a path, JSON for
// scripts), messages and the progress bar on `err`. Errors print
// "backline <command>: CODE: message" and return 1; a declined card prints
// "payment declined: <reason>".
//
// The identity file: --identity, else $BACKLINE_IDENTITY, else
// $XDG_CONFIG_HOME/backline/identity.json, else
// ~/.config/backline/identity.json. keygen creates missing directories with
// mode 0700 and the file with 0600 (protocol::SaveIdentityFile).
//
// Thread-safety: a ClientContext is used by one command at a time.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <ostream>
#include <string>

#include "base/clock.h"
#include "base/random.h"
#include "base/status.h"
#include "client/transport.h"

namespace backline::client {

// Everything a command touches outside itself; all borrowed, and must
// outlive the command.
struct ClientContext {
  HttpTransport& transport;
  const Clock& clock;
  RandomSource& random;
  std::ostream& out;
  std::ostream& err;
  // Draw a progress bar on `err` (set when stderr is a terminal).
  bool progress = false;
  // Environment lookup; empty: std::getenv.
  std::function<std::optional<std::string>(const char* name)> getenv{};
  // Waits between order retries; empty: std::this_thread::sleep_for.
  std::function<void(std::chrono::milliseconds)> sleep{};
};

struct KeygenFlags {
  std::string identity;  // empty: the default path
  bool force = false;
};

struct CatalogFlags {
  std::string merchant_url;
  bool json = false;
};

struct BuyFlags {
  std::string merchant_url;
  std::string product_id;
  std::string card;
  std::string exp;  // MM/YY
  std::string cvc;
  bool json = false;
  std::string identity;
};

struct DownloadFlags {
  std::string url;
  std::string output_dir = ".";
  std::string identity;
};

// The identity file to use: `flag` if set, else the environment's choice.
// kFailedPrecondition when no HOME is known.
Result<std::string> IdentityPath(const std::string& flag, const ClientContext& context);

int RunKeygen(const KeygenFlags& flags, ClientContext& context);
int RunCatalog(const CatalogFlags& flags, ClientContext& context);
int RunBuy(const BuyFlags& flags, ClientContext& context);
int RunDownload(const DownloadFlags& flags, ClientContext& context);

}  // namespace backline::client
