#!/usr/bin/env python3
"""Turns a benchmarks/run result directory into docs/benchmarks.md (markdown tables)."""
import glob, json, os, platform, subprocess, sys, datetime

out_dir, command = sys.argv[1], sys.argv[2]

def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"

def java_version():
    r = subprocess.run(["java", "-version"], capture_output=True, text=True)
    return r.stderr.strip().splitlines()[0]

rows = []
for f in sorted(glob.glob(os.path.join(out_dir, "*.json"))):
    for r in json.load(open(f)):
        rows.append(r)

print("# Benchmarks\n")
print(f"- Machine: {os.cpu_count()} cores, {cpu_model()}")
print(f"- JDK: {java_version()}")
print(f"- Date: {datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M UTC')}")
print(f"- Command: `{command}` (from the repository root)")
print("- Threads: 1 and 2 (this machine has 2 cores, so 2 threads is full load).")
print("- Ratios are against ConcurrentHashMap (CHM) in the same run. ± is JMH's 99.9% score error.")
if " quick" in command:
    print("- `quick` runs 1 fork with 1 warm-up and 3 measured iterations of 1 s: the errors are wide,")
    print("  so read ratios below about 1.3x apart as ties; `benchmarks/run full` narrows them.")
print()

maps = [r for r in rows if r["benchmark"].endswith("MapBenchmark.op")]
groups = {}
for r in maps:
    p = r["params"]
    groups.setdefault((p["size"], p["dist"], p["mix"], r["threads"]), []).append(r)

with open(os.path.join(out_dir, "chart-data.tsv"), "w") as tsv:
    for r in maps:
        p = r["params"]
        tsv.write(f"maps {p['dist']} {p['mix'].replace('/', '-')} size {p['size']}\t{p['impl']}\t{r['threads']} thread(s)\t{r['primaryMetric']['score']}\n")
charts = sorted({f"maps-{r['params']['dist']}-{r['params']['mix'].replace('/', '-')}-size-{r['params']['size']}" for r in maps})

print("## Map operations (ops/s, higher is better)\n")
if charts:
    print("Charts (ops/s by thread count): " + ", ".join(f"[{c}](img/{c}.png)" for c in charts) + "\n")
print("1M pre-filled Long keys; key streams uniform or scrambled Zipfian (skew 0.99); mix = get/put/remove %.\n")
for key in sorted(groups, key=lambda k: (int(k[0]), k[1], ["100/0/0", "95/4/1", "50/25/25"].index(k[2]), k[3])):
    size, dist, mix, threads = key
    rs = groups[key]
    chm = next((r["primaryMetric"]["score"] for r in rs if r["params"]["impl"] == "CHM"), None)
    print(f"### size {size}, {dist}, mix {mix}, {threads} thread{'s' if threads > 1 else ''}\n")
    print("| map | ops/s | ± | × CHM |")
    print("|---|---:|---:|---:|")
    for r in sorted(rs, key=lambda r: -r["primaryMetric"]["score"]):
        s = r["primaryMetric"]["score"]
        e = r["primaryMetric"]["scoreError"]
        e = "" if e != e else f"{e:,.0f}"  # NaN when there is one iteration
        ratio = f"{s / chm:.2f}" if chm else ""
        print(f"| {r['params']['impl']} | {s:,.0f} | {e} | {ratio} |")
    print()

snaps = [r for r in rows if r["benchmark"].endswith("SnapshotBenchmark.snapshotThenWrite")]
if snaps:
    print("## snapshot() + first write after it (ns/op, lower is better)\n")
    print("| map | size | ns/op | ± |")
    print("|---|---:|---:|---:|")
    for r in sorted(snaps, key=lambda r: (r["params"]["impl"], int(r["params"]["size"]))):
        m = r["primaryMetric"]
        print(f"| {r['params']['impl']} | {int(r['params']['size']):,} | {m['score']:,.1f} | {m['scoreError']:,.1f} |")
    print()

others = {}
for r in rows:
    name = r["benchmark"].rsplit(".", 2)[-2]
    if name in ("MapBenchmark", "SnapshotBenchmark"):
        continue
    ps = ", ".join(f"{k}={v}" for k, v in sorted(r["params"].items()) if k != "impl")
    others.setdefault((name, ps, r["threads"]), []).append(r)
if others:
    print("## Locks, cache and read-while-writing (ops/s, higher is better)\n")
    print("LockBenchmark: lock+unlock of a key; CacheBenchmark: get from a 10k-entry bounded cache, Zipfian keys over 100k;")
    print("ReadWhileWritingBenchmark: reads of 1M keys while a background thread writes (HASHMAP: the limit, read with no writer).\n")
    for (name, ps, threads) in sorted(others):
        rs = others[(name, ps, threads)]
        print(f"### {name} {ps} {threads} thread{'s' if threads > 1 else ''}\n")
        print("| impl | ops/s | ± |")
        print("|---|---:|---:|")
        for r in sorted(rs, key=lambda r: -r["primaryMetric"]["score"]):
            m = r["primaryMetric"]
            print(f"| {r['params'].get('impl', '')} | {m['score']:,.0f} | {m['scoreError']:,.0f} |")
        print()

fp = os.path.join(out_dir, "footprint.md")
if os.path.exists(fp):
    print("## Memory per entry (JOL GraphLayout)\n")
    print("Produced by `dev.atoll.benchmarks.Footprint` in the same run.\n")
    print(open(fp).read())
