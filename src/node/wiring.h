// Wiring roles that run in the same node: each role's settings about its
// peers (their URLs and public keys) are filled in from the peers themselves,
// unless the configuration sets them. Separate processes (`backline serve
// ROLE` on several hosts) set the same keys in their config files instead;
// src/node/README.md lists them.
#pragma once

#include <string>
#include <vector>

#include "base/config.h"
#include "base/random.h"
#include "base/status.h"

namespace backline::node {

// Precondition: every hosted role's <role>.public_url and <role>.data_dir are
// set. Creates the identity files (and the payment authority's key file) of
// hosted roles that have none yet, so that their public keys can be handed to
// their peers.
Status WireLocalPeers(Config& config, const std::vector<std::string>& hosted,
                      RandomSource& random);

// The demo's sample catalog: a few products written under <data_dir>/sample
// (deterministic content, so every run offers the same bytes) and listed in
// clearinghouse.products.* unless products are configured already. Issue 5
// replaces this with real releases.
Status AddSampleCatalog(Config& config, const std::string& data_dir);

}  // namespace backline::node
