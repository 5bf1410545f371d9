// RandomSource: the one source of randomness. Key generation, ids and nonces
// take a RandomSource& so tests can pin ciphertexts and ids; production uses
// SystemRandom (the kernel CSPRNG via getrandom(2)).
//
// Thread-safety: SystemRandom is safe from any thread. DeterministicRandom is
// for tests only, not cryptographically secure, and not thread-safe.
#pragma once

#include <cstdint>
#include <span>

namespace backline {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual void Fill(std::span<uint8_t> out) = 0;
};

class SystemRandom final : public RandomSource {
 public:
  void Fill(std::span<uint8_t> out) override;
  // A process-wide instance; lives forever.
  static SystemRandom& Instance();
};

// A repeatable stream (SplitMix64) for tests that need stable output.
class DeterministicRandom final : public RandomSource {
 public:
  explicit DeterministicRandom(uint64_t seed) : state_(seed) {}
  void Fill(std::span<uint8_t> out) override;

 private:
  uint64_t state_;
};

}  // namespace backline
