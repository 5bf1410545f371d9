// Idempotency: every mutating call (authorize, capture, void, refund) carries
// an Idempotency-Key chosen by the caller. Keys are scoped per merchant: the
// pair (merchant_id, key) names one request. Only a keyed hash of the key is
// stored (HashIdempotencyKey), never the key.
//
//   - The first request with a key runs, and its answer (success or card
//     decline) is stored with a hash of the request's canonical parameters.
//   - The same key with the same parameters gets the stored answer again,
//     byte for byte, whatever has happened since.
//   - The same key with other parameters (or for another operation) is
//     kConflict (409).
// Errors that change nothing (400, 404, 409 for the state) are not stored: the
// request may be retried with the same key once the cause is fixed.
//
// The canonical parameters never contain a card number or CVC: an
// authorization is hashed with the card's keyed fingerprint and its expiry,
// and the CVC is left out (so a retry that differs only in the CVC replays the
// stored answer: see README.md).
//
// Thread-safety: values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/hash.h"

namespace backline::payment {

inline constexpr std::string_view kIdempotencyKeyHeader = "Idempotency-Key";
inline constexpr size_t kMaxIdempotencyKeySize = 128;

// OK for 1-128 of [A-Za-z0-9._:-]; otherwise kInvalidArgument naming the header.
Status ValidateIdempotencyKey(std::string_view key);

// What the store keeps instead of the key itself: HMAC-SHA256 under `secret`
// of "backline payment idempotency key v1" || 0x00 || key. Keys are the
// caller's free text, and a careless caller might put a card number in one.
crypto::Sha256Digest HashIdempotencyKey(ByteSpan secret, std::string_view key);

// The operations that take a key; their names are part of the request hash.
enum class Operation : uint8_t { kAuthorize, kCapture, kVoid, kRefund };
std::string_view OperationName(Operation operation);  // "authorize", "capture", ...

// SHA-256 over an unambiguous encoding of named fields:
//   "backline payment request v1" || LP(operation) || for each field
//   LP(name) || type byte ('s', 'i' or 'b') || LP(value)
// where LP(x) is x's length as 4 bytes big-endian followed by x, and an
// integer is its 8 bytes big-endian. Order matters: add fields in a fixed
// order.
class RequestHasher {
 public:
  explicit RequestHasher(Operation operation);
  RequestHasher& Text(std::string_view name, std::string_view value);
  RequestHasher& Integer(std::string_view name, int64_t value);
  RequestHasher& Blob(std::string_view name, ByteSpan value);
  crypto::Sha256Digest Finish() const;

 private:
  void Piece(ByteSpan data);
  Bytes encoded_;
};

// An answer as stored and replayed: kOk (a success body) or kPaymentDeclined
// (the decline's error body); `body` is the exact JSON sent.
struct StoredAnswer {
  StatusCode code = StatusCode::kOk;
  std::string body;
  bool replayed = false;  // true when it came from the store
};

// What the store keeps per (merchant_id, key).
struct IdempotencyRecord {
  Operation operation = Operation::kAuthorize;
  crypto::Sha256Digest request_hash{};
  StoredAnswer answer;
};

// The decision for a request whose key already has a record: the stored
// answer (marked replayed) when operation and hash match, else kConflict.
// (Messages do not quote the key: a careless caller might put anything in it.)
Result<StoredAnswer> ReplayOrConflict(const IdempotencyRecord& stored, Operation operation,
                                      const crypto::Sha256Digest& request_hash);

}  // namespace backline::payment
