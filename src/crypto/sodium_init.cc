#include "crypto/sodium_init.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>

namespace backline::crypto::internal {

void EnsureSodium() {
  static const bool ok = [] { return sodium_init() >= 0; }();
  if (!ok) {
    std::fputs("libsodium failed to initialise\n", stderr);
    std::abort();
  }
}

}  // namespace backline::crypto::internal
