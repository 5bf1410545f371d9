// Crypto throughput and rates. Each RFC 8188 figure has its baseline beside
// it: raw OpenSSL AES-128-GCM over the same 16 MiB in one EVP call, so the
// ratio shows what record framing, padding and our buffering cost.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>

#include "base/bytes.h"
#include "base/random.h"
#include "crypto/aes128gcm.h"
#include "crypto/ed25519.h"
#include "crypto/hpke.h"

namespace backline::crypto {
namespace {

constexpr size_t kStreamSize = 16 << 20;
constexpr size_t kSmallMessage = 64;

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "crypto_bench: %s\n", what);
  std::abort();
}

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) Die(what);
  return std::move(r).value();
}

void MustOk(const Status& s, const char* what) {
  if (!s.ok()) Die(what);
}

const Bytes& Plaintext() {
  static const Bytes kData = [] {
    Bytes b(kStreamSize);
    DeterministicRandom(1).Fill(b);
    return b;
  }();
  return kData;
}

const Bytes kIkm(16, 0x42);

// RFC 8188 encoding of 16 MiB at the default record size (64 KiB).
void BM_Aes128gcmEncrypt(benchmark::State& state) {
  DeterministicRandom random(2);
  Bytes out;
  out.reserve(kStreamSize + kStreamSize / 1000 + 4096);
  for (auto _ : state) {
    out.clear();
    Aes128gcmEncoder encoder = Must(Aes128gcmEncoder::Create(kIkm, random), "encoder");
    MustOk(encoder.Update(Plaintext(), out), "encode");
    MustOk(encoder.Finish(out), "finish");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kStreamSize));
  const size_t records = kStreamSize / (kAes128gcmDefaultRecordSize - 17) + 1;
  state.counters["records"] = static_cast<double>(records);
}
BENCHMARK(BM_Aes128gcmEncrypt)->Unit(benchmark::kMillisecond);

void BM_Aes128gcmDecrypt(benchmark::State& state) {
  DeterministicRandom random(3);
  Bytes stream;
  Aes128gcmEncoder encoder = Must(Aes128gcmEncoder::Create(kIkm, random), "encoder");
  MustOk(encoder.Update(Plaintext(), stream), "encode");
  MustOk(encoder.Finish(stream), "finish");
  Bytes out;
  out.reserve(kStreamSize);
  for (auto _ : state) {
    out.clear();
    Aes128gcmDecoder decoder = Must(Aes128gcmDecoder::Create(kIkm), "decoder");
    MustOk(decoder.Update(stream, out), "decode");
    MustOk(decoder.Finish(out), "finish");
    benchmark::DoNotOptimize(out.data());
  }
  if (out != Plaintext()) Die("decrypt round trip mismatch");
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kStreamSize));
}
BENCHMARK(BM_Aes128gcmDecrypt)->Unit(benchmark::kMillisecond);

// The baseline: the same 16 MiB through one EVP AES-128-GCM call each way,
// with a context set up once (as AesGcm does), so only the cipher is timed.
// Decryption checks the tag, as the decoder does.
void RawAesGcm(benchmark::State& state, bool encrypt) {
  const Bytes key(16, 0x42), nonce(12, 0x07);
  Bytes in = Plaintext(), out(kStreamSize);
  uint8_t tag[16] = {};
  auto run = [&](EVP_CIPHER_CTX* ctx, bool enc) {
    int len = 0;
    if (EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data(), -1) != 1 ||
        EVP_CipherUpdate(ctx, out.data(), &len, in.data(), static_cast<int>(in.size())) != 1 ||
        (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag) != 1) ||
        EVP_CipherFinal_ex(ctx, out.data() + len, &len) != 1 ||
        (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag) != 1)) {
      Die("EVP AES-GCM failed");
    }
  };
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (ctx == nullptr || EVP_CipherInit_ex(ctx, EVP_aes_128_gcm(), nullptr, key.data(), nullptr,
                                          encrypt ? 1 : 0) != 1) {
    Die("EVP init");
  }
  if (!encrypt) {  // make a real ciphertext and tag to open
    EVP_CIPHER_CTX* sealer = EVP_CIPHER_CTX_new();
    if (sealer == nullptr ||
        EVP_CipherInit_ex(sealer, EVP_aes_128_gcm(), nullptr, key.data(), nullptr, 1) != 1) {
      Die("EVP init");
    }
    run(sealer, true);
    EVP_CIPHER_CTX_free(sealer);
    in.swap(out);
  }
  for (auto _ : state) {
    run(ctx, encrypt);
    benchmark::DoNotOptimize(out.data());
    benchmark::DoNotOptimize(tag);
  }
  if (!encrypt && out != Plaintext()) Die("baseline round trip mismatch");
  EVP_CIPHER_CTX_free(ctx);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kStreamSize));
}
void BM_RawAesGcmBaseline(benchmark::State& state) { RawAesGcm(state, true); }
BENCHMARK(BM_RawAesGcmBaseline)->Unit(benchmark::kMillisecond);
void BM_RawAesGcmDecryptBaseline(benchmark::State& state) { RawAesGcm(state, false); }
BENCHMARK(BM_RawAesGcmDecryptBaseline)->Unit(benchmark::kMillisecond);

// HPKE base mode, single-shot, 64-byte message: two X25519 and a dozen
// HKDF calls per message dominate.
void BM_HpkeSealBase(benchmark::State& state) {
  X25519KeyPair recipient = X25519KeyPair::Generate(SystemRandom::Instance());
  const Bytes info = ToBytes("bench"), aad = ToBytes("aad"), message(kSmallMessage, 0x33);
  for (auto _ : state) {
    HpkeSealed sealed = Must(
        HpkeSealBase(recipient.public_key(), info, aad, message, SystemRandom::Instance()), "seal");
    benchmark::DoNotOptimize(sealed.ciphertext.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_HpkeSealBase)->Unit(benchmark::kMicrosecond);

void BM_HpkeOpenBase(benchmark::State& state) {
  X25519KeyPair recipient = X25519KeyPair::Generate(SystemRandom::Instance());
  const Bytes info = ToBytes("bench"), aad = ToBytes("aad"), message(kSmallMessage, 0x33);
  HpkeSealed sealed = Must(
      HpkeSealBase(recipient.public_key(), info, aad, message, SystemRandom::Instance()), "seal");
  for (auto _ : state) {
    Bytes opened = Must(HpkeOpenBase(sealed.enc, recipient, info, aad, sealed.ciphertext), "open");
    benchmark::DoNotOptimize(opened.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_HpkeOpenBase)->Unit(benchmark::kMicrosecond);

void BM_Ed25519Sign(benchmark::State& state) {
  Ed25519KeyPair key = Ed25519KeyPair::Generate(SystemRandom::Instance());
  const Bytes message(kSmallMessage, 0x44);
  for (auto _ : state) {
    Ed25519Signature signature = key.Sign(message);
    benchmark::DoNotOptimize(signature.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Ed25519Sign)->Unit(benchmark::kMicrosecond);

void BM_Ed25519Verify(benchmark::State& state) {
  Ed25519KeyPair key = Ed25519KeyPair::Generate(SystemRandom::Instance());
  const Bytes message(kSmallMessage, 0x44);
  Ed25519Signature signature = key.Sign(message);
  for (auto _ : state) {
    bool ok = Ed25519Verify(key.public_key(), message, signature);
    if (!ok) Die("verify failed");
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Ed25519Verify)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace backline::crypto

BENCHMARK_MAIN();
