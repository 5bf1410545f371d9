// Internal: makes sure sodium_init() has run before libsodium is used.
#pragma once

namespace backline::crypto::internal {

// Idempotent and thread-safe; aborts if libsodium cannot initialise, since no
// cryptography is safe without it.
void EnsureSodium();

}  // namespace backline::crypto::internal
