// Registers the client's subcommands on the `backline` binary:
//
//   CLI::App app{...};
//   backline::client::AddClientCommands(app);
//   CLI11_PARSE(app, argc, argv);
//
// Each subcommand runs from its CLI11 callback during parsing and ends the
// parse by throwing CLI::RuntimeError(exit code) (CLI11's own way out of a
// callback; CLI11_PARSE turns it into `return code` without printing), so
// main's code after CLI11_PARSE only ever runs for the other subcommands.
//
// `context`: nullptr builds the real one when a command runs (CurlTransport,
// the system clock and random source, stdout/stderr, a progress bar when
// stderr is a terminal). Tests pass their own; it must outlive `app`.
#pragma once

#include <CLI/CLI.hpp>

#include "client/commands.h"

namespace backline::client {

void AddClientCommands(CLI::App& app, ClientContext* context = nullptr);

}  // namespace backline::client
