#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# make bench's report (tests/harness/bench.sh, docs/benchmarking.md): reads
# the bare-metal run's COM2 log and the files the two boots exported
# (build/test-logs/bench-{icount,load}/files/), writes report.md,
# report.json and SVG charts (gnuplot) into OUT. Every figure carries its
# kind: "count" (honest on any board) or "emulated time" (relative only).
#
# Usage: bench-report.py --logs DIR --out DIR --shift N --board B
#                        --kernel K --root REPO
import argparse
import json
import os
import re
import subprocess
import sys

# brig/latency.h's bucket bounds: bucket b holds lateness below limit(b).
def bucket_limit(b):
    if b < 40:
        return 250 * (b + 1)
    if b < 76:
        return 10000 + 2500 * (b - 39)
    if b < 112:
        return 100000 + 25000 * (b - 75)
    if b < 148:
        return 1000000 + 250000 * (b - 111)
    return None


def bucket_of_limit(limit):
    for b in range(149):
        if bucket_limit(b) == limit:
            return b
    return 148


def quantile(counts, q, maximum):
    """Nearest rank: the bound of the bucket holding the ceil(q*n)-th."""
    n = sum(counts)
    if not n:
        return None
    want = max(1, -(-int(q * n * 1000000) // 1000000))
    acc = 0
    for b, c in enumerate(counts):
        acc += c
        if acc >= want:
            return bucket_limit(b) if bucket_limit(b) else maximum
    return maximum


def bare_metal(log):
    """The last summary of the inmate's UART: figures and fine buckets."""
    text = ""
    if os.path.exists(log):
        with open(log, errors="replace") as f:
            text = f.read()
    sums = re.findall(r"latency: ticks=(\d+) min=(-?\d+) avg=(-?\d+) max=(-?\d+) ns missed=(\d+)", text)
    bks = re.findall(r"latency: buckets((?: \d+:\d+)*)", text)
    if not sums or not bks:
        return None
    ticks, lo, avg, hi, missed = map(int, sums[-1])
    counts = [0] * 149
    for pair in bks[-1].split():
        b, c = pair.split(":")
        counts[int(b)] = int(c)
    return {"samples": ticks, "missed": missed, "min": lo, "avg": avg,
            "max": hi, "p99": quantile(counts, 0.99, hi),
            "p999": quantile(counts, 0.999, hi), "counts": counts}


def cell_run(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        d = json.load(f)
    counts = [0] * 149
    for b in d["buckets"]:
        idx = 148 if b["below_ns"] < 0 else bucket_of_limit(b["below_ns"])
        counts[idx] = b["count"]
    lat = d["latency_ns"]
    return {"samples": lat["samples"], "missed": lat["missed"],
            "min": lat["min"], "avg": lat["avg"], "max": lat["max"],
            "p99": lat["p99"], "p999": lat["p999"], "counts": counts,
            "cell_exits": d["cell_exits"], "cell_exits_before": d["cell_exits_before"],
            "root_exits": d["root_exits"], "seconds": d["seconds"],
            "root_cpus": d["root_cpus"], "phase_ns": d["phase_ns"],
            "timer": d.get("timer"), "load": d["load"]}


def facts(path):
    out = {}
    if not os.path.exists(path):
        return out
    with open(path, errors="replace") as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition(" ")
            out[key] = value
    return out


def stats_delta(f, name):
    """The root's exits by reason over a timed run: after minus before."""
    if name + ".before" not in f:
        return None
    return cell_delta(f, name + ".before", name + ".after")


def cell_delta(f, before, after):
    """Exits by reason summed over CPUs between two brig stats --json
    snapshots (no before: counters that started at 0)."""
    try:
        b = json.loads(f[before])["cpus"] if before in f else {}
        a = json.loads(f[after])["cpus"]
    except (KeyError, ValueError):
        return None
    total = {}
    for cpu, reasons in a.items():
        for r, v in reasons.items():
            total[r] = total.get(r, 0) + v - b.get(cpu, {}).get(r, 0)
    return total


def cyclic(line):
    m = re.search(r"Min:\s*(\d+).*Avg:\s*(\d+).*Max:\s*(\d+)", line or "")
    c = re.search(r"C:\s*(\d+)", line or "")
    if not m:
        return None
    return {"samples": int(c.group(1)) if c else None, "min_us": int(m.group(1)),
            "avg_us": int(m.group(2)), "max_us": int(m.group(3))}


def nonzero(reasons, skip=("total",)):
    return ", ".join("%s %d" % (r, v) for r, v in sorted(reasons.items(), key=lambda x: -x[1])
                     if v and r not in skip) or "none"


def trusted_base(root):
    """Lines of C and assembly in the hypervisor image's sources, blank
    lines and comment-only lines left out."""
    total = 0
    for top in ("hypervisor", "arch/x86"):
        for dirpath, _, names in os.walk(os.path.join(root, top)):
            for n in names:
                if not n.endswith((".c", ".h", ".S")):
                    continue
                in_comment = False
                with open(os.path.join(dirpath, n), errors="replace") as f:
                    lines = f.readlines()
                for line in lines:
                    s = line.strip()
                    if in_comment:
                        if "*/" in s:
                            in_comment = False
                        continue
                    if not s or s.startswith("//"):
                        continue
                    if s.startswith("/*"):
                        in_comment = "*/" not in s
                        continue
                    total += 1
    return total


def static_per_cpu(root):
    """Bytes of the hypervisor image's static per-CPU area per CPU:
    per_cpu_area's size (nm -S of the ELF) over CONFIG_MAX_CPUS. A CPU's
    VMCS, stacks and state live there, not in the pool."""
    elf = os.path.join(root, "hypervisor", "brig-x86.elf")
    try:
        out = subprocess.run(["nm", "-S", elf], capture_output=True, text=True, check=True).stdout
        size = next(int(l.split()[1], 16) for l in out.splitlines() if l.endswith(" per_cpu_area"))
        with open(os.path.join(root, ".config")) as f:
            cpus = int(re.search(r"^CONFIG_MAX_CPUS=(\d+)", f.read(), re.M).group(1))
        return size // cpus
    except (OSError, subprocess.CalledProcessError, StopIteration, AttributeError, ValueError):
        return None


def ratio(a, b):
    return round(a / b, 3) if a is not None and b else None


def plot(out, name, title, series, shift_note):
    """One chart of several histograms (gnuplot, SVG): each series a
    (label, counts) pair, drawn as steps over the bucket bounds."""
    data = os.path.join(out, name + ".dat")
    with open(data, "w") as f:
        for label, counts in series:
            f.write("# %s\n" % label)
            for b, c in enumerate(counts):
                hi = bucket_limit(b) or 12500000
                f.write("%d %d\n" % (hi, c if c else 0))
            f.write("\n\n")
    plots = ", ".join("'%s' index %d using 1:($2>0?$2:NaN) with steps lw 2 title '%s'" %
                      (data, i, label) for i, (label, _) in enumerate(series))
    script = """set terminal svg size 900,450 dynamic background rgb 'white'
set output '%s'
set title "%s\\n%s" noenhanced
set logscale xy
set xlabel 'timer interrupt lateness, ns (bucket upper bound)'
set ylabel 'samples'
set grid
plot %s
""" % (os.path.join(out, name + ".svg"), title, shift_note, plots)
    subprocess.run(["gnuplot"], input=script.encode(), check=True)
    os.unlink(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--logs", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--shift", type=int, required=True)
    ap.add_argument("--board", required=True)
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--root", required=True)
    a = ap.parse_args()
    ic = os.path.join(a.logs, "bench-icount", "files")
    ld = os.path.join(a.logs, "bench-load", "files")
    ns_per_insn = 1 << a.shift
    bare = bare_metal(os.path.join(a.logs, "bench-bare", "com2.log"))
    cell_ic = cell_run(os.path.join(ic, "icount.cell-idle.json"))
    fi, fl = facts(os.path.join(ic, "icount.facts")), facts(os.path.join(ld, "load.facts"))
    loads = {n: cell_run(os.path.join(ld, "load.cell-%s.json" % n))
             for n in ("idle", "hackbench", "stress")}
    f2 = facts(os.path.join(a.logs, "bench-footprint2", "files", "footprint2.facts"))
    f4 = facts(os.path.join(a.logs, "bench-footprint4", "files", "footprint4.facts"))
    missing = [n for n, v in (("bare metal", bare), ("cell under -icount", cell_ic),
                              ("icount facts", fi or None), ("load facts", fl or None),
                              ("footprint facts", (f2 and f4) or None))
               if v is None] + ["cell %s" % n for n, v in loads.items() if v is None]
    rep = {"board": a.board, "kernel": a.kernel, "icount_shift": a.shift,
           "missing": missing}

    # Bare metal against the cell, both under -icount.
    if bare and cell_ic:
        rep["icount"] = {
            "kind": "emulated time under -icount (instructions x %d ns): relative only" % ns_per_insn,
            "bare_metal": {k: v for k, v in bare.items() if k != "counts"},
            "cell_idle_root": {k: cell_ic[k] for k in ("samples", "missed", "min", "avg", "p99", "p999", "max")},
            "ratio_cell_to_bare": {k: ratio(cell_ic[k], bare[k]) for k in ("avg", "p99", "max")},
            "cell_exits_over_window": cell_ic["cell_exits"],
        }
        phases = cell_ic["phase_ns"]
        rep["cell_start"] = {
            "kind": "emulated time under -icount; instruction-equivalents = ns / %d, all CPUs' instructions and idle time skipped while every CPU waits" % ns_per_insn,
            "phase_ns": phases,
            "phase_instructions": {p: v // ns_per_insn for p, v in phases.items()},
        }
    # The loaded runs.
    rep["cell_under_load"] = {
        "kind": "latency: emulated time (TCG's scheduling, not hardware interference); exits: count",
        "runs": {n: ({k: v[k] for k in ("samples", "missed", "min", "avg", "p99", "p999", "max", "seconds", "timer")} |
                     {"cell_exits": v["cell_exits"]["total"],
                      "cell_exits_by_reason": v["cell_exits"],
                      "root_exits_per_second": round(v["root_exits"]["total"] / v["seconds"], 1) if v["seconds"] else None,
                      "root_exits_by_reason": v["root_exits"]}) if v else None
                 for n, v in loads.items()},
    }
    rep["cyclictest"] = {"kind": "emulated time (us)", "native": cyclic(fl.get("cyclictest.native")),
                         "brig_enabled": cyclic(fl.get("cyclictest.enabled"))}
    root = {}
    for w in ("idle", "hackbench", "stress"):
        d = stats_delta(fl, "enabled." + w)
        secs = float(fl.get("enabled.%s.seconds" % w, "0") or 0)
        native = fl.get("native.%s.seconds" % w)
        root[w] = {"seconds_enabled": secs, "seconds_native": float(native) if native else None,
                   "exits": d, "exits_per_second": {r: round(v / secs, 1) for r, v in d.items()} if d and secs else None}
    rep["root_cost"] = {"kind": "exits: count; run times: emulated time", "workloads": root}
    pp = {}
    rd, cd = stats_delta(fl, "pingpong.root"), cell_delta(fl, "pingpong.root.cell_before", "pingpong.root.cell_after")
    count = int(fl.get("pingpong.root.count", "0") or 0)
    m = re.search(r"([0-9.]+) round trips per second", fl.get("pingpong.root.out", ""))
    if count:
        pp["root_cell"] = {"round_trips_per_second": float(m.group(1)) if m else None,
                           "cell_exits_per_message": round(cd["total"] / count, 4) if cd else None,
                           "root_exits_per_message": round(rd["total"] / count, 4) if rd else None,
                           "root_exits_by_reason": rd}
    # A cell's counters start at 0 when it starts: its totals after the
    # exchange are the exchange plus its set-up (a few dozen exits).
    ca = cell_delta(fl, "pingpong.cells.a_none", "pingpong.cells.a_after")
    cb = cell_delta(fl, "pingpong.cells.b_none", "pingpong.cells.b_after")
    ccount = int(fl.get("pingpong.cells.count", "0") or 0)
    com2 = os.path.join(a.logs, "bench-load", "com2.log")
    rate = []
    if os.path.exists(com2):
        with open(com2, errors="replace") as f:
            rate = re.findall(r"ivshmem: (\d+) round trips per second", f.read())
    if ccount:
        pp["cell_cell"] = {"round_trips_per_second": int(rate[-1]) if rate else None,
                           "exits_per_message_a": round(ca["total"] / ccount, 4) if ca else None,
                           "exits_per_message_b": round(cb["total"] / ccount, 4) if cb else None}
    rep["ivshmem"] = {"kind": "round trips: emulated time; exits: count", **pp}
    pool2, pool4 = f2.get("pool.enabled", "").split(), f4.get("pool.enabled", "").split()
    cpus2, cpus4 = int(f2.get("cpus", "0") or 0), int(f4.get("cpus", "0") or 0)
    pool = fi.get("pool.enabled", "").split()
    with_cell = fi.get("pool.with_cell", "").split()
    image = os.path.join(a.root, "hypervisor", "brig-x86.bin")
    rep["footprint"] = {
        "kind": "count",
        "hypervisor_image_bytes": os.path.getsize(image) if os.path.exists(image) else None,
        "pool_pages_total": int(pool[1]) if len(pool) > 1 else None,
        "pool_pages_used_after_enable": int(pool[0]) if pool else None,
        "cpus": int(fi.get("cpus", "0") or 0),
        "pool_pages_per_cpu_upper_bound": round(int(pool[0]) / int(fi["cpus"]), 1) if pool and fi.get("cpus") else None,
        "static_bytes_per_cpu": static_per_cpu(a.root),
        # Two boots that differ only in their CPU count: the difference
        # per CPU is what a CPU costs the pool.
        "pool_pages_per_cpu": (int(pool4[0]) - int(pool2[0])) / (cpus4 - cpus2)
        if pool2 and pool4 and cpus4 != cpus2 else None,
        "pool_pages_per_cell": int(with_cell[0]) - int(pool[0]) if pool and with_cell else None,
        "trusted_base_lines": trusted_base(a.root),
    }
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "report.json"), "w") as f:
        json.dump(rep, f, indent=1)

    # Charts.
    note = "QEMU %s, -icount shift=%d: emulated time, relative only" % (a.board, a.shift)
    if bare and cell_ic:
        plot(a.out, "latency-icount", "latency inmate: bare metal vs in a cell (root idle)",
             [("bare metal", bare["counts"]), ("cell, root idle", cell_ic["counts"])], note)
    series = [("cell, root %s" % ("idle" if n == "idle" else "under " + v["load"]), v["counts"])
              for n, v in loads.items() if v]
    if bare:
        series.insert(0, ("bare metal (-icount run)", bare["counts"]))
    if series:
        plot(a.out, "latency-load", "latency inmate: bare metal, cell with idle root, cell with loaded root",
             series, "QEMU %s without -icount (but the bare run): emulated time, TCG scheduling" % a.board)

    write_md(a, rep, os.path.join(a.out, "report.md"))
    if missing:
        print("bench-report: missing: %s" % ", ".join(missing), file=sys.stderr)
        return 1
    return 0


def fmt(v):
    return "-" if v is None else str(v)


def write_md(a, rep, path):
    L = []
    w = L.append
    w("# brig benchmark report\n")
    w("Board: QEMU `%s`, Debian kernel %s, 4 CPUs. Every figure is labelled: **count** "
      "(honest on any board) or **emulated time** (relative only: TCG models no caches "
      "and schedules vCPUs its own way). See docs/benchmarking.md.\n" % (a.board, a.kernel))
    if rep["missing"]:
        w("**Missing from this run:** %s\n" % ", ".join(rep["missing"]))
    ic = rep.get("icount")
    if ic:
        w("## Latency: bare metal vs cell, root idle (emulated time under `-icount shift=%d`)\n" % a.shift)
        w("The same inmate, period 1000 us, one-shot timer; the root's CPUs idle in HLT; bare metal at the same `-smp 4`.\n")
        w("| | samples | min ns | avg ns | p99 ns | p99.9 ns | max ns | cell exits in window (count) |")
        w("|---|---|---|---|---|---|---|---|")
        b, c = ic["bare_metal"], ic["cell_idle_root"]
        w("| bare metal | %s | %s | %s | < %s | < %s | %s | n/a |" % tuple(fmt(b[k]) for k in ("samples", "min", "avg", "p99", "p999", "max")))
        w("| cell | %s | %s | %s | < %s | < %s | %s | %s |" % (tuple(fmt(c[k]) for k in ("samples", "min", "avg", "p99", "p999", "max")) + (ic["cell_exits_over_window"]["total"],)))
        r = ic["ratio_cell_to_bare"]
        w("| ratio cell / bare | | | %s | %s | | %s | |\n" % (fmt(r["avg"]), fmt(r["p99"]), fmt(r["max"])))
        w("![bare metal vs cell](latency-icount.svg)\n")
    w("## Latency in a cell, root idle and under load (emulated time; exits: count)\n")
    w("| root | samples | missed | min ns | avg ns | p99 ns | max ns | cell exits (count) | root exits/s (count/emulated s) |")
    w("|---|---|---|---|---|---|---|---|---|")
    for n, v in rep["cell_under_load"]["runs"].items():
        if v:
            w("| %s | %s | %s | %s | %s | < %s | %s | %s | %s |" % (n, v["samples"], v["missed"], v["min"], v["avg"], v["p99"], v["max"], v["cell_exits"], v["root_exits_per_second"]))
    w("\n![cell under load](latency-load.svg)\n")
    cy = rep["cyclictest"]
    w("## cyclictest in the root (emulated time, us)\n")
    w("| | samples | min | avg | max |")
    w("|---|---|---|---|---|")
    for n in ("native", "brig_enabled"):
        v = cy[n] or {}
        w("| %s | %s | %s | %s | %s |" % (n, fmt(v.get("samples")), fmt(v.get("min_us")), fmt(v.get("avg_us")), fmt(v.get("max_us"))))
    w("\n## The root's cost of being a guest\n")
    w("| workload | run time native (emulated s) | with brig (emulated s) | root exits/s (count) | by reason |")
    w("|---|---|---|---|---|")
    for n, v in rep["root_cost"]["workloads"].items():
        eps = v["exits_per_second"] or {}
        w("| %s | %s | %s | %s | %s |" % (n, fmt(v["seconds_native"]), fmt(v["seconds_enabled"]), fmt(eps.get("total")), nonzero(eps)))
    iv = rep["ivshmem"]
    w("\n## ivshmem ping-pong (round trips: emulated time; exits: count)\n")
    w("| pair | round trips/s | exits per message |")
    w("|---|---|---|")
    if iv.get("root_cell"):
        v = iv["root_cell"]
        w("| root <-> cell | %s | cell %s, root %s |" % (fmt(v["round_trips_per_second"]), fmt(v["cell_exits_per_message"]), fmt(v["root_exits_per_message"])))
    if iv.get("cell_cell"):
        v = iv["cell_cell"]
        w("| cell <-> cell | %s | a %s, b %s (set-up included) |" % (fmt(v["round_trips_per_second"]), fmt(v["exits_per_message_a"]), fmt(v["exits_per_message_b"])))
    cs = rep.get("cell_start")
    if cs:
        w("\n## Cell start by phase (emulated time under -icount; instruction-equivalents)\n")
        w("| phase | emulated us | instructions (ns / %d) |" % (1 << a.shift))
        w("|---|---|---|")
        for p, v in cs["phase_ns"].items():
            w("| %s | %.1f | %d |" % (p, v / 1000, cs["phase_instructions"][p]))
        w("\nfirst-state: start request to the inmate's first state write (its set-up); first-histogram: to its first publication (up to one publish interval, 100 ms).")
    fp = rep["footprint"]
    w("\n## Footprint (count)\n")
    w("| hypervisor image | pool after enable (4 CPUs, root channels) | per CPU: pool (4 vs 2 CPUs) | per CPU: static area in the image | per cell | trusted base |")
    w("|---|---|---|---|---|---|")
    w("| %s bytes | %s of %s pages | %s pages | %s bytes | %s pages | %s lines (hypervisor/ and arch/x86/, no blanks or comments) |\n" % (
        fmt(fp["hypervisor_image_bytes"]), fmt(fp["pool_pages_used_after_enable"]), fmt(fp["pool_pages_total"]),
        fmt(fp["pool_pages_per_cpu"]), fmt(fp["static_bytes_per_cpu"]), fmt(fp["pool_pages_per_cell"]),
        fmt(fp["trusted_base_lines"])))
    with open(path, "w") as f:
        f.write("\n".join(L) + "\n")


if __name__ == "__main__":
    sys.exit(main())
