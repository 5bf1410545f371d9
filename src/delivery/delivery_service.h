// DeliveryService: one download from checked request to reported outcome,
// without HTTP routing (delivery_routes.h turns it into a response).
//
//   Result<StartedDownload> d = co_await service.Begin(request);   // checks, slot, encoder
//   ... stream d->body ...
//   service.Finish(d->outcome, sent);   // OK: completion to the outbox; else abort
//
// Begin: CheckDownloadRequest (download_check.h), then opens the content file
// (<content_dir>/<H[0:2]>/<H> for the token's content_sha256; its size must
// be the token's content_size), then claims a slot at the clearinghouse, then
// makes the one-time key: CreateDownloadEncoder to the buyer's X25519 key.
// The file is opened before the slot is claimed so that a missing file costs
// the buyer no slot. Any failure after the claim queues an abort.
//
// Finish: every byte sent -> a CompletionRequest (delivery id, transaction,
// the token's content_sha256 and content_size, now) goes into the durable
// outbox without blocking, and the sender is woken; anything else -> an abort
// is queued (best effort) and nothing is reported complete.
//
// Thread-safety: safe from any number of threads and coroutines. Everything
// passed to the constructor is borrowed and must outlive the service; the
// RandomSource is used under a lock.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <mutex>
#include <string>

#include "base/clock.h"
#include "base/id.h"
#include "base/random.h"
#include "base/status.h"
#include "delivery/clearinghouse_client.h"
#include "delivery/completion_outbox.h"
#include "delivery/completion_sender.h"
#include "delivery/download_check.h"
#include "delivery/encrypted_file_source.h"

namespace backline::delivery {

struct DeliveryServiceOptions {
  std::string public_url;   // "http://127.0.0.1:8084": rebuilds @target-uri
  std::string content_dir;  // the content store, read only
  DownloadCheckOptions check;
};

// What Finish needs to report a download.
struct DownloadOutcome {
  Id delivery_id;
  Id transaction_id;
  crypto::Sha256Digest content_sha256{};
  int64_t content_size = 0;
};

struct StartedDownload {
  DownloadOutcome outcome;
  std::unique_ptr<EncryptedFileSource> body;  // Size() is the Content-Length
};

class DeliveryService {
 public:
  DeliveryService(DeliveryServiceOptions options, ClearinghouseClient& clearinghouse,
                  CompletionOutbox& outbox, CompletionSender& sender, const Clock& clock,
                  RandomSource& random);

  const DeliveryServiceOptions& options() const { return options_; }

  boost::asio::awaitable<Result<StartedDownload>> Begin(const DownloadRequest& request);
  // Must not block (it runs in Response::on_complete).
  void Finish(const DownloadOutcome& outcome, const Status& sent);

 private:
  // A RandomSource that serializes access to the borrowed one.
  class LockedRandom final : public RandomSource {
   public:
    explicit LockedRandom(RandomSource& inner) : inner_(inner) {}
    void Fill(std::span<uint8_t> out) override;

   private:
    std::mutex mu_;
    RandomSource& inner_;
  };

  DeliveryServiceOptions options_;
  ClearinghouseClient& clearinghouse_;
  CompletionOutbox& outbox_;
  CompletionSender& sender_;
  const Clock& clock_;
  LockedRandom random_;
};

}  // namespace backline::delivery
