#!/usr/bin/env python3
"""An independent implementation of the protocol's constructions, on
pyca/cryptography and the RFCs alone, checked against the pins of
src/protocol/known_answer_test.cc. If this passes, a client written from
docs/protocol.md (a browser, another language) interoperates with the C++ code.

Checks: the binding (docs/protocol.md "Identities and keys"), a sealed request
and its answer (HPKE auth mode, "Sealed messages"), the download stream (HPKE
base mode + exporter + RFC 8188, section 5) and Content-Digest (RFC 9530).
The keys are the test identities of DeterministicRandom(2024). Keep the
values in step with known_answer_test.cc.
"""
import base64
import hashlib
import hmac
import json
import struct
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def b64u(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def extract(salt, ikm):
    return hmac.new(salt or b"\0" * 32, ikm, hashlib.sha256).digest()


def expand(prk, info, n):
    out, t, i = b"", b"", 1
    while len(out) < n:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        out += t
        i += 1
    return out[:n]


# RFC 9180, DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / AES-128-GCM.
KEM = b"KEM" + struct.pack(">H", 0x20)
SUITE = b"HPKE" + struct.pack(">HHH", 0x20, 1, 1)


def labeled_extract(sid, salt, label, ikm):
    return extract(salt, b"HPKE-v1" + sid + label + ikm)


def labeled_expand(sid, prk, label, info, n):
    return expand(prk, struct.pack(">H", n) + b"HPKE-v1" + sid + label + info, n)


def raw(public_key):
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def setup_recipient(mode, sk_r, enc, info, pk_s=None):
    """Returns (key, base_nonce, exporter_secret)."""
    dh = sk_r.exchange(X25519PublicKey.from_public_bytes(enc))
    kem_context = enc + raw(sk_r.public_key())
    if mode == 2:
        dh += sk_r.exchange(X25519PublicKey.from_public_bytes(pk_s))
        kem_context += pk_s
    eae_prk = labeled_extract(KEM, b"", b"eae_prk", dh)
    shared = labeled_expand(KEM, eae_prk, b"shared_secret", kem_context, 32)
    context = (bytes([mode]) + labeled_extract(SUITE, b"", b"psk_id_hash", b"") +
               labeled_extract(SUITE, b"", b"info_hash", info))
    secret = labeled_extract(SUITE, shared, b"secret", b"")
    return (labeled_expand(SUITE, secret, b"key", context, 16),
            labeled_expand(SUITE, secret, b"base_nonce", context, 12),
            labeled_expand(SUITE, secret, b"exp", context, 32))


def open_sealed(envelope, msg_type, request_line, sk_r, pk_s, in_reply_to=b""):
    aad = request_line + (b"\0" + in_reply_to if in_reply_to else b"")
    key, nonce, _ = setup_recipient(2, sk_r, b64u(envelope["enc"]), b"backline v1 " + msg_type,
                                    pk_s)
    return json.loads(AESGCM(key).decrypt(nonce, b64u(envelope["ct"]), aad))


def decrypt_download(body, sk_buyer, transaction_id):
    salt, rs, idlen = body[:16], struct.unpack(">I", body[16:20])[0], body[20]
    enc, records = body[21:21 + idlen], body[21 + idlen:]
    _, _, exporter = setup_recipient(0, sk_buyer, enc, b"backline v1 download\0" + transaction_id)
    ikm = labeled_expand(SUITE, exporter, b"sec", b"backline v1 aes128gcm ikm", 32)
    prk = extract(salt, ikm)  # RFC 8188 section 2.2 / 2.3
    cek = expand(prk, b"Content-Encoding: aes128gcm\0", 16)
    nonce = expand(prk, b"Content-Encoding: nonce\0", 12)
    out = b""
    for seq, at in enumerate(range(0, len(records), rs)):
        n = (int.from_bytes(nonce, "big") ^ seq).to_bytes(12, "big")
        plain = AESGCM(cek).decrypt(n, records[at:at + rs], None).rstrip(b"\0")
        last = at + rs >= len(records)
        assert plain[-1] == (2 if last else 1), "bad delimiter"
        out += plain[:-1]
    return out


def main():
    buyer_ed = b64u("nKIGVDP1Cf1DvoS_HjTnipfo6dcKTE1W9rOH5qNNMyg")
    buyer_x_sk = X25519PrivateKey.from_private_bytes(
        b64u("ekN2ZGXBoNTrWkVpbXtrjZcyYOPKSQIjkqfEmT4Dqpg"))
    merchant_sk = X25519PrivateKey.from_private_bytes(
        b64u("i6t_VdvfEdiFr9PZx8NVqVVT1UkTDkMlxzQKBr-GU7A"))
    clearinghouse_sk = X25519PrivateKey.from_private_bytes(
        b64u("cH-KOZDfaIDiLkkKIIuPqRbceC-JXzJEJny3cIupGXE"))

    binding = hashlib.sha256(b"backline binding v1\0" + buyer_ed + raw(buyer_x_sk.public_key()))
    assert base64.urlsafe_b64encode(binding.digest()).rstrip(b"=") == \
        b"Fto82BKRiL1sDOgAeQ5_af-SJOgMqI5sIyF-u0iIcJw", "binding"

    request = {"v": 1, "sender": "merchant-1",
               "enc": "MOSeEvqc8JFxnpjQQM5_x7R3V2LQSqxpM8__t1BBF0Q",
               "ct": "KsVdT80-JYsKU94gn6LDi3oSwWHKqbXO3WuWqYcx4frP2a70uXk2tFQmPj492lu1lhgYszi0vEz7"
                     "FxY0g8WpaZOMH_OpBHjVqI0cQZYL1o2B7t9Z9H986z1ROZHqt-mbZ_zZR4Yaatszfp5P1SlbB98xtj1W"
                     "UvtbGGeQgQbe2dnntZGtyLYtHW5UOUXkwWHZ4nkyMtS3abvIXEfHGXdiFYSh3Bzb6FdS7QV1V0LYlRRu"
                     "UQqewpayOs-weF37dJ5MP7AlGb-B3g"}
    answer = {"v": 1, "sender": "clearinghouse",
              "enc": "XScmAn4rjgRaaMSHGnN0iaQdYZ57dlsyqVLHWCU2ghk",
              "ct": "P4j4r2CHtscOAenXIZV-k1Gi-ACpyi2QzMX-sQWAdARo6BZ65W_S-ReESNVeBPv0SmpbMiVSJpUN"
                    "vIgrRDPxzVfzcc2Q7jZm4BikfaSbemkzrKy6ZCwQfueTKYudSEJUzExVTP-u5IRXDbAr5rFG_fbRuPRx"
                    "IEtYGqkTLyNR9Mgdo5NI8gmJUTFvJ-UMjLfYsEEGLEDwDX18OKgxFl_uCM-yxSl5TC2OM7wz0tOJzVO1"
                    "KLdm5Xpwz7gRuwxjvEMFG7yuPZDYAO2uPEgRr5sd92Iy3uuUvhoBY-4BL6z0D5HFD2oQUfGme3OPqcWS"
                    "nnNxOA"}
    line = b"POST /v1/reservations"
    got = open_sealed(request, b"reservation-request", line, clearinghouse_sk,
                      raw(merchant_sk.public_key()))
    assert got["retail"] == {"amount": 1299, "currency": "EUR"}, got
    got = open_sealed(answer, b"reservation", line, merchant_sk,
                      raw(clearinghouse_sk.public_key()), b64u(request["enc"]))
    assert got["transaction_id"] == "vx3q5ohqiy2qdekt373b6b5w4e", got

    body = bytes.fromhex(
        "a187582f78b33643fe6b8e80a5f4561d" "00001000" "20"
        "32e54af709b7005b0f2988e23139967bbac8aae568d6f9aca0178f0dc669cc16"
        "bef228273d950f99f2bdc9226ef2ff0e1db0892ba4eba10ef356c32673da03bf")
    assert decrypt_download(body, buyer_x_sk, b"vx3q5ohqiy2qdekt373b6b5w4e") == b"I am the walrus"

    digest = base64.b64encode(hashlib.sha256(b'{"request_id":"x"}').digest()).decode()
    assert "sha-256=:" + digest + ":" == "sha-256=:idy273fF6bSYJJ7pC1eyZ/EIhTOkz03oSuM3PmauURI=:"
    print("independent check: binding, sealed request/answer, download stream, Content-Digest OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
