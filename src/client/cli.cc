#include "client/cli.h"

#include <unistd.h>

#include <iostream>
#include <memory>

#include "client/curl_transport.h"
#include "crypto/secure.h"

namespace backline::client {

namespace {

// The flags of every command; shared by the options bound into it and the
// callbacks, which live as long as the app.
struct Flags {
  KeygenFlags keygen;
  CatalogFlags catalog;
  BuyFlags buy;
  DownloadFlags download;
};

// Runs `command` with the given or a real context, then ends parsing with
// its exit code.
template <typename F>
void RunAndExit(ClientContext* given, F&& command) {
  int code = 0;
  if (given != nullptr) {
    code = command(*given);
  } else {
    CurlTransport transport;
    ClientContext context{.transport = transport,
                          .clock = SystemClock::Instance(),
                          .random = SystemRandom::Instance(),
                          .out = std::cout,
                          .err = std::cerr,
                          .progress = ::isatty(STDERR_FILENO) == 1};
    code = command(context);
    std::cout.flush();
  }
  throw CLI::RuntimeError(code);
}

void WipeString(std::string& s) {
  crypto::SecureWipe({reinterpret_cast<uint8_t*>(s.data()), s.size()});
  s.clear();
}

}  // namespace

void AddClientCommands(CLI::App& app, ClientContext* context) {
  auto flags = std::make_shared<Flags>();
  const std::string identity_help =
      "Identity file (default: $BACKLINE_IDENTITY or ~/.config/backline/identity.json)";

  CLI::App* keygen = app.add_subcommand("keygen", "Create your identity (signing and download keys)");
  keygen->add_option("--identity", flags->keygen.identity, identity_help);
  keygen->add_flag("--force", flags->keygen.force, "Replace an existing identity file");
  keygen->callback([flags, context] {
    RunAndExit(context, [&](ClientContext& c) { return RunKeygen(flags->keygen, c); });
  });

  CLI::App* catalog = app.add_subcommand("catalog", "List a merchant's products and prices");
  catalog->add_option("MERCHANT_URL", flags->catalog.merchant_url, "e.g. http://127.0.0.1:8081")
      ->required();
  catalog->add_flag("--json", flags->catalog.json, "Print the merchant's JSON");
  catalog->callback([flags, context] {
    RunAndExit(context, [&](ClientContext& c) { return RunCatalog(flags->catalog, c); });
  });

  CLI::App* buy = app.add_subcommand("buy", "Buy a product; prints its download URL");
  buy->add_option("MERCHANT_URL", flags->buy.merchant_url, "e.g. http://127.0.0.1:8081")
      ->required();
  buy->add_option("PRODUCT_ID", flags->buy.product_id, "The product's id (see `catalog`)")
      ->required();
  buy->add_option("--card", flags->buy.card, "Card number, digits only")->required();
  buy->add_option("--exp", flags->buy.exp, "Card expiry, MM/YY")->required();
  buy->add_option("--cvc", flags->buy.cvc, "Card security code")->required();
  buy->add_flag("--json", flags->buy.json, "Print the merchant's order answer as JSON");
  buy->add_option("--identity", flags->buy.identity, identity_help);
  buy->callback([flags, context] {
    RunAndExit(context, [&](ClientContext& c) {
      int code = RunBuy(flags->buy, c);
      WipeString(flags->buy.card);
      WipeString(flags->buy.cvc);
      return code;
    });
  });

  CLI::App* download =
      app.add_subcommand("download", "Download, decrypt and verify a purchase; prints its path");
  download->add_option("URL", flags->download.url, "The download URL from `buy`")->required();
  download->add_option("-o,--output", flags->download.output_dir, "Directory to write into")
      ->check(CLI::ExistingDirectory);
  download->add_option("--identity", flags->download.identity, identity_help);
  download->callback([flags, context] {
    RunAndExit(context, [&](ClientContext& c) { return RunDownload(flags->download, c); });
  });
}

}  // namespace backline::client
