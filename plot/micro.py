# SPDX-License-Identifier: GPL-2.0
"""Module (micro) figures: parameter groups, per-round per-op values (with
the replica each variant ran at), the pairs the analysis compares and
per-variant distribution statistics, all in ns.

Pairs are found by micro.csv's path, shape, granule and twin columns,
never by variant names: the patch pair (page, pfn; twin 0), the A/A
controls (page and its twin, pfn and its twin) and the range family (pfn
and range at 2M, per 2M op)."""
import collections

import stats

# Run parameters that define a comparable configuration. Repeats of the
# same configuration (different repeat/seed) are pooled.
GROUP_KEYS = ("backend", "granule", "reset_mode", "cache", "placement",
              "node", "threads", "batch", "timer", "irq_off", "emulation",
              "where")
# Shown in tables when they differ between groups (short names).
SHOW_KEYS = (("granule", "gran"), ("reset_mode", "reset"), ("cache", "cache"),
             ("placement", "place"), ("threads", "thr"), ("node", "node"),
             ("backend", "backend"), ("batch", "batch"), ("timer", "timer"),
             ("irq_off", "irqoff"), ("emulation", "emul"),
             ("where", "where"))
PATH_ORDER = ("unmap", "wbinvd", "reset", "convert")


def group_key(run):
    return tuple((k, run[k]) for k in GROUP_KEYS)


def groups(rd):
    """{key: [run_id, ...]} in first-seen order."""
    g = collections.OrderedDict()
    for rid, r in rd.runs.items():
        g.setdefault(group_key(r), []).append(rid)
    return g


def varying(keys):
    """Short names of GROUP_KEYS that differ among the given keys."""
    out = []
    for k, short in SHOW_KEYS:
        if len({dict(key)[k] for key in keys}) > 1:
            out.append((k, short))
    return out


def fixed_desc(keys):
    """'granule=4k cache=hot ...' for the keys that do not vary."""
    if not keys:
        return ""
    d = dict(keys[0])
    vary = {k for k, _ in varying(keys)}
    return " ".join(f"{short}={_fmt(d[k])}" for k, short in SHOW_KEYS
                    if k not in vary)


def _fmt(v):
    if isinstance(v, bool):
        return "on" if v else "off"
    return str(v)


def key_desc(key, keys):
    d = dict(key)
    return " ".join(f"{short}={_fmt(d[k])}" for k, short in varying(keys))


def key_cells(key, vary):
    d = dict(key)
    return [_fmt(d[k]) for k, _ in vary]


def index(rd, table):
    """{(run_id, variant): [rows]} for samples/hist/micro, built once;
    "micro_by_kind": {(run_id, path, shape, granule, twin): [rows]}."""
    cache = rd.__dict__.setdefault("_index", {})
    if table not in cache:
        idx = collections.defaultdict(list)
        if table == "micro_by_kind":
            for r in rd.micro:
                idx[(r["run_id"], r["path"], r["shape"], r["granule"],
                     r["twin"])].append(r)
        else:
            for r in getattr(rd, table):
                idx[(r["run_id"], r["variant"])].append(r)
        cache[table] = idx
    return cache[table]


def rows(rd, table, run_ids, variant):
    idx = index(rd, table)
    out = []
    for rid in run_ids:
        out.extend(idx.get((rid, variant), ()))
    return out


def per_round(rd, run_ids, variant, per_page=False):
    """{(run_id, round): (per-op ns, threads, replica)}: each round's total
    over its threads divided by its ops, converted to ns with the run's
    tsc_khz (per 4K page with per_page: divided by the variant's pages
    per op); the replica is the one the variant ran at in that round."""
    acc = {}
    units = {}
    for s in rows(rd, "samples", run_ids, variant):
        k = (s["run_id"], s["round"])
        v, o, t, rep = acc.get(k, (0.0, 0, 0, s["replica"]))
        acc[k] = (v + s["value"], o + s["ops"], t + 1, rep)
        units[s["run_id"]] = s["unit"]
    out = {}
    ppo_of = {rid: pages_per_op(rd, [rid], variant) if per_page else 1
              for rid in units}
    for k, (v, o, t, rep) in acc.items():
        ppo = ppo_of[k[0]]
        if o > 0 and ppo:
            ns = rd.to_ns(v / o / ppo, units[k[0]], k[0])
            if ns is not None:
                out[k] = (ns, t, rep)
    return out


def paired_rounds(rd, run_ids, va, vb, per_page=False):
    """[(run_id, replica a, replica b, a, b)] of per-op ns (per 4K page
    with per_page) for rounds where both variants ran with the same
    threads, ordered by (run, round): stats.paired's input."""
    ra = per_round(rd, run_ids, va, per_page)
    rb = per_round(rd, run_ids, vb, per_page)
    out = []
    for k in sorted(set(ra) & set(rb), key=lambda k: (str(k[0]), k[1])):
        if ra[k][1] == rb[k][1]:
            out.append((k[0], ra[k][2], rb[k][2], ra[k][0], rb[k][0]))
    return out


def pages_per_op(rd, run_ids, variant):
    """4K pages one op of the variant covers (micro.csv pages_touched /
    ops: 1 at 4K, pages_per_2m at 2M); None for ops that touch none."""
    m = rows(rd, "micro", run_ids, variant)
    ops = sum(x["ops"] for x in m)
    pages = sum(x["pages_touched"] for x in m)
    return pages / ops if ops and pages else None


def variants_of(rd, run_ids):
    """{name: Variant} of the given runs, from micro.csv, in run order."""
    seen = collections.OrderedDict()
    for rid in run_ids:
        for name in rd.run_variants(rid):
            v = rd.variant(rid, name)
            if v:
                seen.setdefault(name, v)
    return seen


def variant_order(v):
    """Sort key of a Variant: path (PATH_ORDER, ground last by its add
    count), granule, shape."""
    if v.path == "ground":
        return (9, v.param, "", "")
    po = PATH_ORDER.index(v.path) if v.path in PATH_ORDER else 8
    return (po, 0, v.granule, v.shape)


def sorted_variants(rd, run_ids):
    return sorted(variants_of(rd, run_ids).values(), key=variant_order)


def find(rd, run_ids, path, shape, granule, twin=False):
    """Name of the variant of these runs with that path, shape, granule
    and twin flag (micro.csv columns), or None."""
    for rid in run_ids:
        for m in index(rd, "micro_by_kind").get(
                (rid, path, shape, granule, twin), ()):
            return m["variant"]
    return None


# The pairs the analysis makes of one path and granule: (kind, shape a,
# twin a, shape b, twin b). ab: the patch (page = a, pfn = b); aa-page,
# aa-pfn: A/A controls, a variant against its byte-identical twin; range:
# the hypothetical one-call 2M reset against the 7.2 pfn shape, per op.
PAIRS = (("ab", "page", False, "pfn", False),
         ("aa-page", "page", False, "page", True),
         ("aa-pfn", "pfn", False, "pfn", True),
         ("range", "pfn", False, "range", False))


def pairs(rd, run_ids):
    """[(kind, path, granule, variant a, variant b)] in PATH_ORDER, for
    every PAIRS entry whose two variants ran."""
    out = []
    vs = variants_of(rd, run_ids).values()
    for path in PATH_ORDER:
        for g in sorted({v.granule for v in vs if v.path == path}):
            for kind, sa, ta, sb, tb in PAIRS:
                a = find(rd, run_ids, path, sa, g, ta)
                b = find(rd, run_ids, path, sb, g, tb)
                if a and b:
                    out.append((kind, path, g, a, b))
    return out


def shape_pairs(rd, run_ids):
    """[(path, granule, page variant, pfn variant)]: the patch pairs."""
    return [(p, g, a, b) for k, p, g, a, b in pairs(rd, run_ids)
            if k == "ab"]


def describe(key):
    """A configuration in words (the headline's)."""
    d = dict(key)
    return (f"{d['backend']} {d['where']} reset={d['reset_mode']} "
            f"cache={d['cache']} {d['placement']} threads={d['threads']}")


def headline_group(groups_, granule):
    """The configuration of a granule closest to what teardown runs: the
    best backend (tdx, then model), kernel reset mode, cold cache, local
    memory, one thread, the module over native; (key, run ids) or None."""
    best, score_best = None, None
    for key, rids in groups_.items():
        d = dict(key)
        if d["granule"] != granule:
            continue
        score = ({"tdx": 3, "model": 2}.get(d["backend"], 0) * 100 +
                 (40 if d.get("where", "module") == "module" else 0) +
                 (20 if d["reset_mode"] == "kernel" else 0) +
                 (10 if d["cache"] == "cold" else 0) +
                 (5 if d["placement"] == "local" else 0) +
                 (2 if d["threads"] == 1 else 0))
        if score_best is None or score > score_best:
            best, score_best = (key, rids), score
    return best


def buckets(rd, run_ids, variant):
    """[(lo ns, hi ns, count)] of the variant's non-empty histogram
    buckets; the last, unbounded bucket (hi empty) counts at its lo."""
    out = []
    for h in rows(rd, "hist", run_ids, variant):
        if h["count"]:
            lo = rd.to_ns(h["lo"], h["unit"], h["run_id"])
            hi = rd.to_ns(h["hi"] if h["hi"] is not None else h["lo"],
                          h["unit"], h["run_id"])
            if lo is not None:
                out.append((lo, hi, h["count"]))
    return out


def variant_stats(rd, run_ids, variant):
    """Distribution of one variant over the given runs, in ns.

    Source, in order of preference: hist.csv (per-batch cycles/op, n =
    batches), samples.csv (per-round per-op, n = rounds x threads),
    micro.csv (mean/stddev/min/max only)."""
    hist = buckets(rd, run_ids, variant)
    micro = rows(rd, "micro", run_ids, variant)
    res = None
    if hist:
        res = stats.describe_hist(hist)
        res["source"] = "hist"
    else:
        vals = []
        for s in rows(rd, "samples", run_ids, variant):
            if s["ops"]:
                v = rd.to_ns(s["value"] / s["ops"], s["unit"], s["run_id"])
                if v is not None:
                    vals.append(v)
        if vals:
            res = stats.describe(vals)
            res["source"] = "samples"
    if micro:
        # Exact mean/min/max/CV from the module's aggregates (per batch).
        tb = sum(m["batches"] for m in micro)
        # stddev is empty with one batch: it then adds no spread
        conv = [(rd.to_ns(m["mean"], m["unit"], m["run_id"]),
                 rd.to_ns(m["stddev"] or 0.0, m["unit"], m["run_id"]),
                 rd.to_ns(m["min"], m["unit"], m["run_id"]),
                 rd.to_ns(m["max"], m["unit"], m["run_id"]), m["batches"])
                for m in micro]
        conv = [c for c in conv if c[0] is not None]
        if conv and tb:
            mean = sum(c[0] * c[4] for c in conv) / tb
            ex2 = sum((c[1] ** 2 * max(c[4] - 1, 0) + c[0] ** 2 * c[4])
                      for c in conv) / tb
            var = max(ex2 - mean ** 2, 0.0) * tb / max(tb - 1, 1)
            if res is None:
                res = dict(n=tb, median=None, p10=None, p25=None, p75=None,
                           p90=None, p99=None, p999=None, mad=None,
                           source="micro")
            res.update(mean=mean, min=min(c[2] for c in conv),
                       max=max(c[3] for c in conv),
                       cv=(var ** 0.5 / mean) if mean else None)
            # histogram quantiles interpolate inside buckets: keep them
            # within the exact extremes
            for q in ("median", "p10", "p25", "p75", "p90", "p99", "p999"):
                if res.get(q) is not None:
                    res[q] = min(max(res[q], res["min"]), res["max"])
            res["ops"] = sum(m["ops"] for m in micro)
    return res


def throughput(rd):
    """Rows (variant, other-params key, threads, Mops/s) from micro.csv:
    sum over threads of 1/mean per-op time, averaged over repeats."""
    acc = collections.defaultdict(list)
    for rid, r in rd.runs.items():
        per = collections.defaultdict(float)
        for m in rd.micro:
            if m["run_id"] == rid and m["mean"] > 0 and m["path"] != "ground":
                ns = rd.to_ns(m["mean"], m["unit"], rid)
                if ns:
                    per[m["variant"]] += 1e3 / ns      # Mops/s
        key = tuple((k, v) for k, v in group_key(r) if k != "threads")
        for v, mops in per.items():
            acc[(v, key, r["threads"])].append(mops)
    return [(v, key, t, sum(x) / len(x))
            for (v, key, t), x in sorted(acc.items(),
                                          key=lambda i: (i[0][0], i[0][2]))]
