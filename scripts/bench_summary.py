#!/usr/bin/env python3
"""Prints the benchmark summary: each figure beside its baseline from the same run.

Reads the Google Benchmark JSON files, wrk output and the end-to-end benches' JSON
(purchase.json, delivery_throughput.json, delivery_memory.json) that scripts/bench wrote
into the results folder given as the only argument.
"""
import json
import os
import re
import sys

UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def load(folder, name):
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        data = json.load(f)
    out = {}
    for b in data.get("benchmarks", []):
        if b.get("run_type") == "aggregate":
            continue
        out[b["name"]] = b
    return out


def load_json(folder, name):
    """A plain JSON result file (the end-to-end benches), or None."""
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def find(benchmarks, prefix):
    for name, b in benchmarks.items():
        if name == prefix or name.startswith(prefix + "/"):
            return b
    return None


def per_second(b):
    if b is None:
        return None
    if "items_per_second" in b:
        return b["items_per_second"]
    t = b.get("real_time") * UNIT_NS[b.get("time_unit", "ns")]
    return 1e9 / t if t else None


def gib_per_second(b):
    if b is None or "bytes_per_second" not in b:
        return None
    return b["bytes_per_second"] / (1 << 30)


rows = []


def row(what, figure, unit, baseline_name=None, baseline=None, ratio=None):
    rows.append((what, figure, unit, baseline_name, baseline, ratio))


def fmt(v, digits=2):
    if v is None:
        return "-"
    if v >= 1000:
        return f"{v:,.0f}"
    return f"{v:.{digits}f}"


def main(folder):
    crypto = load(folder, "crypto_bench.json")
    for what, ours, base in [
        ("RFC 8188 encrypt (64 KiB records)", "BM_Aes128gcmEncrypt", "BM_RawAesGcmBaseline"),
        ("RFC 8188 decrypt (64 KiB records)", "BM_Aes128gcmDecrypt", "BM_RawAesGcmDecryptBaseline"),
    ]:
        o, b = gib_per_second(find(crypto, ours)), gib_per_second(find(crypto, base))
        if o is not None and b:
            row(what, o, "GiB/s", "raw OpenSSL AES-128-GCM, same buffer", b, o / b)
    for what, name in [
        ("HPKE seal (base mode)", "BM_HpkeSealBase"),
        ("HPKE open (base mode)", "BM_HpkeOpenBase"),
        ("Ed25519 sign", "BM_Ed25519Sign"),
        ("Ed25519 verify", "BM_Ed25519Verify"),
    ]:
        v = per_second(find(crypto, name))
        if v is not None:
            row(what, v, "ops/s")

    storage = load(folder, "storage_bench.json")
    one = next((b for n, b in storage.items() if n.endswith("threads:1")), None)
    many = next((b for n, b in storage.items() if n.endswith("threads:16")), None)
    if one and many:
        o, m = per_second(one), per_second(many)
        row("durable commits, 16 writers (group commit)", m, "commits/s",
            "1 writer, one fsync per commit", o, m / o if o else None)
        if "commits_per_fsync" in many:
            row("commits per fsync, 16 writers", many["commits_per_fsync"], "")

    wrk = os.path.join(folder, "wrk.txt")
    if os.path.exists(wrk):
        text = open(wrk).read()
        rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
        p50 = re.search(r"50%\s+([\d.]+\w+)", text)
        p99 = re.search(r"99%\s+([\d.]+\w+)", text)
        if rps:
            row("trivial JSON route under wrk (64 connections)", float(rps.group(1)), "req/s")
        if p50 and p99:
            rows.append(("  latency p50 / p99", None, f"{p50.group(1)} / {p99.group(1)}",
                         None, None, None))

    purchase = load_json(folder, "purchase.json")
    if purchase:
        row(f"complete purchases, all roles, {purchase['buyers']} buyers (1 MiB)",
            purchase["purchases_per_second"], "purchases/s")
        rows.append(("  latency p50 / p99", None,
                     f"{purchase['p50_ms']:.1f}ms / {purchase['p99_ms']:.1f}ms",
                     None, None, None))

    throughput = load_json(folder, "delivery_throughput.json")
    if throughput:
        o = throughput["delivery_bytes_per_second"] / (1 << 20)
        b = throughput["nginx_bytes_per_second"] / (1 << 20)
        row(f"delivery, {throughput['streams']} downloads of 100 MiB (encrypting)", o, "MiB/s",
            "nginx sendfile, same file, plain", b, o / b if b else None)

    memory = load_json(folder, "delivery_memory.json")
    if memory:
        peak = max(memory["peak_hwm_kib"], memory["peak_rss_kib"]) / 1024
        idle = memory["idle_rss_kib"] / 1024
        row(f"delivery node peak memory, {memory['streaming']} slow downloads", peak, "MiB",
            "idle node", idle, peak / idle if idle else None)
        row("  memory per slow download", memory["per_connection_kib"], "KiB")

    print()
    print("=== Backline benchmark summary (figures and baselines from this run) ===")
    w = max(len(r[0]) for r in rows) if rows else 20
    for what, figure, unit, bname, base, ratio in rows:
        shown = fmt(figure) if figure is not None else ""
        line = f"{what:<{w}}  {shown:>12} {unit}"
        if bname:
            line += f"   vs {bname}: {fmt(base)} {unit}"
        if ratio is not None:
            line += f"   ratio {ratio:.2f}"
        print(line)
    if not rows:
        print("no benchmark results found in", folder)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
