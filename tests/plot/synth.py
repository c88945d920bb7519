# SPDX-License-Identifier: GPL-2.0
"""Synthetic unmapbench run directories with known answers.

write_rundir(path, seed=..., effects={"unmap": -5.0, ...}, ...) writes a
complete run directory in the results/README.md schema whose pfn-shape
variants are slower than the page-shape ones by exactly effects[path]
percent (negative = pfn faster), under realistic noise:
  - a slow per-round drift (AR(1), ~1%) common to every variant of a
    round (what pairing removes),
  - per-batch log-normal noise and rare interrupt spikes (+5..40%),
  - per-round totals = sum of their batches, as the module reports them.
The true median of the per-round log ratio is ln(1 + effect/100), so a
correct analysis must find it.

Run as a script: python3 tests/plot/synth.py OUTDIR [--seed N] to make
one directory to look at.
"""
import argparse
import csv
import json
import math
import os
import random

BASE_CYCLES = {  # per op, 4K granule, page shape
    "convert": 24.0, "wbinvd": 3100.0, "reset": 260.0, "unmap": 3500.0}
GRANULE_MUL = {"4k": 1.0, "2m": 480.0}
GROUND = (16, 64, 65, 256, 1024)

RUNS_COLS = ("run_id,repeat,label,backend_req,backend,backend_reason,"
             "granule,node,cpus,cpu_nodes,placement,threads,reset_mode,cache,"
             "batch,batch_used,rounds,rounds_done,seed,timer,irq_off,insns,"
             "timer_overhead_cycles,tsc_khz,elapsed_ns,status,"
             "emulation").split(",")
MICRO_COLS = ("run_id,variant,shape,path,granule,param,thread,cpu,node,ops,"
              "batches,mean,stddev,min,max,unit,pfn_checksum,"
              "pages_touched").split(",")
SAMPLES_COLS = "run_id,thread,round,variant,value,ops,unit".split(",")
HIST_COLS = "run_id,variant,thread,lo,hi,count,unit".split(",")
COUNTERS_COLS = "run_id,cpu,counter,value,note".split(",")
TEARDOWN_COLS = ("run_id,repeat,vm_type,vm_type_reason,vm,vms,vcpus,"
                 "size_bytes,page_size,trigger,populate,mappings_populated,"
                 "mapped_4k,mapped_2m,create_s,populate_s,teardown_s,pages,"
                 "ns_per_page,pages_per_s,status,emulation").split(",")

SUB_BITS, MAX_BITS = 7, 40
SUB = 1 << SUB_BITS


def hist_bucket(v):
    """The module's log-linear bucket of an integer value (ub_hist_bucket)."""
    v = int(v)
    if v < SUB:
        return v
    msb = v.bit_length() - 1
    if msb >= MAX_BITS:
        return SUB * (MAX_BITS - SUB_BITS + 1) - 1
    mag = msb - SUB_BITS
    return SUB + mag * SUB + ((v >> mag) - SUB)


def hist_lower(b):
    if b < SUB:
        return b
    mag = (b - SUB) // SUB
    return (SUB + (b - SUB) % SUB) << mag


def _writer(path, cols):
    f = open(path, "w", newline="")
    w = csv.writer(f, lineterminator="\n")
    w.writerow(cols)
    return f, w


def meta_json(hostname, kernel, backend, emulation, tsc_khz, status):
    return {
        "schema_version": 1, "suite_version": "synthetic",
        "command_line": "tests/plot/synth.py (synthetic data)",
        "start_utc": "2026-11-24T10:00:00Z", "end_utc": "2026-11-24T10:05:00Z",
        "status": status,
        "host": {"hostname": hostname, "kernel_release": kernel,
                 "kernel_version": "#1 SMP PREEMPT_DYNAMIC",
                 "cmdline": "console=ttyS0", "config": {}},
        "cpu": {"vendor": "GenuineIntel", "family": 6, "model": 143,
                "stepping": 8, "model_name": "Synthetic Xeon",
                "microcode": "0x2b000000",
                "flags": {"movdir64b": True, "clflushopt": True, "clwb": True,
                          "rdtscp": True, "constant_tsc": True,
                          "nonstop_tsc": True, "hypervisor": False},
                "bugs": {"tdx_pw_mce": True}, "smt": False,
                "governor": "performance", "turbo": False},
        "numa": {"nodes": [{"id": 0, "cpus": [0, 1], "mem_total_kb": 8e6,
                            "mem_free_kb": 6e6},
                           {"id": 1, "cpus": [2, 3], "mem_total_kb": 8e6,
                            "mem_free_kb": 6e6}],
                 "distances": [[10, 21], [21, 10]]},
        "thp": {"enabled": "madvise", "defrag": "madvise"},
        "tdx": {"status": "synthetic", "module_version": None,
                "source": "synthetic"},
        "module": {"loaded": True, "abi_version": 1, "version": "synthetic",
                   "backends": ["null", "model"], "auto_backend": backend,
                   "auto_reason": "synthetic", "tdx_reason": "synthetic",
                   "tsc_khz": tsc_khz, "x86_phys_bits": 46,
                   "keyids": {"mktme": 0, "tdx": 0}},
        "environment": {"emulation": emulation,
                        "evidence": "synthetic test data"},
    }


def write_rundir(path, seed=1, effects=None, rounds=200, repeats=1,
                 granules=("4k",), caches=("hot",), reset_modes=("kernel",),
                 placements=("local",), threads=(1,), batches_per_round=4,
                 batch=8, noise=0.04, drift=0.01, spike_p=0.01,
                 ground=True, hist=True, teardown=True, micro=True,
                 hostname="synth-host", kernel="7.2.13-synth",
                 backend="model", emulation="none", tsc_khz=2000000.0,
                 status="complete", tsc_unit="cycles", vm_type="sw-protected"):
    """Write one synthetic run directory at path (created)."""
    effects = dict({"convert": 0.0, "wbinvd": 0.0, "reset": 0.0,
                    "unmap": -5.0}, **(effects or {}))
    rng = random.Random(seed)
    os.makedirs(path)
    with open(os.path.join(path, "meta.json"), "w") as f:
        json.dump(meta_json(hostname, kernel, backend, emulation, tsc_khz,
                            status), f, indent=1)
    with open(os.path.join(path, "status"), "w") as f:
        f.write(status + "\n")
    if micro:
        _write_micro(path, rng, effects, rounds, repeats, granules, caches,
                     reset_modes, placements, threads, batches_per_round,
                     batch, noise, drift, spike_p, ground, hist, backend,
                     emulation, tsc_khz, tsc_unit)
    if teardown:
        _write_teardown(path, rng, emulation, vm_type)
    return path


def _write_micro(path, rng, effects, rounds, repeats, granules, caches,
                 reset_modes, placements, threads, nb, batch, noise, drift,
                 spike_p, ground, hist, backend, emulation, tsc_khz, unit):
    fr, wr = _writer(os.path.join(path, "runs.csv"), RUNS_COLS)
    fm, wm = _writer(os.path.join(path, "micro.csv"), MICRO_COLS)
    fs, ws = _writer(os.path.join(path, "samples.csv"), SAMPLES_COLS)
    fh, wh = _writer(os.path.join(path, "hist.csv"), HIST_COLS)
    fc, wc = _writer(os.path.join(path, "counters.csv"), COUNTERS_COLS)
    run_no = 0
    for g in granules:
        for cache in caches:
            for rm in reset_modes:
                for pl in placements:
                    for nt in threads:
                        for rep in range(repeats):
                            run_no += 1
                            rid = f"r{run_no:03d}"
                            variants = []
                            for p in ("convert", "wbinvd", "reset", "unmap"):
                                for s in ("page", "pfn"):
                                    variants.append((f"{p}.{s}.{g}", p, s, 0))
                            if ground:
                                for k in GROUND:
                                    variants.append((f"ground.add{k}",
                                                     "ground", "none", k))
                            cpus = list(range(nt))
                            wr.writerow([
                                rid, rep, f"{g}-{cache}-{rm}-{pl}-t{nt}",
                                "auto", backend, "synthetic", g,
                                0 if pl == "local" else 1,
                                ";".join(map(str, cpus)),
                                ";".join("0" for _ in cpus), pl, nt, rm,
                                cache, batch, batch, rounds, rounds,
                                rng.randrange(1 << 32),
                                "tsc" if unit == "cycles" else "ktime", 0,
                                "clflushopt;movdir64b;rdtsc", 24,
                                tsc_khz if unit == "cycles" else 0,
                                rounds * 1e6, "ok", emulation])
                            _one_run(rid, rng, effects, variants, g, cache,
                                     rm, pl, nt, rounds, nb, batch, noise,
                                     drift, spike_p, unit, tsc_khz, hist,
                                     wm, ws, wh)
                            for c in cpus:
                                wc.writerow([rid, c, "cycles",
                                             rng.randrange(10**8, 10**9), ""])
                                wc.writerow([rid, c, "llc_misses",
                                             "unavailable",
                                             "perf_event_open: EOPNOTSUPP"])
    for f in (fr, fm, fs, fh, fc):
        f.close()
    if not hist:
        os.unlink(os.path.join(path, "hist.csv"))


def _one_run(rid, rng, effects, variants, g, cache, rm, pl, nt, rounds, nb,
             batch, noise, drift, spike_p, unit, tsc_khz, hist, wm, ws, wh):
    scale = 1.0
    scale *= 1.25 if cache == "cold" else 1.0
    scale *= 1.10 if pl == "remote" else 1.0
    scale *= 1.30 if rm == "force" else 1.0
    conv = (lambda c: c) if unit == "cycles" else \
        (lambda c: c * 1e6 / tsc_khz)
    for t in range(nt):
        per = {v[0]: [] for v in variants}      # per-batch cycles/op
        level = 0.0
        for r in range(rounds):
            level = 0.8 * level + rng.gauss(0, drift * 0.6)
            common = math.exp(level)
            for name, p, s, k in variants:
                if p == "ground":
                    base = k * 1.0 + 2.0
                else:
                    base = BASE_CYCLES[p] * GRANULE_MUL[g] * scale
                    if s == "pfn":
                        base *= 1 + effects[p] / 100.0
                total, ops = 0.0, 0
                for _ in range(nb):
                    x = base * common * math.exp(rng.gauss(0, noise))
                    if rng.random() < spike_p:
                        x *= 1.05 + 0.35 * rng.random()
                    x = max(conv(x), 0.0)
                    per[name].append(x)
                    total += x * batch
                    ops += batch
                ws.writerow([rid, t, r, name, repr(round(total, 3)), ops,
                             unit])
        for name, p, s, k in variants:
            xs = per[name]
            m = sum(xs) / len(xs)
            sd = math.sqrt(sum((x - m) ** 2 for x in xs) / max(len(xs) - 1, 1))
            gran = "any" if p == "ground" else g
            wm.writerow([rid, name, s, p, gran, k, t, t, 0,
                         len(xs) * batch, len(xs), repr(m), repr(sd),
                         repr(min(xs)), repr(max(xs)), unit,
                         "123456789" if p != "ground" else "0",
                         0 if p == "ground" else len(xs) * batch *
                         (1 if g == "4k" else 512)])
            if hist:
                counts = {}
                for x in xs:
                    b = hist_bucket(x)
                    counts[b] = counts.get(b, 0) + 1
                for b in sorted(counts):
                    wh.writerow([rid, name, t, hist_lower(b),
                                 hist_lower(b + 1), counts[b], unit])


def _write_teardown(path, rng, emulation, vm_type):
    f, w = _writer(os.path.join(path, "teardown.csv"), TEARDOWN_COLS)
    no = 0
    for size_mb in (64, 128, 256):
        for vms in (1, 4):
            for rep in range(3):
                no += 1
                rid = f"t{no:03d}"
                for vm in range(vms):
                    size = size_mb << 20
                    pages = size // 4096
                    nspp = 850.0 * (1 + 0.15 * (vms - 1)) * \
                        math.exp(rng.gauss(0, 0.05))
                    td = pages * nspp / 1e9
                    w.writerow([rid, rep, vm_type, "synthetic: no TDX", vm,
                                vms, 4, size, "4k", "destroy", "prefault", pages,
                                pages, 0, 0.01, pages * 300e-9, repr(td),
                                pages, repr(nspp), repr(1e9 / nspp),
                                "ok", emulation])
    f.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--emulation", default="none")
    ap.add_argument("--backend", default="model")
    ap.add_argument("--full", action="store_true",
                    help="2 granules, hot/cold, 1 and 2 threads")
    a = ap.parse_args()
    kw = {}
    if a.full:
        kw = dict(granules=("4k", "2m"), caches=("hot", "cold"),
                  threads=(1, 2))
    write_rundir(a.out, seed=a.seed, rounds=a.rounds, emulation=a.emulation,
                 backend=a.backend, **kw)
    print(a.out)


if __name__ == "__main__":
    main()
