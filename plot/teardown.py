# SPDX-License-Identifier: GPL-2.0
"""Guest teardown tables (shaped like the published TDX ones: vCPUs,
size, before, after, change, spread over repeats) and the breakdown of
the per-page teardown cost into WBINVD, reset and the rest, with a 1 TB
projection next to the measured trend."""
import collections

import micro
import stats
import textfmt as tf

TB = 1 << 40
PAGE = 4096


def config_key(t):
    return (t["vm_type"], t["vcpus"], t["size_bytes"], t["vms"],
            t["page_size"], t["trigger"], t["populate"])


def config_desc(k):
    vt, vc, size, vms, ps, trig, pop = k
    return (f"{vt} {vc} vCPUs {size_str(size)} x{vms} {ps} {trig} "
            f"populate={pop}")


def size_str(b):
    for unit, div in (("TB", 1 << 40), ("GB", 1 << 30), ("MB", 1 << 20)):
        if b >= div:
            v = b / div
            return f"{v:.0f} {unit}" if v == int(v) or v >= 100 else \
                f"{v:.3g} {unit}"
    return f"{b} B"


def summarize(rd):
    """{config: dict(seconds=[per repeat], median_nspp, ...)}.

    A repeat's seconds is its aggregate row's (vm = all) teardown_s when
    the harness wrote one, else its slowest guest's (the guests of a
    repeat are torn down concurrently: that is when all are gone). Its
    ns/page is those seconds over the pages of all its guests, the same
    definition as the harness's teardown-summary.txt, so one run never
    shows two different ns/page."""
    per = collections.OrderedDict()
    for t in rd.teardown:
        if t["teardown_s"] is None:
            continue            # skipped/failed: listed by skipped()
        k = config_key(t)
        d = per.setdefault(k, dict(reps=collections.defaultdict(list),
                                   agg={}, rep_pages=collections.Counter(),
                                   mapped=True,
                                   status=set(), emulation=set(), pages=[]))
        rep = (t["run_id"], t["repeat"])
        if t["vm"] == "all":
            # the harness's aggregate row of a repeat: its seconds are the
            # wall time until every guest was gone
            d["agg"][rep] = t["teardown_s"]
            continue
        d["reps"][rep].append(t["teardown_s"])
        d["rep_pages"][rep] += t["pages"]
        d["pages"].append(t["pages"])
        # a 4K-equivalent count of the mappings KVM had; empty = unknown
        d["mapped"] &= bool(t["mappings_populated"])
        d["status"].add(t["status"])
        d["emulation"].add(t["emulation"])
    for k, d in per.items():
        reps = {r: max(v) for r, v in d["reps"].items()}
        reps.update(d["agg"])
        secs = sorted(reps.values())
        d["seconds"] = secs
        d["median_s"] = stats.median(secs)
        d["min_s"], d["max_s"] = secs[0], secs[-1]
        nspp = [reps[r] * 1e9 / d["rep_pages"][r] for r in reps
                 if d["rep_pages"][r]]
        d["median_nspp"] = stats.median(nspp) if nspp else None
    return per


def skipped(rd):
    """Lines for teardown rows that did not run, with the reason."""
    seen = []
    for t in rd.teardown:
        if t["teardown_s"] is None:
            x = f"{config_desc(config_key(t))}: {t['status']}"
            if x not in seen:
                seen.append(x)
    return seen


def _spread(d):
    if len(d["seconds"]) < 2:
        return "n=1"
    m = d["median_s"]
    if not m:
        return "-"
    return f"\u00b1{100 * (d['max_s'] - d['min_s']) / 2 / m:.1f}%" \
        f" n={len(d['seconds'])}"


def _secs(v):
    if v is None:
        return "-"
    if v >= 100:
        return f"{v:.0f}"
    if v >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"


def table(rd):
    """Lines: per-config teardown seconds with spread over repeats."""
    per = summarize(rd)
    if not per:
        return [y for x in skipped(rd) for y in tf.para("Teardown not run: "
                                                        + x)]
    L = ["Guest teardown (seconds until every guest of a repeat is gone;",
         "spread = half the min-max range over repeats, in % of median;",
         "ns/page = those seconds over the pages of all the guests)"]
    hdr = ["VM type", "vCPUs", "size", "VMs", "trigger", "teardown s",
           "spread", "ns/page"]
    rows = []
    notes = set()
    for k, d in per.items():
        vt, vc, size, vms, ps, trig, pop = k
        mark = "" if d["mapped"] else "*"
        if not d["mapped"]:
            notes.add("* no mappings were populated (guest_memfd only): "
                      "the figure prices freeing memory, not the unmap "
                      "path")
        rows.append([vt + mark, vc, size_str(size), vms, trig,
                     _secs(d["median_s"]), _spread(d),
                     tf.num(d["median_nspp"])])
    L += tf.table(hdr, rows, ["l", "r", "r", "r", "l", "r", "l", "r"])
    for n in sorted(notes):
        L += tf.para(n)
    for x in skipped(rd):
        L += tf.para("not run: " + x)
    return L


def ab_table(A, B):
    """Published shape: vCPUs, size, before (A), after (B), change."""
    pa, pb = summarize(A), summarize(B)
    common = [k for k in pa if k in pb]
    if not common:
        return []
    L = tf.para(f"Guest teardown, seconds (median over repeats): before = "
                f"{A.kernel()}, after = {B.kernel()}")
    hdr = ["vCPUs", "size", "VMs", "trigger", "before", "after", "change",
           "spread A/B"]
    rows = []
    for k in common:
        a, b = pa[k], pb[k]
        ch = (100 * (b["median_s"] / a["median_s"] - 1)
              if a["median_s"] else None)
        rows.append([k[1], size_str(k[2]), k[3], k[5], _secs(a["median_s"]),
                     _secs(b["median_s"]), tf.pct(ch, digits=1),
                     _spread(a).split()[0] + "/" + _spread(b).split()[0]])
    L += tf.table(hdr, rows, ["r", "r", "r", "l", "r", "r", "r", "l"])
    vts = {k[0] for k in common}
    L += tf.para("VM types: " + ", ".join(sorted(vts)) + ". A change whose "
                 "size is within the spread is not a difference.")
    return L


def _pick_group(rd):
    """The micro configuration closest to what teardown runs: the best
    backend, kernel reset mode, cold cache, local memory, one thread."""
    best, score_best = None, None
    for key, rids in micro.groups(rd).items():
        d = dict(key)
        score = ({"tdx": 3, "model": 2, "null": 0}[d["backend"]] * 100 +
                 (20 if d["reset_mode"] == "kernel" else 0) +
                 (10 if d["cache"] == "cold" else 0) +
                 (5 if d["placement"] == "local" else 0) +
                 (2 if d["threads"] == 1 else 0))
        if score_best is None or score > score_best:
            best, score_best = (key, rids), score
    return best


def part_ns(rd, key, rids, path, page_size):
    """Per 4K page ns of <path>.pfn.<page_size> (2M ops / 512)."""
    s = micro.variant_stats(rd, rids, f"{path}.pfn.{page_size}")
    if not s:
        return None
    v = s.get("median") if s.get("median") is not None else s.get("mean")
    if v is None:
        return None
    return v / (512 if page_size == "2m" else 1)


def breakdown(rd):
    """Lines splitting per-page teardown cost and projecting 1 TB."""
    per = summarize(rd)
    if not per or not rd.runs:
        return []
    pick = _pick_group(rd)
    if not pick:
        return []
    key, rids = pick
    gdesc = " ".join(f"{k}={v}" for k, v in key
                     if k in ("backend", "reset_mode", "cache", "placement"))
    backend = dict(key)["backend"]
    L = tf.para("Teardown breakdown, ns per 4K page. WBINVD and reset: "
                f"module figures, same host, pfn shape, median ({gdesc}).")
    hdr = ["VM type", "size", "trigger", "measured", "WBINVD", "reset",
           "rest", "1 TB s"]
    rows = []
    notes = []
    proj = {}
    for k, d in per.items():
        vt, vc, size, vms, ps, trig, pop = k
        if vms != 1:
            continue
        wb = part_ns(rd, key, rids, "wbinvd", ps)
        rs = part_ns(rd, key, rids, "reset", ps)
        if wb is None or rs is None:
            continue
        meas = d["median_nspp"]
        if vt == "tdx":
            rest = meas - wb - rs
            total = meas
        else:
            rest = meas
            total = meas + wb + rs
        tb_s = total * (TB // PAGE) / 1e9
        proj.setdefault((vt, ps, trig), []).append((size, d["median_s"],
                                                   d["median_nspp"]))
        rows.append([vt, size_str(size), trig, tf.num(meas), tf.num(wb),
                     tf.num(rs), tf.num(rest), _secs(tb_s)])
    if not rows:
        return []
    L += tf.table(hdr, rows, ["l", "r", "l", "r", "r", "r", "r", "r"])
    if any(r[0] != "tdx" for r in rows):
        notes.append("Non-TDX guests do no WBINVD or reset at teardown: for "
                     "them 'rest' is the measured cost and '1 TB s' adds the "
                     "module's WBINVD and reset per page, a projection of a "
                     "TD of that size on this host.")
    if backend != "tdx":
        notes.append(f"WBINVD and reset come from the '{backend}' backend, "
                     "not from SEAMCALL/MOVDIR64B on TDX hardware.")
    notes.append("1 TB s = per-page total x 2^28 pages, one teardown "
                 "thread.")
    for n in notes:
        L += tf.para(n)
    trend = []
    for (vt, ps, trig), pts in proj.items():
        if len({p[0] for p in pts}) < 2:
            continue
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        slope, icpt = _linfit(xs, ys)
        trend.append(tf.fit(
            f"  {vt} {ps} {trig}: {_secs(slope * TB + icpt)} s at 1 TB "
            f"({tf.num(slope * PAGE * 1e9)} ns/page marginal,"))
        trend.append(tf.fit(
            f"    fit over {size_str(min(xs))}..{size_str(max(xs))}, "
            f"{len(xs)} sizes)"))
    if trend:
        L.append("Measured trend (least squares of seconds vs size, one "
                 "guest):")
        L += trend
    return L


def _linfit(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return 0.0, my
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return slope, my - slope * mx


def dat_rows(rd):
    """(config, size_gb, vms, median_s, min_s, max_s) for the plots."""
    out = []
    for k, d in summarize(rd).items():
        out.append((k, k[2] / (1 << 30), k[3], d["median_s"], d["min_s"],
                    d["max_s"]))
    return out

