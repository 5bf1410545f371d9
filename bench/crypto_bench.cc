// Crypto throughput and rates. Each RFC 8188 figure has its baseline beside
// it: raw OpenSSL AES-128-GCM over the same 16 MiB in one EVP call, so the
// ratio shows what record framing, padding and our buffering cost; the
// ratios are printed after the table.
//
// The codec is timed in both its forms: into a caller's buffer allocated once
// (as the baseline's), and appending to a Bytes, which must zero-fill what it
// grows by.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

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

constexpr size_t kRecords = kStreamSize / (kAes128gcmDefaultRecordSize - 17) + 1;

// RFC 8188 encoding of 16 MiB at the default record size (64 KiB), into a
// buffer allocated once.
void BM_Aes128gcmEncrypt(benchmark::State& state) {
  DeterministicRandom random(2);
  Bytes out(Must(Aes128gcmEncoder::Create(kIkm, random), "encoder").MaxOutputSize(kStreamSize));
  size_t size = 0;
  for (auto _ : state) {
    Aes128gcmEncoder encoder = Must(Aes128gcmEncoder::Create(kIkm, random), "encoder");
    size_t written = 0;
    MustOk(encoder.UpdateInto(Plaintext(), out, written), "encode");
    size = written;
    MustOk(encoder.FinishInto(std::span(out).subspan(size), written), "finish");
    size += written;
    benchmark::DoNotOptimize(out.data());
  }
  if (size != 21 + kStreamSize + 17 * kRecords) Die("unexpected stream size");
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kStreamSize));
  state.counters["records"] = static_cast<double>(kRecords);
}
BENCHMARK(BM_Aes128gcmEncrypt)->Unit(benchmark::kMillisecond);

// The same, appending to a Bytes.
void BM_Aes128gcmEncryptToBytes(benchmark::State& state) {
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
  state.counters["records"] = static_cast<double>(kRecords);
}
BENCHMARK(BM_Aes128gcmEncryptToBytes)->Unit(benchmark::kMillisecond);

const Bytes& Stream() {
  static const Bytes kStream = [] {
    DeterministicRandom random(3);
    Bytes stream;
    Aes128gcmEncoder encoder = Must(Aes128gcmEncoder::Create(kIkm, random), "encoder");
    MustOk(encoder.Update(Plaintext(), stream), "encode");
    MustOk(encoder.Finish(stream), "finish");
    return stream;
  }();
  return kStream;
}

// RFC 8188 decoding of the same, into a buffer allocated once.
void BM_Aes128gcmDecrypt(benchmark::State& state) {
  Bytes out(Must(Aes128gcmDecoder::Create(kIkm), "decoder").MaxOutputSize(Stream().size()));
  size_t size = 0;
  for (auto _ : state) {
    Aes128gcmDecoder decoder = Must(Aes128gcmDecoder::Create(kIkm), "decoder");
    size_t written = 0;
    MustOk(decoder.UpdateInto(Stream(), out, written), "decode");
    size = written;
    MustOk(decoder.FinishInto(std::span(out).subspan(size), written), "finish");
    size += written;
    benchmark::DoNotOptimize(out.data());
  }
  if (size != kStreamSize || !std::equal(Plaintext().begin(), Plaintext().end(), out.begin())) {
    Die("decrypt round trip mismatch");
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kStreamSize));
}
BENCHMARK(BM_Aes128gcmDecrypt)->Unit(benchmark::kMillisecond);

// The same, appending to a Bytes.
void BM_Aes128gcmDecryptToBytes(benchmark::State& state) {
  Bytes out;
  out.reserve(kStreamSize);
  for (auto _ : state) {
    out.clear();
    Aes128gcmDecoder decoder = Must(Aes128gcmDecoder::Create(kIkm), "decoder");
    MustOk(decoder.Update(Stream(), out), "decode");
    MustOk(decoder.Finish(out), "finish");
    benchmark::DoNotOptimize(out.data());
  }
  if (out != Plaintext()) Die("decrypt round trip mismatch");
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kStreamSize));
}
BENCHMARK(BM_Aes128gcmDecryptToBytes)->Unit(benchmark::kMillisecond);

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

// The console table, then each RFC 8188 figure as a fraction of its raw
// AES-GCM baseline (the best run of each, if repeated).
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  // Colours only on a terminal, as the default reporter.
  RatioReporter() : ConsoleReporter(isatty(fileno(stdout)) != 0 ? OO_Color : OO_None) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      auto rate = run.counters.find("bytes_per_second");
      if (run.run_type != Run::RT_Iteration || rate == run.counters.end()) continue;
      double& best = rates_[run.run_name.function_name];
      best = std::max(best, rate->second.value);
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    static constexpr const char* kPairs[][2] = {
        {"BM_Aes128gcmEncrypt", "BM_RawAesGcmBaseline"},
        {"BM_Aes128gcmEncryptToBytes", "BM_RawAesGcmBaseline"},
        {"BM_Aes128gcmDecrypt", "BM_RawAesGcmDecryptBaseline"},
        {"BM_Aes128gcmDecryptToBytes", "BM_RawAesGcmDecryptBaseline"},
    };
    for (const auto& [figure, baseline] : kPairs) {
      if (!rates_.contains(figure) || !rates_.contains(baseline)) continue;
      std::printf("%-28s %5.1f %% of %s\n", figure, 100 * rates_[figure] / rates_[baseline],
                  baseline);
    }
  }

 private:
  std::map<std::string, double> rates_;
};

}  // namespace
}  // namespace backline::crypto

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  backline::crypto::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
