#include "payment/idempotency.h"

#include <algorithm>

namespace backline::payment {

Status ValidateIdempotencyKey(std::string_view key) {
  bool ok = !key.empty() && key.size() <= kMaxIdempotencyKeySize &&
            std::all_of(key.begin(), key.end(), [](char c) {
              return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     c == '.' || c == '_' || c == ':' || c == '-';
            });
  if (!ok) {
    return InvalidArgument("header Idempotency-Key must be 1 to 128 of A-Z a-z 0-9 . _ : -");
  }
  return Status::Ok();
}

crypto::Sha256Digest HashIdempotencyKey(ByteSpan secret, std::string_view key) {
  Bytes input = ToBytes("backline payment idempotency key v1");
  input.push_back(0);
  Append(input, AsBytes(key));
  return crypto::HmacSha256(secret, input);
}

std::string_view OperationName(Operation operation) {
  switch (operation) {
    case Operation::kAuthorize:
      return "authorize";
    case Operation::kCapture:
      return "capture";
    case Operation::kVoid:
      return "void";
    case Operation::kRefund:
      return "refund";
  }
  return "authorize";
}

RequestHasher::RequestHasher(Operation operation) {
  Append(encoded_, AsBytes("backline payment request v1"));
  Piece(AsBytes(OperationName(operation)));
}

void RequestHasher::Piece(ByteSpan data) {
  AppendU32(encoded_, static_cast<uint32_t>(data.size()));
  Append(encoded_, data);
}

RequestHasher& RequestHasher::Text(std::string_view name, std::string_view value) {
  Piece(AsBytes(name));
  encoded_.push_back('s');
  Piece(AsBytes(value));
  return *this;
}

RequestHasher& RequestHasher::Integer(std::string_view name, int64_t value) {
  Piece(AsBytes(name));
  encoded_.push_back('i');
  Bytes be;
  AppendU64(be, static_cast<uint64_t>(value));
  Piece(be);
  return *this;
}

RequestHasher& RequestHasher::Blob(std::string_view name, ByteSpan value) {
  Piece(AsBytes(name));
  encoded_.push_back('b');
  Piece(value);
  return *this;
}

crypto::Sha256Digest RequestHasher::Finish() const { return crypto::Sha256(encoded_); }

Result<StoredAnswer> ReplayOrConflict(const IdempotencyRecord& stored, Operation operation,
                                      const crypto::Sha256Digest& request_hash) {
  if (stored.operation != operation) {
    return Conflict("this Idempotency-Key was already used for " +
                    std::string(OperationName(stored.operation)) + ", not " +
                    std::string(OperationName(operation)) + "; use a new key for a new request");
  }
  if (stored.request_hash != request_hash) {
    return Conflict(
        "this Idempotency-Key was already used with other parameters; use a new key for a new "
        "request");
  }
  StoredAnswer answer = stored.answer;
  answer.replayed = true;
  return answer;
}

}  // namespace backline::payment
