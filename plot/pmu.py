# SPDX-License-Identifier: GPL-2.0
"""PMU counts and APERF/MPERF of the module's variants, page vs pfn per
4K page: one summary (summarize(), aperf_mperf(), not_counted()) that the
report's details, report.md and verdicts.json show.

Definitions (micro.csv, runs.csv; plot/schema.json):
  count per 4K page  of one run and variant: its thread rows' counts per
                     op (instructions, core_cycles, l1d_misses: counted
                     over the variant's timed batches, an empty timer
                     bracket's count subtracted, divided by the ops) times
                     their ops, summed, over the 4K pages those ops
                     covered (pages_touched); a run has the figure only
                     when every thread row of the variant has the count
  page, pfn          the mean over runs of that figure (runs having it
                     for both variants of the pair)
  pfn - page         the mean of the per-run differences; with 2+ runs a
                     95% t interval over runs (runs - 1 degrees of
                     freedom), with one run no interval
  APERF/MPERF        per thread of a run (micro.csv aperf_mperf, the same
                     on each variant's row): the thread's CPU's APERF over
                     MPERF across the whole run, i.e. its core clock over
                     the TSC's rate while it was not idle: the effective-
                     frequency ratio. 1: the core ran at the TSC's rate;
                     far from 1: the frequency changed (turbo, power
                     limits, throttling) and TSC cycles are not core
                     cycles. FAR: the distance from 1 reported as far.
Which counters ran: runs.csv pmu per run; why others did not: pmu_reason
(empty when all were counted or none was asked for: micro --no-pmu).
"""
import collections
import math

import micro
import provenance
import stats

FAR = 0.05              # APERF/MPERF this far from 1: the clock moved


def counters(rd):
    """The PMU counters (schema enum pmu_counter, in its order) that at
    least one run counted."""
    ran = {c for r in rd.runs.values() for c in r["pmu"]}
    return [c for c in rd.schema.enums["pmu_counter"] if c in ran]


def not_counted(rd):
    """[(reason, runs)]: each distinct runs.csv pmu_reason and how many
    runs gave it, for runs that missed a counter; a run that counted
    none and gave no reason says "none was asked for"."""
    all_ = set(rd.schema.enums["pmu_counter"])
    why = collections.Counter()
    for r in rd.runs.values():
        if set(r["pmu"]) >= all_:
            continue
        why[r["pmu_reason"] or ("none was asked for (micro --no-pmu)"
                                if not r["pmu"] else "not given")] += 1
    return sorted(why.items())


def per_page(rd, run_id, variant, counter):
    """One run's count per 4K page of a variant, or None."""
    ms = micro.rows(rd, "micro", [run_id], variant)
    pages = sum(m["pages_touched"] for m in ms)
    if not ms or not pages or any(m[counter] is None for m in ms):
        return None
    return math.fsum(m[counter] * m["ops"] for m in ms) / pages


def _figures(rd, rids, va, vb, counter):
    pairs = [(a, b) for a, b in ((per_page(rd, r, va, counter),
                                  per_page(rd, r, vb, counter))
                                 for r in rids)
             if a is not None and b is not None]
    if not pairs:
        return None
    d = [b - a for a, b in pairs]
    n = len(d)
    est = stats.mean(d)
    ci = list(stats.interval(est, stats.stdev(d) / math.sqrt(n), n - 1)) \
        if n >= 2 else None
    return dict(page=stats.mean([a for a, _ in pairs]),
                pfn=stats.mean([b for _, b in pairs]), change=est, ci=ci,
                runs=n)


def summarize(rd):
    """[dict(key, path, granule, page, pfn (variant names), runs, marks,
    counters={counter: dict(page, pfn, change, ci [lo, hi] or None,
    runs)})]: per configuration x path x granule of the patch pairs, the
    counters any run of the configuration counted for both shapes."""
    cs = counters(rd)
    out = []
    for key, rids in micro.groups(rd).items():
        for path, g, va, vb in micro.shape_pairs(rd, rids):
            figs = {c: f for c, f in ((c, _figures(rd, rids, va, vb, c))
                                      for c in cs) if f}
            if figs:
                out.append(dict(key=key, path=path, granule=g, page=va,
                                pfn=vb, runs=list(rids),
                                marks=provenance.row_marks(rd, rids),
                                counters=figs))
    return out


def aperf_mperf(rd):
    """[dict(key, threads, values, min, median, max, far)] per
    configuration: over its runs' threads (one value per run x thread;
    far: how many are more than FAR from 1); threads without a value
    are counted in threads, not in values."""
    out = []
    for key, rids in micro.groups(rd).items():
        per = collections.defaultdict(list)
        for m in rd.micro:
            if m["run_id"] in rids:
                per[(m["run_id"], m["thread"])].append(m["aperf_mperf"])
        vals = [stats.median([v for v in vs if v is not None])
                for vs in per.values() if any(v is not None for v in vs)]
        out.append(dict(key=key, threads=len(per), values=len(vals),
                        min=min(vals) if vals else None,
                        median=stats.median(vals) if vals else None,
                        max=max(vals) if vals else None,
                        far=sum(1 for v in vals if abs(v - 1) > FAR)))
    return out


def as_json(rd):
    """verdicts.json's pmu and aperf_mperf members (plot/VERDICTS.md)."""
    return dict(
        pmu=dict(counted=counters(rd), unit="per 4K page",
                 not_counted=[dict(reason=w, runs=n)
                              for w, n in not_counted(rd)],
                 rows=[dict(config=dict(r["key"]), path=r["path"],
                            granule=r["granule"], a=r["page"], b=r["pfn"],
                            runs=r["runs"], marks=r["marks"],
                            counters=r["counters"])
                       for r in summarize(rd)]),
        aperf_mperf=dict(far=FAR, rows=[
            dict(config=dict(a["key"]), threads=a["threads"],
                 values=a["values"], min=a["min"], median=a["median"],
                 max=a["max"], far=a["far"]) for a in aperf_mperf(rd)]))
