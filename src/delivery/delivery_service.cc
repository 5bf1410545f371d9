#include "delivery/delivery_service.h"

#include <utility>

#include "base/logging.h"
#include "protocol/download.h"
#include "protocol/messages.h"

namespace backline::delivery {

void DeliveryService::LockedRandom::Fill(std::span<uint8_t> out) {
  std::lock_guard lock(mu_);
  inner_.Fill(out);
}

DeliveryService::DeliveryService(DeliveryServiceOptions options,
                                 ClearinghouseClient& clearinghouse, CompletionOutbox& outbox,
                                 CompletionSender& sender, const Clock& clock,
                                 RandomSource& random)
    : options_(std::move(options)),
      clearinghouse_(clearinghouse),
      outbox_(outbox),
      sender_(sender),
      clock_(clock),
      random_(random) {}

boost::asio::awaitable<Result<StartedDownload>> DeliveryService::Begin(
    const DownloadRequest& request) {
  Result<VerifiedDownload> verified = CheckDownloadRequest(request, options_.check, clock_);
  if (!verified.ok()) co_return verified.status();
  const protocol::DeliveryTokenClaims& claims = verified->claims;

  Result<ContentFile> file =
      ContentFile::Open(ContentPath(options_.content_dir, claims.content_sha256),
                        static_cast<uint64_t>(claims.content_size));
  if (!file.ok()) {
    GetLogger("delivery")->error("transaction {}: {}", verified->transaction_id.ToBase32(),
                                 file.status().ToString());
    co_return file.status();
  }

  protocol::DeliveryClaimRequest claim_request{.request_id = Id::Random(random_),
                                               .transaction_id = verified->transaction_id,
                                               .delivery_token = verified->token};
  Result<protocol::DeliveryClaim> slot = co_await clearinghouse_.Claim(claim_request);
  if (!slot.ok()) co_return slot.status();

  DownloadOutcome outcome{.delivery_id = slot->delivery_id,
                          .transaction_id = verified->transaction_id,
                          .content_sha256 = claims.content_sha256,
                          .content_size = claims.content_size};
  Result<crypto::Aes128gcmEncoder> encoder = protocol::CreateDownloadEncoder(
      verified->buyer.x25519, verified->transaction_id, random_);
  if (!encoder.ok()) {
    sender_.QueueAbort(outcome.delivery_id, outcome.transaction_id);
    co_return encoder.status();
  }
  co_return StartedDownload{
      .outcome = outcome,
      .body = std::make_unique<EncryptedFileSource>(*std::move(file), *std::move(encoder),
                                                    protocol::kDownloadKeyIdSize)};
}

void DeliveryService::Finish(const DownloadOutcome& outcome, const Status& sent) {
  if (!sent.ok()) {
    GetLogger("delivery")->info("delivery {} interrupted ({}): no completion, aborting",
                                outcome.delivery_id.ToBase32(), sent.ToString());
    sender_.QueueAbort(outcome.delivery_id, outcome.transaction_id);
    return;
  }
  protocol::CompletionRequest completion{.delivery_id = outcome.delivery_id,
                                         .transaction_id = outcome.transaction_id,
                                         .content_sha256 = outcome.content_sha256,
                                         .content_size = outcome.content_size,
                                         .completed_at = clock_.Now()};
  std::string id = outcome.delivery_id.ToBase32();
  outbox_.EnqueueAsync(completion, clock_.NowUnixSeconds(),
                       [&sender = sender_, id](const Status& queued) {
                         if (!queued.ok()) {
                           // The one window where a completion can be lost.
                           GetLogger("delivery")->error(
                               "completion of delivery {} could not be queued: {}", id,
                               queued.ToString());
                         }
                         sender.Wake();
                       });
}

}  // namespace backline::delivery
