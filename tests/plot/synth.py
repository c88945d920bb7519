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

Columns come from plot/schema.json: every row is written by column
name, and a column the generator does not set gets a neutral value of its
type, so a column added to the schema needs no change here.

Run as a script: python3 tests/plot/synth.py OUTDIR [--seed N] to make
one directory to look at.
"""
import argparse
import csv
import json
import math
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))), "plot"))
import schema  # noqa: E402

SCHEMA = schema.load()

BASE_CYCLES = {  # per op, 4K granule, page shape
    "convert": 24.0, "wbinvd": 3100.0, "reset": 260.0, "unmap": 3500.0}
GRANULE_MUL = {"4k": 1.0, "2m": 480.0}
GROUND = (16, 64, 65, 256, 1024)

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


def neutral(col):
    """A valid cell for a column the generator does not set."""
    if col.empty or col.type in schema.EMPTY_IS_VALUE:
        return ""
    return col.values[0] if col.type == "enum" else "0"


class Writer:
    """One CSV file of the run directory, in plot/schema.json's columns."""

    def __init__(self, path, file):
        self.table = SCHEMA.table(file)
        self.f = open(os.path.join(path, file), "w", newline="")
        self.w = csv.writer(self.f, lineterminator="\n")
        self.w.writerow(self.table.names)

    def row(self, **cells):
        unknown = set(cells) - set(self.table.names)
        assert not unknown, f"{self.table.file}: no column {unknown}"
        self.w.writerow([_cell(cells[c.name]) if c.name in cells
                         else neutral(c) for c in self.table.columns])

    def close(self):
        self.f.close()


def _cell(v):
    if isinstance(v, (list, tuple)):
        return ";".join(map(str, v))
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, bool):
        return int(v)
    return v


def meta_json(hostname, kernel, backend, emulation, tsc_khz, status):
    return {
        "schema_version": SCHEMA.version, "suite_version": "synthetic",
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
    out = {f: Writer(path, f) for f in ("runs.csv", "params.csv",
                                        "micro.csv", "samples.csv",
                                        "hist.csv", "counters.csv")}
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
                            out["runs.csv"].row(
                                run_id=rid, repeat=rep,
                                label=f"{g}-{cache}-{rm}-{pl}-t{nt}",
                                backend_req="auto", backend=backend,
                                backend_reason="synthetic", granule=g,
                                node=0 if pl == "local" else 1, cpus=cpus,
                                cpu_nodes=[0] * nt, placement=pl,
                                threads=nt, reset_mode=rm, cache=cache,
                                batch=batch, batch_used=batch, rounds=rounds,
                                rounds_done=rounds,
                                seed=rng.randrange(1 << 32),
                                timer="tsc" if unit == "cycles" else "ktime",
                                irq_off=0,
                                insns="clflushopt;movdir64b;rdtsc",
                                timer_overhead=24,
                                tsc_khz=tsc_khz if unit == "cycles" else 0,
                                elapsed_ns=rounds * 1e6, status="ok",
                                emulation=emulation)
                            units = 64
                            ub = 4096 if g == "4k" else \
                                4096 * SCHEMA.pages_per_2m
                            out["params.csv"].row(
                                run_id=rid, units=units, unit_bytes=ub,
                                bytes_per_thread=units * ub,
                                variants=[v[0] for v in variants],
                                source="cli")
                            _one_run(rid, rng, effects, variants, g, cache,
                                     rm, pl, nt, rounds, nb, batch, noise,
                                     drift, spike_p, unit, tsc_khz, hist,
                                     out)
                            for c in cpus:
                                out["counters.csv"].row(
                                    run_id=rid, cpu=c, counter="cycles",
                                    value=rng.randrange(10**8, 10**9))
                                out["counters.csv"].row(
                                    run_id=rid, cpu=c, counter="llc_misses",
                                    value="unavailable",
                                    note="perf_event_open: EOPNOTSUPP")
    for w in out.values():
        w.close()
    if not hist:
        os.unlink(os.path.join(path, "hist.csv"))


def _one_run(rid, rng, effects, variants, g, cache, rm, pl, nt, rounds, nb,
             batch, noise, drift, spike_p, unit, tsc_khz, hist, out):
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
                out["samples.csv"].row(run_id=rid, thread=t, round=r,
                                       variant=name, value=round(total, 3),
                                       ops=ops, unit=unit)
        for name, p, s, k in variants:
            xs = per[name]
            m = sum(xs) / len(xs)
            # the harness leaves stddev empty for one batch
            sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) \
                if len(xs) > 1 else ""
            out["micro.csv"].row(
                run_id=rid, variant=name, shape=s, path=p,
                granule="any" if p == "ground" else g, param=k, thread=t,
                cpu=t, node=0, ops=len(xs) * batch, batches=len(xs), mean=m,
                stddev=sd, min=min(xs), max=max(xs), unit=unit,
                pfn_checksum="123456789" if p != "ground" else "0",
                pages_touched=0 if p == "ground" else len(xs) * batch *
                (1 if g == "4k" else SCHEMA.pages_per_2m))
            if hist:
                counts = {}
                for x in xs:
                    b = hist_bucket(x)
                    counts[b] = counts.get(b, 0) + 1
                for b in sorted(counts):
                    out["hist.csv"].row(
                        run_id=rid, variant=name, thread=t, lo=hist_lower(b),
                        hi=hist_lower(b + 1), count=counts[b], unit=unit)


def _write_teardown(path, rng, emulation, vm_type):
    w = Writer(path, "teardown.csv")
    no = 0
    for size_mb in (64, 128, 256):
        for vms in (1, 4):
            for rep in range(3):
                no += 1
                rid = f"t{no:03d}"
                for vm in range(vms):
                    size = size_mb << 20
                    pages = size // SCHEMA.page_bytes
                    nspp = 850.0 * (1 + 0.15 * (vms - 1)) * \
                        math.exp(rng.gauss(0, 0.05))
                    td = pages * nspp / 1e9
                    w.row(run_id=rid, repeat=rep, vm_type=vm_type,
                          vm_type_reason="synthetic: no TDX", vm=vm,
                          vms=vms, vcpus=4, size_bytes=size, page_size="4k",
                          trigger="destroy", populate="prefault",
                          mappings_populated=pages, mapped_4k=pages,
                          mapped_2m=0, create_s=0.01,
                          populate_s=pages * 300e-9, teardown_s=td,
                          pages=pages, ns_per_page=nspp,
                          pages_per_s=1e9 / nspp, status="ok",
                          emulation=emulation)
    w.close()


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
