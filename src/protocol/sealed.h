// Sealed messages between services (merchant <-> clearinghouse): a JSON object
// encrypted with HPKE auth mode (RFC 9180) to the recipient's X25519 key and
// authenticated by the sender's static X25519 key. docs/protocol.md,
// "Sealed messages", is the contract; this file implements it.
//
// Envelope (the HTTP body):
//   {"v":1,"sender":"merchant-1","enc":"<b64u 32 bytes>","ct":"<b64u>"}
// info = "backline v1 " || type
// aad  = request_line                                 for a request
//        request_line || 0x00 || enc of the request    for its answer
// The answer's aad ties it to the one request it answers, so a party in the
// middle cannot hand the merchant the answer to another of its requests.
//
//   // merchant
//   BL_ASSIGN_OR_RETURN(Sealed req, SealMessage(kReservationRequestType,
//       "POST /v1/reservations", request.ToJson(), "merchant-1", me.x25519(),
//       clearinghouse_x25519, random));
//   ... POST SerializeJson(req.envelope), get the answer body `answer` ...
//   BL_ASSIGN_OR_RETURN(Opened ans, OpenMessage(answer, kReservationType,
//       "POST /v1/reservations", me.x25519(), lookup, req.enc));
//
//   // clearinghouse
//   BL_ASSIGN_OR_RETURN(Opened in, OpenMessage(body, kReservationRequestType,
//       "POST /v1/reservations", me.x25519(), merchants_by_id));
//   ... handle in.message from in.sender ...
//   BL_ASSIGN_OR_RETURN(Sealed out, SealMessage(kReservationType,
//       "POST /v1/reservations", reservation.ToJson(), "clearinghouse", me.x25519(),
//       merchant_x25519, random, in.enc));
//
// Errors of OpenMessage:
//   kInvalidArgument  malformed envelope (the message names the field), an
//                     unsupported "v", or a plaintext that is not a JSON object
//   kUnauthenticated  unknown sender, or a message that does not open: tampered,
//                     another sender's key, another recipient, another type,
//                     request line or request
// Other errors of the key lookup pass through (kUnavailable, ...).
//
// Replays: a sealed request may be replayed verbatim; the protocol makes that
// harmless with request_id (docs/protocol.md), not this layer.
//
// Thread-safety: pure functions; the lookup is called on the caller's thread.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/random.h"
#include "base/status.h"
#include "crypto/x25519.h"

namespace backline::protocol {

// The message types of docs/protocol.md: each goes into the HPKE info.
inline constexpr std::string_view kReservationRequestType = "reservation-request";
inline constexpr std::string_view kReservationType = "reservation";
inline constexpr std::string_view kReservationReleaseType = "reservation-release";
inline constexpr std::string_view kReservationReleasedType = "reservation-released";
inline constexpr std::string_view kPaymentRequestType = "payment-request";
inline constexpr std::string_view kPaymentAckType = "payment-ack";
inline constexpr std::string_view kDeliveryRequestType = "delivery-request";
inline constexpr std::string_view kDeliveryAckType = "delivery-ack";
inline constexpr std::string_view kInventoryRequestType = "inventory-request";
inline constexpr std::string_view kInventoryType = "inventory";

inline constexpr int kSealedVersion = 1;

// The request line of a sealed request: "POST /v1/reservations". The path is
// the one sent, without query; both sides must build it the same way.
std::string RequestLine(std::string_view method, std::string_view path);

struct Sealed {
  boost::json::object envelope;  // {"v","sender","enc","ct"}
  Bytes enc;                     // keep it to open the answer (in_reply_to)
};

// Seals `plaintext` (serialized compactly) from `sender_id`, holding `sender`,
// to `recipient_public`. `type` and `request_line` must be non-empty and
// `sender_id` 1-64 of [A-Za-z0-9._-] (kInvalidArgument). For an answer, pass
// the request's enc as `in_reply_to`.
Result<Sealed> SealMessage(std::string_view type, std::string_view request_line,
                           const boost::json::object& plaintext, std::string_view sender_id,
                           const crypto::X25519KeyPair& sender, ByteSpan recipient_public,
                           RandomSource& random, ByteSpan in_reply_to = {});

// Maps a sender id to its X25519 public key. kNotFound means "unknown
// sender" (reported as kUnauthenticated); other errors pass through.
using SenderKeyLookup = std::function<Result<crypto::X25519PublicKey>(std::string_view sender_id)>;

struct Opened {
  std::string sender;           // the authenticated sender id
  boost::json::object message;  // the plaintext object
  Bytes enc;                    // pass as in_reply_to when sealing the answer
};

Result<Opened> OpenMessage(const boost::json::value& envelope, std::string_view type,
                           std::string_view request_line, const crypto::X25519KeyPair& recipient,
                           const SenderKeyLookup& lookup, ByteSpan in_reply_to = {});

}  // namespace backline::protocol
