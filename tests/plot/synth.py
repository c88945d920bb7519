# SPDX-License-Identifier: GPL-2.0
"""Synthetic unmapbench run directories with known answers.

write_rundir(path, seed=..., effects={"unmap": -5.0, ...}, ...) writes a
complete run directory in plot/schema.json's format whose pfn-shape
variants differ from the page-shape ones by exactly effects[path] percent
(negative = pfn faster), or by effects_ns[path] ns per 4K page when
given, in expectation over every random factor the module's design
randomises:
  - runs (boots): a per-(run, variant) factor of sd run_sd (log),
  - layout: every variant has `replicas` byte-identical copies, each with
    its own factor of sd placement_sd (log); the module draws one per
    variant per round, each replica equally often (a fresh permutation
    every `replicas` rounds),
  - order: a Williams design under random relabelling, as the module's
    ub_order.c; position_effect[k] slows whatever runs at position k,
  - rounds: a slow AR(1) drift (~drift) common to every variant of a
    round (what pairing removes), per-batch log-normal noise and rare
    interrupt spikes (+5..40%).
Every factor has mean 1, so the true change in total (mean) time is the
stated effect; the A/A twins (".aa", twin = 1) are the same code with
their own replicas: their true change is 0. At 2M the page and pfn shapes
are 512 x 4K removals (pages_per_2m from the schema); the range shape
(one call per 2M) is written too.

PMU counts (pmu=True; runs.csv pmu lists pmu_counters, pmu_reason
says why the others are missing): per 4K page, the page shape counts
PMU_BASE[counter][path] (+ 0.25 x thread), the pfn shape that plus
pmu_effects[(counter, path)] (default PMU_EFFECTS) plus pmu_spread x
(repeat - (repeats - 1) / 2): the mean of the per-run differences is
the effect exactly and their standard deviation pmu_spread; micro.csv
holds them per op (x pages per op). pmu=False leaves the counts empty
(runs.csv pmu empty, pmu_reason as given). aperf: None (empty) or the
APERF/MPERF of thread 0 (thread t: aperf + 0.01 t).

Teardown rows (teardown=True) follow teardown_spec (see TEARDOWN):
seconds = fixed_s + marginal_ns x mappings, noise 5% per repeat.

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

BASE_CYCLES = {  # per 4K page, page shape
    "convert": 24.0, "wbinvd": 3100.0, "reset": 260.0, "unmap": 3500.0}
RANGE_SHARE = 0.9       # a range call costs 0.9 x its 4K removals
PATHS = ("convert", "wbinvd", "reset", "unmap")
RANGE_PATHS = ("reset", "unmap")
GROUND = (16, 64, 65, 256, 1024)

SUB_BITS, MAX_BITS = 7, 40
SUB = 1 << SUB_BITS

PMU_BASE = {  # per 4K page, page shape
    "instructions": {"convert": 20.0, "wbinvd": 180.0, "reset": 350.0,
                     "unmap": 560.0},
    "core_cycles": {"convert": 24.0, "wbinvd": 3100.0, "reset": 260.0,
                    "unmap": 3500.0},
    "l1d_misses": {"convert": 0.5, "wbinvd": 2.0, "reset": 64.0,
                   "unmap": 70.0}}
PMU_EFFECTS = {("instructions", "unmap"): -7.0,
               ("instructions", "wbinvd"): -3.0,
               ("l1d_misses", "unmap"): -1.0}

# One teardown configuration: size (MiB), guests, vCPUs, trigger,
# populate, repeats; mapped: fraction of the pages KVM reports mapped
# (0: none, the gmem/no-pre-fault case); guest_ran for populate=touch.
TEARDOWN = tuple(
    dict(size_mb=s, vms=v, vcpus=4, trigger="destroy", populate="prefault",
         repeats=3, mapped=1.0)
    for s in (64, 128, 256) for v in (1, 4))


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
    if v is None:
        return ""
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


def lognormal(rng, sd):
    """A factor of mean 1 whose log has standard deviation sd."""
    return math.exp(rng.gauss(-sd * sd / 2, sd)) if sd else 1.0


def williams(n, row, k):
    """Position k of row `row` of the Williams design (ub_order.c)."""
    if row >= n:
        k = n - 1 - k
    if not k:
        a = 0
    elif k & 1:
        a = (k + 1) // 2
    else:
        a = n - k // 2
    return (a + row % n) % n


class Schedule:
    """The module's counterbalanced order and replica draws."""

    def __init__(self, rng, n, replicas):
        self.rng, self.n, self.reps = rng, n, max(replicas, 1)
        self.block = 2 * n if n % 2 else n

    def round(self, r):
        """(order: position -> variant index, replica per variant)."""
        if r % self.block == 0:
            self.label = list(range(self.n))
            self.rng.shuffle(self.label)
            self.rows = list(range(self.block))
            self.rng.shuffle(self.rows)
        if r % self.reps == 0:
            self.perm = []
            for _ in range(self.n):
                p = list(range(self.reps))
                self.rng.shuffle(p)
                self.perm.append(p)
        row = self.rows[r % self.block]
        order = [self.label[williams(self.n, row, k)] for k in range(self.n)]
        return order, [p[r % self.reps] for p in self.perm]


def write_rundir(path, seed=1, effects=None, effects_ns=None, rounds=200,
                 repeats=1, granules=("4k",), caches=("hot",),
                 reset_modes=("kernel",), placements=("local",), threads=(1,),
                 batches_per_round=4, batch=8, noise=0.04, drift=0.01,
                 spike_p=0.01, ground=True, hist=True, teardown=True,
                 micro=True, hostname="synth-host", kernel="7.2.13-synth",
                 backend="model", emulation="none", tsc_khz=2000000.0,
                 status="complete", tsc_unit="cycles", vm_type="sw-protected",
                 replicas=8, placement_sd=0.0, run_sd=0.0,
                 position_effect=None, twins=True, ranges=True,
                 where="module", modes=None, quantum=None, paths=PATHS,
                 run_status="ok", teardown_spec=TEARDOWN, fixed_s=0.002,
                 marginal_ns=850.0, teardown_noise=0.05, pmu=False,
                 pmu_counters=tuple(PMU_BASE), pmu_reason="",
                 pmu_effects=None, pmu_spread=0.5, aperf=None):
    """Write one synthetic run directory at path (created).

    modes: {path: (q, slow, fast)}: the pfn shape of path (and its twin)
    takes `slow` x its cost in a share q of rounds, `fast` x otherwise (a
    bimodal op: its median and mean can move in opposite directions).
    quantum: per-op values rounded to multiples of it (timer units): a
    coarse timer."""
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
        cfg = dict(effects=effects, effects_ns=effects_ns or {},
                   rounds=rounds, nb=batches_per_round, batch=batch,
                   noise=noise, drift=drift, spike_p=spike_p, hist=hist,
                   unit=tsc_unit, tsc_khz=tsc_khz, replicas=replicas,
                   placement_sd=placement_sd, run_sd=run_sd,
                   position_effect=position_effect or {}, modes=modes or {},
                   quantum=quantum, repeats=repeats,
                   pmu=pmu_counters if pmu else (), pmu_reason=pmu_reason,
                   pmu_effects=PMU_EFFECTS if pmu_effects is None
                   else pmu_effects, pmu_spread=pmu_spread, aperf=aperf)
        _write_micro(path, rng, cfg, repeats, granules, caches, reset_modes,
                     placements, threads, ground, backend, emulation,
                     twins, ranges, where, paths, run_status)
    if teardown:
        _write_teardown(path, rng, emulation, vm_type, teardown_spec,
                        fixed_s, marginal_ns, teardown_noise)
    return path


def variant_list(g, ground, twins, ranges, paths):
    """[(name, path, shape, granule, param, twin)] of one run."""
    out = []
    for p in paths:
        for s in ("page", "pfn"):
            out.append((f"{p}.{s}.{g}", p, s, g, 0, 0))
            if twins:
                out.append((f"{p}.{s}.{g}.aa", p, s, g, 0, 1))
    if ranges and g == "2m":
        for p in RANGE_PATHS:
            if p in paths:
                out.append((f"{p}.range.2m", p, "range", g, 0, 0))
    if ground:
        for k in GROUND:
            out.append((f"ground.add{k}", "ground", "none", "any", k, 0))
    return out


def _write_micro(path, rng, cfg, repeats, granules, caches, reset_modes,
                 placements, threads, ground, backend, emulation, twins,
                 ranges, where, paths, run_status):
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
                            variants = variant_list(g, ground, twins, ranges,
                                                    paths)
                            cpus = list(range(nt))
                            unit = cfg["unit"]
                            out["runs.csv"].row(
                                run_id=rid, repeat=rep + 1,
                                label=f"{g}-{cache}-{rm}-{pl}-t{nt}",
                                backend_req="auto", backend=backend,
                                backend_reason="synthetic", granule=g,
                                node=0 if pl == "local" else 1, cpus=cpus,
                                cpu_nodes=[0] * nt, placement=pl,
                                threads=nt, reset_mode=rm, cache=cache,
                                batch=cfg["batch"],
                                batch_used=cfg["batch"],
                                rounds=cfg["rounds"],
                                rounds_done=cfg["rounds"],
                                seed=rng.randrange(1 << 32),
                                timer="tsc" if unit == "cycles" else "ktime",
                                irq_off=0,
                                insns="clflushopt;movdir64b;rdtsc",
                                timer_overhead=24,
                                tsc_khz=cfg["tsc_khz"],
                                elapsed_ns=cfg["rounds"] * 1e6,
                                status=run_status, emulation=emulation,
                                where=where, warmup=2, warmup_done=2,
                                replicas=cfg["replicas"],
                                prep_lines="data;struct_page",
                                pmu=list(cfg["pmu"]),
                                pmu_reason=cfg["pmu_reason"])
                            units = 64
                            ub = 4096 if g == "4k" else \
                                4096 * SCHEMA.pages_per_2m
                            out["params.csv"].row(
                                run_id=rid, units=units, unit_bytes=ub,
                                bytes_per_thread=units * ub,
                                variants=[v[0] for v in variants],
                                source="cli")
                            scale = ((1.25 if cache == "cold" else 1.0) *
                                     (1.10 if pl == "remote" else 1.0) *
                                     (1.30 if rm == "force" else 1.0))
                            _one_run(rid, rng, cfg, variants, g, scale, nt,
                                     out, rep)
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
    if not cfg["hist"]:
        os.unlink(os.path.join(path, "hist.csv"))


def _base(cfg, name, p, s, g, k):
    """True mean cost of one op of a variant, in cycles."""
    if p == "ground":
        return k * 1.0 + 2.0
    pages = SCHEMA.pages_per_2m if g == "2m" else 1
    page = BASE_CYCLES[p] * pages
    if s == "page":
        return page
    if s == "range":
        return page * RANGE_SHARE
    if p in cfg["effects_ns"]:
        return page + cfg["effects_ns"][p] * pages * cfg["tsc_khz"] / 1e6
    return page * (1 + cfg["effects"][p] / 100.0)


def _pmu_cells(cfg, p, s, k, t, rep, pages):
    """micro.csv PMU cells of one variant and thread (per op)."""
    out = {}
    for c in cfg["pmu"]:
        if p == "ground":
            out[c] = float(k + 4)
            continue
        v = PMU_BASE[c][p] + 0.25 * t
        if s == "pfn":
            v += cfg["pmu_effects"].get((c, p), 0.0) + cfg["pmu_spread"] * \
                (rep - (cfg["repeats"] - 1) / 2)
        elif s == "range":
            v *= RANGE_SHARE
        out[c] = v * pages
    if cfg["aperf"] is not None:
        out["aperf_mperf"] = cfg["aperf"] + 0.01 * t
    return out


def _one_run(rid, rng, cfg, variants, g, scale, nt, out, rep=0):
    unit, nb, batch = cfg["unit"], cfg["nb"], cfg["batch"]
    conv = (lambda c: c) if unit == "cycles" else \
        (lambda c: c * 1e6 / cfg["tsc_khz"])
    n = len(variants)
    base = [_base(cfg, *v[:5]) * (scale if v[1] != "ground" else 1.0)
            for v in variants]
    run_f = [lognormal(rng, cfg["run_sd"]) if v[1] != "ground" else 1.0
             for v in variants]
    place = [[lognormal(rng, cfg["placement_sd"]) if v[1] != "ground"
              else 1.0 for _ in range(cfg["replicas"])] for v in variants]
    sched = Schedule(rng, n, cfg["replicas"])
    plan = [sched.round(r) for r in range(cfg["rounds"])]
    spike_mean = 1 + cfg["spike_p"] * (0.05 + 0.35 / 2)
    sd_level = 0.6 * cfg["drift"] / math.sqrt(1 - 0.64)
    for t in range(nt):
        per = [[] for _ in variants]        # per-batch cost per op
        level = rng.gauss(0, sd_level)
        for r in range(cfg["rounds"]):
            level = 0.8 * level + rng.gauss(0, cfg["drift"] * 0.6)
            common = math.exp(level - sd_level ** 2 / 2)
            order, reps = plan[r]
            for pos, vi in enumerate(order):
                name, p, s = variants[vi][:3]
                mean = base[vi] * run_f[vi] * place[vi][reps[vi]] * \
                    common * (1 + cfg["position_effect"].get(pos, 0.0))
                if s == "pfn" and p in cfg["modes"]:
                    q, slow, fast = cfg["modes"][p]
                    mean *= slow if rng.random() < q else fast
                total, ops = 0.0, 0
                for _ in range(nb):
                    x = mean * lognormal(rng, cfg["noise"])
                    if rng.random() < cfg["spike_p"]:
                        x *= 1.05 + 0.35 * rng.random()
                    x = conv(x / spike_mean)
                    if cfg["quantum"]:
                        x = cfg["quantum"] * round(x / cfg["quantum"])
                    per[vi].append(x)
                    total += x * batch
                    ops += batch
                out["samples.csv"].row(
                    run_id=rid, thread=t, round=r, variant=name,
                    value=round(total, 3), ops=ops, unit=unit,
                    replica=reps[vi], position=pos)
        for vi, (name, p, s, vg, k, twin) in enumerate(variants):
            xs = per[vi]
            m = sum(xs) / len(xs)
            # the harness leaves stddev empty for one batch
            sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) \
                if len(xs) > 1 else ""
            pages = SCHEMA.pages_per_2m if g == "2m" else 1
            out["micro.csv"].row(
                run_id=rid, variant=name, shape=s, path=p,
                granule=vg, param=k, thread=t, cpu=t, node=0,
                ops=len(xs) * batch, batches=len(xs), mean=m,
                stddev=sd, min=min(xs), max=max(xs), unit=unit,
                pfn_checksum="123456789" if p != "ground" else "0",
                pages_touched=0 if p == "ground" else len(xs) * batch *
                pages, twin=twin,
                **_pmu_cells(cfg, p, s, k, t, rep, pages))
            if cfg["hist"]:
                counts = {}
                for x in xs:
                    b = hist_bucket(x)
                    counts[b] = counts.get(b, 0) + 1
                for b in sorted(counts):
                    out["hist.csv"].row(
                        run_id=rid, variant=name, thread=t, lo=hist_lower(b),
                        hi=hist_lower(b + 1), count=counts[b], unit=unit)


def _write_teardown(path, rng, emulation, vm_type, spec, fixed_s,
                    marginal_ns, noise):
    w = Writer(path, "teardown.csv")
    no = 0
    for c in spec:
        c = dict(dict(vcpus=4, trigger="destroy", populate="prefault",
                      repeats=3, mapped=1.0, vm_type=vm_type,
                      page_size="4k", guest_ran=None, status=None), **c)
        for rep in range(c["repeats"]):
            no += 1
            rid = f"td{no:04d}"
            size = c["size_mb"] << 20
            pages = size // SCHEMA.page_bytes
            maps = int(pages * c["mapped"])
            ran = c["guest_ran"] if c["guest_ran"] is not None else \
                c["populate"] == "touch"
            status = c["status"] or (
                "ok" if maps else "ok-no-mappings: KVM_PRE_FAULT_MEMORY "
                "unsupported: fallocate only")
            slow = 1 + 0.15 * (c["vms"] - 1)
            secs = []
            for vm in range(c["vms"]):
                td = (fixed_s + maps * marginal_ns * slow * 1e-9 +
                      (0 if maps else pages * 40e-9)) * \
                    lognormal(rng, noise)
                secs.append(td)
                w.row(run_id=rid, repeat=rep + 1, vm_type=c["vm_type"],
                      vm_type_reason="synthetic: no TDX", vm=vm,
                      vms=c["vms"], vcpus=c["vcpus"], size_bytes=size,
                      page_size=c["page_size"], trigger=c["trigger"],
                      populate=c["populate"], mappings_populated=maps,
                      mapped_4k=maps, mapped_2m=0, mapped_1g=0,
                      touched_pages=pages if c["populate"] == "touch"
                      else None, guest_ran=ran, create_s=0.01,
                      populate_s=pages * 300e-9, teardown_s=td, pages=pages,
                      peak_rss_kb=20000, status=status,
                      emulation=emulation)
            if c["vms"] > 1:
                w.row(run_id=rid, repeat=rep + 1, vm_type=c["vm_type"],
                      vm_type_reason="synthetic: no TDX", vm="all",
                      vms=c["vms"], vcpus=c["vcpus"], size_bytes=size,
                      page_size=c["page_size"], trigger=c["trigger"],
                      populate=c["populate"],
                      mappings_populated=maps * c["vms"],
                      mapped_4k=maps * c["vms"], mapped_2m=0, mapped_1g=0,
                      touched_pages=pages * c["vms"]
                      if c["populate"] == "touch" else None, guest_ran=ran,
                      create_s=0.02, populate_s=pages * 300e-9,
                      teardown_s=max(secs) * 1.01, pages=pages * c["vms"],
                      peak_rss_kb=20000, status=status, emulation=emulation)
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
