#include "protocol/sealed.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>

#include "crypto/hpke.h"
#include "protocol/identity.h"

namespace backline::protocol {
namespace {

constexpr std::string_view kLine = "POST /v1/reservations";

class SealedTest : public ::testing::Test {
 protected:
  SenderKeyLookup Lookup() {
    return [this](std::string_view id) -> Result<crypto::X25519PublicKey> {
      auto it = known_.find(std::string(id));
      if (it == known_.end()) return NotFound("no such party");
      return it->second;
    };
  }

  // The merchant seals a request to the clearinghouse.
  Sealed Request(const boost::json::object& body = {{"request_id", "r1"}, {"n", 1}}) {
    auto sealed = SealMessage(kReservationRequestType, kLine, body, "merchant-1",
                              merchant_.x25519(), clearinghouse_.public_keys().x25519, random_);
    EXPECT_TRUE(sealed.ok()) << sealed.status().ToString();
    return std::move(sealed).value();
  }

  Result<Opened> OpenAtClearinghouse(const boost::json::value& envelope,
                                     std::string_view type = kReservationRequestType,
                                     std::string_view line = kLine) {
    return OpenMessage(envelope, type, line, clearinghouse_.x25519(), Lookup());
  }

  // Re-encodes one base64url field of an envelope after `edit`.
  static boost::json::object Edit(boost::json::object envelope, const char* field,
                                  void (*edit)(Bytes&)) {
    Bytes b = Base64UrlDecode(std::string(envelope.at(field).as_string())).value();
    edit(b);
    envelope[field] = Base64UrlEncode(b);
    return envelope;
  }

  DeterministicRandom random_{11};
  Identity merchant_ = Identity::Generate(random_);
  Identity clearinghouse_ = Identity::Generate(random_);
  Identity stranger_ = Identity::Generate(random_);
  std::map<std::string, crypto::X25519PublicKey> known_ = {
      {"merchant-1", merchant_.public_keys().x25519},
      {"clearinghouse", clearinghouse_.public_keys().x25519},
  };
};

TEST_F(SealedTest, RequestAndAnswerRoundTrip) {
  Sealed request = Request();
  // On the wire: serialized and parsed again.
  boost::json::value wire = boost::json::parse(boost::json::serialize(request.envelope));
  EXPECT_EQ(1, wire.at("v").as_int64());
  EXPECT_EQ("merchant-1", wire.at("sender").as_string());

  auto in = OpenAtClearinghouse(wire);
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_EQ("merchant-1", in->sender);
  EXPECT_EQ((boost::json::object{{"request_id", "r1"}, {"n", 1}}), in->message);
  EXPECT_EQ(request.enc, in->enc);

  auto answer =
      SealMessage(kReservationType, kLine, {{"transaction_id", "t"}}, "clearinghouse",
                  clearinghouse_.x25519(), merchant_.public_keys().x25519, random_, in->enc);
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  auto out = OpenMessage(answer->envelope, kReservationType, kLine, merchant_.x25519(), Lookup(),
                         request.enc);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ("clearinghouse", out->sender);
  EXPECT_EQ("t", out->message.at("transaction_id").as_string());
}

TEST_F(SealedTest, EachSealHasAFreshEnc) { EXPECT_NE(Request().enc, Request().enc); }

TEST_F(SealedTest, TamperedCiphertextOrEncDoesNotOpen) {
  boost::json::object envelope = Request().envelope;
  auto flip_last = [](Bytes& b) { b.back() ^= 0x01; };
  auto flip_first = [](Bytes& b) { b.front() ^= 0x80; };
  auto truncate = [](Bytes& b) { b.pop_back(); };
  EXPECT_EQ(StatusCode::kUnauthenticated,
            OpenAtClearinghouse(Edit(envelope, "ct", flip_last)).status().code());
  EXPECT_EQ(StatusCode::kUnauthenticated,
            OpenAtClearinghouse(Edit(envelope, "ct", flip_first)).status().code());
  EXPECT_EQ(StatusCode::kUnauthenticated,
            OpenAtClearinghouse(Edit(envelope, "ct", truncate)).status().code());
  EXPECT_EQ(StatusCode::kUnauthenticated,
            OpenAtClearinghouse(Edit(envelope, "enc", flip_first)).status().code());
  EXPECT_TRUE(OpenAtClearinghouse(envelope).ok());
}

TEST_F(SealedTest, WrongSenderKeyDoesNotOpen) {
  // The stranger claims to be merchant-1 but holds another key.
  auto forged = SealMessage(kReservationRequestType, kLine, {{"a", 1}}, "merchant-1",
                            stranger_.x25519(), clearinghouse_.public_keys().x25519, random_);
  ASSERT_TRUE(forged.ok());
  auto r = OpenAtClearinghouse(forged->envelope);
  EXPECT_EQ(StatusCode::kUnauthenticated, r.status().code());
  EXPECT_NE(std::string::npos, r.status().message().find("merchant-1"));
  // The merchant's message relabelled as from the clearinghouse.
  boost::json::object relabelled = Request().envelope;
  relabelled["sender"] = "clearinghouse";
  EXPECT_EQ(StatusCode::kUnauthenticated, OpenAtClearinghouse(relabelled).status().code());
}

TEST_F(SealedTest, UnknownSenderIsUnauthenticatedAndLookupFailuresPassThrough) {
  boost::json::object envelope = Request().envelope;
  envelope["sender"] = "merchant-9";
  auto r = OpenAtClearinghouse(envelope);
  EXPECT_EQ(StatusCode::kUnauthenticated, r.status().code());
  EXPECT_NE(std::string::npos, r.status().message().find("unknown sender \"merchant-9\""));
  SenderKeyLookup down = [](std::string_view) -> Result<crypto::X25519PublicKey> {
    return Unavailable("key store down");
  };
  EXPECT_EQ(StatusCode::kUnavailable, OpenMessage(Request().envelope, kReservationRequestType,
                                                  kLine, clearinghouse_.x25519(), down)
                                          .status()
                                          .code());
}

TEST_F(SealedTest, WrongTypeRequestLineOrRecipientDoesNotOpen) {
  boost::json::object envelope = Request().envelope;
  EXPECT_EQ(StatusCode::kUnauthenticated,
            OpenAtClearinghouse(envelope, kPaymentRequestType).status().code());
  EXPECT_EQ(StatusCode::kUnauthenticated,
            OpenAtClearinghouse(envelope, kReservationRequestType, "POST /v1/reservation")
                .status()
                .code());
  EXPECT_EQ(StatusCode::kUnauthenticated,
            OpenAtClearinghouse(envelope, kReservationRequestType,
                                RequestLine("POST", "/v1/transactions/x/payment"))
                .status()
                .code());
  EXPECT_EQ(StatusCode::kUnauthenticated,
            OpenMessage(envelope, kReservationRequestType, kLine, stranger_.x25519(), Lookup())
                .status()
                .code());
}

TEST_F(SealedTest, AnswerOpensOnlyAgainstItsOwnRequest) {
  Sealed first = Request();
  Sealed second = Request();
  auto answer =
      SealMessage(kReservationType, kLine, {{"for", "first"}}, "clearinghouse",
                  clearinghouse_.x25519(), merchant_.public_keys().x25519, random_, first.enc);
  ASSERT_TRUE(answer.ok());
  auto open = [&](ByteSpan in_reply_to) {
    return OpenMessage(answer->envelope, kReservationType, kLine, merchant_.x25519(), Lookup(),
                       in_reply_to)
        .status()
        .code();
  };
  EXPECT_EQ(StatusCode::kOk, open(first.enc));
  EXPECT_EQ(StatusCode::kUnauthenticated, open(second.enc));
  EXPECT_EQ(StatusCode::kUnauthenticated, open({}));
  EXPECT_EQ(StatusCode::kInvalidArgument, open(Bytes(5)));
}

TEST_F(SealedTest, MalformedEnvelopesNameTheField) {
  boost::json::object good = Request().envelope;
  struct Case {
    const char* field;
    boost::json::value value;  // null: remove the field
  };
  const Case cases[] = {
      {"v", nullptr},        {"v", 2},         {"v", "1"},
      {"sender", nullptr},   {"sender", ""},   {"sender", "bad sender!"},
      {"sender", 7},         {"enc", nullptr}, {"enc", "AAAA"},
      {"enc", "not*base64"}, {"ct", nullptr},  {"ct", boost::json::array{}},
      {"ct", "AAAA"},
  };
  for (const Case& c : cases) {
    boost::json::object o = good;
    if (c.value.is_null()) {
      o.erase(c.field);
    } else {
      o[c.field] = c.value;
    }
    auto r = OpenAtClearinghouse(o);
    ASSERT_EQ(StatusCode::kInvalidArgument, r.status().code()) << c.field;
    EXPECT_NE(std::string::npos, r.status().message().find(std::string("\"") + c.field + "\""))
        << r.status().message();
  }
  EXPECT_EQ(StatusCode::kInvalidArgument,
            OpenAtClearinghouse(boost::json::value("a string")).status().code());
  boost::json::object extra = good;
  extra["note"] = "ignored";
  EXPECT_TRUE(OpenAtClearinghouse(extra).ok());
}

TEST_F(SealedTest, PlaintextMustBeAJsonObject) {
  for (std::string_view text : {"[1,2]", "not json", "{\"a\":1} trailing"}) {
    auto sealed = crypto::HpkeSealAuth(clearinghouse_.public_keys().x25519,
                                       ToBytes("backline v1 reservation-request"), ToBytes(kLine),
                                       AsBytes(text), merchant_.x25519(), random_);
    ASSERT_TRUE(sealed.ok());
    boost::json::object envelope = {{"v", 1},
                                    {"sender", "merchant-1"},
                                    {"enc", Base64UrlEncode(sealed->enc)},
                                    {"ct", Base64UrlEncode(sealed->ciphertext)}};
    EXPECT_EQ(StatusCode::kInvalidArgument, OpenAtClearinghouse(envelope).status().code()) << text;
  }
}

TEST_F(SealedTest, SealRefusesBadArguments) {
  auto seal = [&](std::string_view type, std::string_view line, std::string_view sender,
                  ByteSpan recipient) {
    return SealMessage(type, line, {}, sender, merchant_.x25519(), recipient, random_)
        .status()
        .code();
  };
  ByteSpan ch = clearinghouse_.public_keys().x25519;
  EXPECT_EQ(StatusCode::kOk, seal(kPaymentRequestType, kLine, "merchant-1", ch));
  EXPECT_EQ(StatusCode::kInvalidArgument, seal("", kLine, "merchant-1", ch));
  EXPECT_EQ(StatusCode::kInvalidArgument, seal(kPaymentRequestType, "", "merchant-1", ch));
  EXPECT_EQ(StatusCode::kInvalidArgument, seal(kPaymentRequestType, kLine, "", ch));
  EXPECT_EQ(StatusCode::kInvalidArgument, seal(kPaymentRequestType, kLine, "a b", ch));
  EXPECT_EQ(StatusCode::kInvalidArgument,
            seal(kPaymentRequestType, kLine, std::string(65, 'm'), ch));
  EXPECT_EQ(StatusCode::kInvalidArgument, seal(kPaymentRequestType, kLine, "m", Bytes(31)));
}

}  // namespace
}  // namespace backline::protocol
