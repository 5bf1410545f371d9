#include "crypto/hpke.h"

#include <limits>
#include <string_view>

#include "crypto/hash.h"

namespace backline::crypto {
namespace {

// Identifiers of the one suite we implement (RFC 9180 section 7).
constexpr uint16_t kKemId = 0x0020;   // DHKEM(X25519, HKDF-SHA256)
constexpr uint16_t kKdfId = 0x0001;   // HKDF-SHA256
constexpr uint16_t kAeadId = 0x0001;  // AES-128-GCM
constexpr size_t kNsecret = 32;       // Nsecret of the KEM
constexpr size_t kNh = 32;            // Nh of the KDF

// "KEM" || I2OSP(kem_id, 2): the suite_id inside the KEM (section 4.1).
Bytes KemSuiteId() {
  Bytes id = ToBytes("KEM");
  AppendU16(id, kKemId);
  return id;
}

// "HPKE" || kem_id || kdf_id || aead_id: the suite_id of the key schedule.
Bytes HpkeSuiteId() {
  Bytes id = ToBytes("HPKE");
  AppendU16(id, kKemId);
  AppendU16(id, kKdfId);
  AppendU16(id, kAeadId);
  return id;
}

// LabeledExtract(salt, label, ikm) = Extract(salt, "HPKE-v1" || suite_id || label || ikm).
// The labeled ikm may hold a DH output, so it is wiped after use.
SecretBytes LabeledExtract(ByteSpan suite_id, ByteSpan salt, std::string_view label, ByteSpan ikm) {
  SecretBytes labeled(7 + suite_id.size() + label.size() + ikm.size());
  uint8_t* p = labeled.data();
  for (ByteSpan part : {AsBytes("HPKE-v1"), suite_id, AsBytes(label), ikm}) {
    if (!part.empty()) std::copy(part.begin(), part.end(), p);
    p += part.size();
  }
  return HkdfExtract(salt, labeled);
}

// LabeledExpand(prk, label, info, L) =
//   Expand(prk, I2OSP(L, 2) || "HPKE-v1" || suite_id || label || info, L).
Result<SecretBytes> LabeledExpand(ByteSpan suite_id, ByteSpan prk, std::string_view label,
                                  ByteSpan info, size_t length) {
  if (length > std::numeric_limits<uint16_t>::max()) {
    return InvalidArgument("hpke: expand length does not fit in two bytes");
  }
  Bytes labeled;
  labeled.reserve(2 + 7 + suite_id.size() + label.size() + info.size());
  AppendU16(labeled, static_cast<uint16_t>(length));
  Append(labeled, AsBytes("HPKE-v1"));
  Append(labeled, suite_id);
  Append(labeled, AsBytes(label));
  Append(labeled, info);
  return HkdfExpand(prk, labeled, length);
}

// ExtractAndExpand of DHKEM (section 4.1).
Result<SecretBytes> ExtractAndExpand(ByteSpan dh, ByteSpan kem_context) {
  Bytes suite = KemSuiteId();
  SecretBytes eae_prk = LabeledExtract(suite, {}, "eae_prk", dh);
  return LabeledExpand(suite, eae_prk, "shared_secret", kem_context, kNsecret);
}

// dh = DH(sk1, pk1) [|| DH(sk2, pk2)], each checked for the all-zero output.
Result<SecretBytes> ConcatDh(ByteSpan sk1, ByteSpan pk1, ByteSpan sk2 = {}, ByteSpan pk2 = {}) {
  BL_ASSIGN_OR_RETURN(SecretBytes first, X25519(sk1, pk1));
  if (sk2.empty()) return first;
  BL_ASSIGN_OR_RETURN(SecretBytes second, X25519(sk2, pk2));
  SecretBytes both(first.size() + second.size());
  std::copy(first.span().begin(), first.span().end(), both.data());
  std::copy(second.span().begin(), second.span().end(), both.data() + first.size());
  return both;
}

// kem_context = enc || pkR [|| pkS].
Bytes KemContext(ByteSpan enc, ByteSpan pk_r, ByteSpan pk_s = {}) {
  Bytes context(enc.begin(), enc.end());
  Append(context, pk_r);
  Append(context, pk_s);
  return context;
}

Status CheckPublicKey(ByteSpan key, std::string_view what) {
  if (key.size() != kX25519KeySize) {
    return InvalidArgument("hpke: " + std::string(what) + " must be 32 bytes");
  }
  return Status::Ok();
}

}  // namespace

namespace internal {

// Builds contexts: the one place that may call their private constructors.
struct HpkeAccess {
  // KeySchedule (section 5.1) with the default (empty) psk and psk_id, which
  // is what modes base and auth use.
  static Result<HpkeKeys> KeySchedule(HpkeMode mode, ByteSpan shared_secret, ByteSpan info) {
    Bytes suite = HpkeSuiteId();
    SecretBytes psk_id_hash = LabeledExtract(suite, {}, "psk_id_hash", {});
    SecretBytes info_hash = LabeledExtract(suite, {}, "info_hash", info);
    Bytes context;
    context.reserve(1 + 2 * kNh);
    context.push_back(static_cast<uint8_t>(mode));
    Append(context, psk_id_hash);
    Append(context, info_hash);

    SecretBytes secret = LabeledExtract(suite, shared_secret, "secret", {});
    BL_ASSIGN_OR_RETURN(SecretBytes key,
                        LabeledExpand(suite, secret, "key", context, kHpkeKeySize));
    BL_ASSIGN_OR_RETURN(SecretBytes base_nonce,
                        LabeledExpand(suite, secret, "base_nonce", context, kHpkeNonceSize));
    BL_ASSIGN_OR_RETURN(SecretBytes exporter_secret,
                        LabeledExpand(suite, secret, "exp", context, kNh));
    BL_ASSIGN_OR_RETURN(AesGcm aead, AesGcm::Create(key));
    return HpkeKeys{mode, std::move(aead), std::move(base_nonce), std::move(exporter_secret)};
  }

  // Encap / AuthEncap (section 4.1) followed by the key schedule.
  static Result<HpkeSenderSetup> SetupSender(HpkeMode mode, ByteSpan pk_r, ByteSpan info,
                                             const X25519KeyPair* sender, RandomSource& random) {
    BL_RETURN_IF_ERROR(CheckPublicKey(pk_r, "recipient public key"));
    SecretBytes ikm_e(kX25519KeySize);
    random.Fill(ikm_e.mutable_span());
    BL_ASSIGN_OR_RETURN(X25519KeyPair ephemeral, HpkeDeriveKeyPair(ikm_e));
    Bytes enc(ephemeral.public_key().begin(), ephemeral.public_key().end());

    SecretBytes dh;
    Bytes kem_context;
    if (sender == nullptr) {
      BL_ASSIGN_OR_RETURN(dh, ConcatDh(ephemeral.private_key(), pk_r));
      kem_context = KemContext(enc, pk_r);
    } else {
      BL_ASSIGN_OR_RETURN(dh, ConcatDh(ephemeral.private_key(), pk_r, sender->private_key(), pk_r));
      kem_context = KemContext(enc, pk_r, sender->public_key());
    }
    BL_ASSIGN_OR_RETURN(SecretBytes shared_secret, ExtractAndExpand(dh, kem_context));
    BL_ASSIGN_OR_RETURN(HpkeKeys keys, KeySchedule(mode, shared_secret, info));
    return HpkeSenderSetup{std::move(enc), HpkeSenderContext(std::move(keys))};
  }

  // Decap / AuthDecap (section 4.1) followed by the key schedule.
  static Result<HpkeRecipientContext> SetupRecipient(HpkeMode mode, ByteSpan enc,
                                                     const X25519KeyPair& recipient, ByteSpan info,
                                                     ByteSpan pk_s) {
    BL_RETURN_IF_ERROR(CheckPublicKey(enc, "enc"));
    ByteSpan pk_r = recipient.public_key();
    SecretBytes dh;
    Bytes kem_context;
    if (mode == HpkeMode::kBase) {
      BL_ASSIGN_OR_RETURN(dh, ConcatDh(recipient.private_key(), enc));
      kem_context = KemContext(enc, pk_r);
    } else {
      BL_RETURN_IF_ERROR(CheckPublicKey(pk_s, "sender public key"));
      BL_ASSIGN_OR_RETURN(dh,
                          ConcatDh(recipient.private_key(), enc, recipient.private_key(), pk_s));
      kem_context = KemContext(enc, pk_r, pk_s);
    }
    BL_ASSIGN_OR_RETURN(SecretBytes shared_secret, ExtractAndExpand(dh, kem_context));
    BL_ASSIGN_OR_RETURN(HpkeKeys keys, KeySchedule(mode, shared_secret, info));
    return HpkeRecipientContext(std::move(keys));
  }
};

}  // namespace internal

Result<X25519KeyPair> HpkeDeriveKeyPair(ByteSpan ikm) {
  if (ikm.empty()) return InvalidArgument("hpke: DeriveKeyPair needs a non-empty ikm");
  Bytes suite = KemSuiteId();
  SecretBytes dkp_prk = LabeledExtract(suite, {}, "dkp_prk", ikm);
  BL_ASSIGN_OR_RETURN(SecretBytes sk, LabeledExpand(suite, dkp_prk, "sk", {}, kX25519KeySize));
  return X25519KeyPair::FromPrivate(sk);
}

Result<SecretBytes> HpkeContext::Export(ByteSpan exporter_context, size_t length) const {
  if (length > kHpkeMaxExport) {
    return InvalidArgument("hpke: export length above 255 * 32 bytes");
  }
  return LabeledExpand(HpkeSuiteId(), exporter_secret_, "sec", exporter_context, length);
}

Result<std::array<uint8_t, kHpkeNonceSize>> HpkeContext::CurrentNonce() const {
  // RFC 9180 stops at 2^96 - 1; a 64-bit counter stops at 2^64 - 1, which
  // keeps the check simple and is unreachable in practice.
  if (seq_ == std::numeric_limits<uint64_t>::max()) {
    return ResourceExhausted("hpke: message limit of the context reached");
  }
  std::array<uint8_t, kHpkeNonceSize> nonce{};
  std::copy(base_nonce_.span().begin(), base_nonce_.span().end(), nonce.begin());
  for (size_t i = 0; i < 8; ++i) {
    nonce[kHpkeNonceSize - 1 - i] ^= static_cast<uint8_t>(seq_ >> (8 * i));
  }
  return nonce;
}

Result<Bytes> HpkeSenderContext::Seal(ByteSpan aad, ByteSpan plaintext) {
  BL_ASSIGN_OR_RETURN(auto nonce, CurrentNonce());
  BL_ASSIGN_OR_RETURN(Bytes ciphertext, aead_.Seal(nonce, aad, plaintext));
  ++seq_;
  return ciphertext;
}

Result<Bytes> HpkeRecipientContext::Open(ByteSpan aad, ByteSpan ciphertext) {
  BL_ASSIGN_OR_RETURN(auto nonce, CurrentNonce());
  Result<Bytes> plaintext = aead_.Open(nonce, aad, ciphertext);
  if (!plaintext.ok()) {
    if (plaintext.status().code() == StatusCode::kUnauthenticated) {
      return Unauthenticated("hpke: message " + std::to_string(seq_) + " failed to open");
    }
    return plaintext.status();
  }
  ++seq_;
  return plaintext;
}

Result<HpkeSenderSetup> HpkeSetupBaseSender(ByteSpan recipient_public, ByteSpan info,
                                            RandomSource& random) {
  return internal::HpkeAccess::SetupSender(HpkeMode::kBase, recipient_public, info, nullptr,
                                           random);
}

Result<HpkeSenderSetup> HpkeSetupAuthSender(ByteSpan recipient_public, ByteSpan info,
                                            const X25519KeyPair& sender, RandomSource& random) {
  return internal::HpkeAccess::SetupSender(HpkeMode::kAuth, recipient_public, info, &sender,
                                           random);
}

Result<HpkeRecipientContext> HpkeSetupBaseRecipient(ByteSpan enc, const X25519KeyPair& recipient,
                                                    ByteSpan info) {
  return internal::HpkeAccess::SetupRecipient(HpkeMode::kBase, enc, recipient, info, {});
}

Result<HpkeRecipientContext> HpkeSetupAuthRecipient(ByteSpan enc, const X25519KeyPair& recipient,
                                                    ByteSpan info, ByteSpan sender_public) {
  return internal::HpkeAccess::SetupRecipient(HpkeMode::kAuth, enc, recipient, info, sender_public);
}

Result<HpkeSealed> HpkeSealBase(ByteSpan recipient_public, ByteSpan info, ByteSpan aad,
                                ByteSpan plaintext, RandomSource& random) {
  BL_ASSIGN_OR_RETURN(HpkeSenderSetup setup, HpkeSetupBaseSender(recipient_public, info, random));
  BL_ASSIGN_OR_RETURN(Bytes ciphertext, setup.context.Seal(aad, plaintext));
  return HpkeSealed{std::move(setup.enc), std::move(ciphertext)};
}

Result<Bytes> HpkeOpenBase(ByteSpan enc, const X25519KeyPair& recipient, ByteSpan info,
                           ByteSpan aad, ByteSpan ciphertext) {
  BL_ASSIGN_OR_RETURN(HpkeRecipientContext context, HpkeSetupBaseRecipient(enc, recipient, info));
  return context.Open(aad, ciphertext);
}

Result<HpkeSealed> HpkeSealAuth(ByteSpan recipient_public, ByteSpan info, ByteSpan aad,
                                ByteSpan plaintext, const X25519KeyPair& sender,
                                RandomSource& random) {
  BL_ASSIGN_OR_RETURN(HpkeSenderSetup setup,
                      HpkeSetupAuthSender(recipient_public, info, sender, random));
  BL_ASSIGN_OR_RETURN(Bytes ciphertext, setup.context.Seal(aad, plaintext));
  return HpkeSealed{std::move(setup.enc), std::move(ciphertext)};
}

Result<Bytes> HpkeOpenAuth(ByteSpan enc, const X25519KeyPair& recipient, ByteSpan info,
                           ByteSpan aad, ByteSpan ciphertext, ByteSpan sender_public) {
  BL_ASSIGN_OR_RETURN(HpkeRecipientContext context,
                      HpkeSetupAuthRecipient(enc, recipient, info, sender_public));
  return context.Open(aad, ciphertext);
}

}  // namespace backline::crypto
