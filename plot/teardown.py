# SPDX-License-Identifier: GPL-2.0
"""Guest teardown: one summary of teardown.csv (summarize(): every figure
defined once, here) rendered everywhere it is shown: the report's tables,
teardown-summary.txt, compare's before/after table, the plots and
verdicts.json.

Definitions (per configuration = VM type, vCPUs, size, guests, page size,
trigger, populate; over its repeats):
  seconds      a repeat's aggregate row (vm = all) teardown_s when the
               harness wrote one, else its slowest guest's (guests of a
               repeat are torn down together); median over the repeats,
               with the min-max range
  mappings     the 4K-equivalent mappings KVM reported before teardown,
               summed over the repeat's guests (mappings_populated)
  us/page      a repeat's seconds / its mappings, median over repeats:
               only for single-guest rows whose every guest had mappings
  pages/s      mappings / seconds, median over repeats: the aggregate
               throughput of many-guest rows (not a per-page cost)
A row without mappings (fallocate only, no KVM_PRE_FAULT_MEMORY, stats
unreadable) shows no per-page figure anywhere: it says "not measured: no
mappings (reason)". Prefault-populated TD rows are labelled "added, never
accepted by the guest: lower bound"; rows whose guest ran say so.

The cost curve: over the single-guest repeats of one VM type, trigger,
page size and populate, seconds = fixed + marginal x mappings (least
squares weighted by 1/seconds^2, as a repeat's noise scales with its
seconds; t intervals on both: unweighted ones covered 83% instead of 95%
on such data); only over at least 3 guest sizes, else "no fit: N
sizes (needs 3)". Before/after (--baseline, compare): the
change of the geometric mean seconds per row with a Welch interval from
the repeats, or "within spread".

usage: python3 plot/teardown.py --summary RUN_DIR [--baseline PATH]

writes RUN_DIR/teardown-summary.txt (atomically); PATH, the "before"
kernel's teardown, is a run directory or a teardown.csv. Exit 0; a
directory or baseline that does not load is one line on stderr, exit 1;
wrong arguments exit 2.
"""
import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cli  # noqa: E402
import provenance  # noqa: E402
import rundir  # noqa: E402
import schema  # noqa: E402
import stats  # noqa: E402
import textfmt as tf  # noqa: E402

GIB = 1 << 30
SUMMARY = "teardown-summary.txt"
BASELINE_TAG = "# baseline: "
LOWER_BOUND = "added, never accepted by the guest: lower bound"
MIN_REPEATS = 3
MIN_SIZES = 3       # a line through 2 sizes cannot show it is a line


def config_key(t):
    return (t["vm_type"], t["vcpus"], t["size_bytes"], t["vms"],
            t["page_size"], t["trigger"], t["populate"])


def config_desc(k):
    vt, vc, size, vms, ps, trig, pop = k
    return (f"{vt} {vc} vCPUs {gib_str(size)} GiB x{vms} {ps} {trig} "
            f"populate={pop}")


def gib_str(b):
    """Guest size in GiB, 3 significant digits."""
    v = b / GIB
    return f"{v:.0f}" if v >= 100 or v == int(v) else f"{v:.3g}"


def size_str(b):
    return f"{gib_str(b)} GiB"


class Config:
    """The figures of one configuration (config_key) over its repeats;
    see the module's definitions."""

    def __init__(self, key):
        self.key = key
        self.guests = collections.defaultdict(list)
        self.agg = {}
        self.statuses = []

    def add(self, t):
        rep = (t["run_id"], t["repeat"])
        if t["vm"] == "all":
            self.agg[rep] = t
        else:
            self.guests[rep].append(t)
        if t["status"] not in self.statuses:
            self.statuses.append(t["status"])

    def finish(self):
        self.reps = []
        for rep, gs in self.guests.items():
            a = self.agg.get(rep)
            secs = a["teardown_s"] if a else max(g["teardown_s"] for g in gs)
            # a guest whose status says KVM mapped nothing has no
            # mappings, whatever KVM's counters say
            maps = [None if g["status"].startswith("ok-no-mappings")
                    else g["mappings_populated"] for g in gs]
            self.reps.append(dict(
                seconds=secs, mappings=sum(maps) if all(maps) else None,
                unreadable=sum(1 for g in gs
                               if g["mappings_populated"] is None),
                touched=sum(g["touched_pages"] or 0 for g in gs),
                ran=all(g["guest_ran"] for g in gs)))
        self.seconds = sorted(r["seconds"] for r in self.reps)
        self.n = len(self.seconds)
        self.median_s = stats.median(self.seconds)
        self.min_s, self.max_s = self.seconds[0], self.seconds[-1]
        self.mapped = all(r["mappings"] for r in self.reps)
        self.mappings = stats.median([r["mappings"] for r in self.reps]) \
            if self.mapped else None
        per = [r["seconds"] * 1e6 / r["mappings"] for r in self.reps] \
            if self.mapped else []
        self.us_per_page = stats.median(per) if per and \
            self.key[3] == 1 else None
        thr = [r["mappings"] / r["seconds"] for r in self.reps
               if self.mapped and r["seconds"] > 0]
        self.pages_per_s = stats.median(thr) if thr else None
        self.guest_ran = all(r["ran"] for r in self.reps)
        self.touched = stats.median([r["touched"] for r in self.reps])
        return self

    @property
    def vms(self):
        return self.key[3]

    def no_map_reason(self):
        """Why there is no per-page figure (None when there is one)."""
        if self.mapped:
            return None
        for s in self.statuses:
            if s.startswith("ok-no-mappings:"):
                return s.split(":", 1)[1].strip()
        if self.key[6] == "gmem":
            return "memory only fallocated (populate gmem)"
        if any(r["unreadable"] for r in self.reps):
            return "KVM's stats unreadable"
        return "KVM reported none"

    def not_measured(self):
        return f"not measured: no mappings ({self.no_map_reason()})"

    def labels(self):
        """Labels the row's figures carry in every output."""
        out = []
        if self.key[0] == "tdx" and self.key[6] == "prefault":
            out.append(LOWER_BOUND)
        if self.key[6] == "touch":
            if self.guest_ran:
                out.append(f"guest ran: wrote and verified "
                           f"{tf.num(self.touched)} pages")
            else:
                out.append("populate touch, but no guest ran")
        if self.n < MIN_REPEATS:
            out.append(f"{self.n} repeat{'s' if self.n != 1 else ''}: no "
                       f"spread (need {MIN_REPEATS})")
        return out


def _ok(t):
    return t["status"].startswith("ok") and t["teardown_s"] is not None


def _failed_repeats(rd):
    """(run_id, repeat) of the repeats any row of which did not finish
    ok: none of their rows is a figure (skipped() says why)."""
    return {(t["run_id"], t["repeat"]) for t in rd.teardown if not _ok(t)}


def summarize(rd):
    """{config_key: Config} of the repeats whose every row (each guest's
    and the aggregate) finished ok, in file order; skipped, failed and
    interrupted repeats are in skipped()."""
    bad = _failed_repeats(rd)
    per = collections.OrderedDict()
    for t in rd.teardown:
        if (t["run_id"], t["repeat"]) not in bad:
            per.setdefault(config_key(t), Config(config_key(t))).add(t)
    out = collections.OrderedDict()
    for k, c in per.items():
        if c.guests:
            out[k] = c.finish()
    return out


def skipped(rd):
    """Lines for the teardown rows that are no figure, with the reason:
    "not run: CONFIG: STATUS" (skipped, or failed before teardown), or
    "not counted: CONFIG, repeat N: STATUS" (timed, but a guest of the
    repeat failed or it was interrupted)."""
    seen = []
    for t in rd.teardown:
        if _ok(t):
            continue
        d = config_desc(config_key(t))
        x = (f"not run: {d}: {t['status']}" if t["teardown_s"] is None
             else f"not counted: {d}, repeat {t['repeat']}: "
             f"{t['status']}")
        if x not in seen:
            seen.append(x)
    return seen


def secs(v):
    if v is None:
        return "-"
    if v >= 100:
        return f"{v:.0f}"
    if v >= 1:
        return f"{v:.3g}"
    return f"{v:.3g}"


def _us(v):
    return "-" if v is None else f"{v:.3g}"


def single_rows(per):
    return [c for c in per.values() if c.vms == 1]


def multi_rows(per):
    return [c for c in per.values() if c.vms > 1]


VM_SHORT = {"sw-protected": "sw-prot"}
POP_SHORT = {"prefault": "pre"}


def _vm(c):
    vt, ps = c.key[0], c.key[4]
    return VM_SHORT.get(vt, vt) + ("" if ps == "4k" else f":{ps}")


def _how(c):
    return f"{c.key[5]}/{POP_SHORT.get(c.key[6], c.key[6])}"


def _scale(rows):
    """(unit, factor): seconds, or ms when every repeat is below 1 s."""
    if rows and all(c.max_s < 1 for c in rows):
        return "ms", 1e3
    return "seconds", 1.0


def _secs_cell(c, f=1.0):
    if c.n == 1:
        return secs(c.median_s * f)
    return (f"{secs(c.median_s * f)} [{secs(c.min_s * f)},"
            f"{secs(c.max_s * f)}]")


def _maps(c):
    return str(int(c.mappings)) if c.mapped else "-"


def _rows_lines(head, groups, body, max_rows=None, indent="    ",
               rest="in report.txt"):
    """Header, then each row's lines and its labels (wrapped, never
    cut); with max_rows, as many whole rows as fit and a line saying how
    many are left out and where they are (rest)."""
    out = list(head)
    for i, (lines, (_, labels)) in enumerate(zip(groups, body)):
        block = lines + [y for x in labels for y in tf.para(
            x, indent=indent + "^ ", subsequent=indent + "  ")]
        left = len(body) - i - 1
        if max_rows is not None and \
                len(out) + len(block) + (1 if left else 0) > max_rows:
            out.append(f"  ... {len(body) - i} more rows {rest}")
            break
        out += block
    return out


def single_table(per, max_rows=None, labels=None):
    """Lines of the published-shape table (one guest per row): VM type,
    trigger/populate, vCPUs, GiB, mappings, seconds median [min,max], n,
    us/page; each row's labels under it (labels(c) picks them)."""
    rows = single_rows(per)
    labels = labels or (lambda c: c.labels())
    unit, f = _scale(rows)
    body = [([_vm(c), _how(c), c.key[1], gib_str(c.key[2]), _maps(c),
              _secs_cell(c, f), c.n, _us(c.us_per_page) if c.mapped else
              c.not_measured()], labels(c)) for c in rows]
    head, groups = tf.table_groups(
        ["VM", "trigger/pop", "vCPU", "GiB", "mappings", unit + " [min,max]",
         "n", "us/page"], [x for x, _ in body],
        ["l", "l", "r", "r", "r", "l", "r", "l"])
    return _rows_lines(head, groups, body, max_rows)


def table(rd, per=None):
    """The report's teardown tables: the published shape (one guest),
    the aggregate throughput (many guests) and what did not run."""
    per = summarize(rd) if per is None else per
    L = []
    if single_rows(per):
        L += ["Guest teardown, one guest: time = median [min,max] of n "
              "repeats;", "us/page = seconds / mappings KVM reported "
              "(4K-equivalent)"]
        L += single_table(per)
    L += aggregate_table(rd, per)
    for x in skipped(rd):
        L += tf.para(("Teardown " if not per else "") + x)
    return L


def aggregate_table(rd, per=None):
    """Many guests at once: aggregate throughput in pages/s (mappings of
    all guests over the seconds until all are gone), named as such."""
    per = summarize(rd) if per is None else per
    rows = multi_rows(per)
    if not rows:
        return []
    L = ["", "Aggregate throughput, many guests at once (pages/s = all "
         "guests'", "mappings / seconds until every guest is gone; not a "
         "per-page cost)"]
    unit, f = _scale(rows)
    body = [([_vm(c), _how(c), c.vms, c.key[1], gib_str(c.key[2]),
              _secs_cell(c, f), c.n, tf.num(c.pages_per_s) if c.mapped
              else c.not_measured()], c.labels()) for c in rows]
    head, groups = tf.table_groups(
        ["VM", "trigger/pop", "guests", "vCPU", "GiB each",
         unit + " [min,max]", "n", "pages/s"], [x for x, _ in body],
        ["l", "l", "r", "r", "r", "l", "r", "l"])
    return L + _rows_lines(head, groups, body)


def fit_key(c):
    vt, vc, size, vms, ps, trig, pop = c.key
    return (vt, trig, ps, pop)


def fits(rd, per=None):
    """The cost curve per (VM type, trigger, page size, populate) over
    single-guest repeats with mappings: [dict(key, fit (stats.linfit_ci:
    a = fixed seconds, b = seconds per mapping; None with fewer than
    MIN_SIZES guest sizes or MIN_REPEATS points), points [(GiB, seconds,
    mappings)], vcpus, sizes, why (no fit: the reason))]."""
    per = summarize(rd) if per is None else per
    pts = collections.OrderedDict()
    for c in single_rows(per):
        if not c.mapped:
            continue
        for r in c.reps:
            pts.setdefault(fit_key(c), []).append(
                (c.key[2] / GIB, r["seconds"], r["mappings"], c.key[1]))
    out = []
    for k, p in pts.items():
        sizes = len({x[0] for x in p})
        # relative errors: a repeat's noise scales with its seconds
        f = stats.linfit_ci([x[2] for x in p], [x[1] for x in p],
                            weights=[1 / x[1] ** 2 if x[1] > 0 else 0.0
                                     for x in p]) \
            if sizes >= MIN_SIZES else None
        why = None
        if sizes < MIN_SIZES:
            why = (f"no fit: {sizes} size{'s' if sizes != 1 else ''} "
                   f"(needs {MIN_SIZES})")
        elif f is None:
            why = f"no fit: {len(p)} points (needs {MIN_REPEATS})"
        out.append(dict(key=k, fit=f, points=p, sizes=sizes, why=why,
                        vcpus=sorted({x[3] for x in p})))
    return out


def fit_lines(rd, per=None):
    L = []
    for f in fits(rd, per):
        vt, trig, ps, pop = f["key"]
        fit = f["fit"]
        if not fit:
            L.append(tf.fit(f"  {vt} {ps} {trig}/{pop}: {f['why']}"))
            continue
        vc = f["vcpus"]
        L.append(tf.fit(
            f"  {vt} {ps} {trig}/{pop}: fixed {secs(fit['a'])} s "
            f"[{secs(fit['a_lo'])},{secs(fit['a_hi'])}]"))
        L.append(tf.fit(
            f"    + {fit['b'] * 1e6:.3g} us/mapping "
            f"[{fit['b_lo'] * 1e6:.3g},{fit['b_hi'] * 1e6:.3g}], n={fit['n']}"
            + (f", vCPUs {vc[0]}..{vc[-1]} mixed" if len(vc) > 1 else "")))
    if L:
        L = ["", "Cost curve: seconds = fixed + marginal x mappings (one "
             "guest; 95% CI)"] + L
    return L


def change(a, b):
    """Change of B's seconds against A's: dict(est, lo, hi, p) in
    percent (geometric means, Welch interval over the repeats), cell (the
    change and its CI) and word: faster, slower, "within spread" (the
    CI covers 0) or n<3 (too few repeats)."""
    if min(a.n, b.n) < MIN_REPEATS:
        return dict(cell=f"{a.n}/{b.n} repeats", word=f"n<{MIN_REPEATS}",
                    est=None)
    w = stats.welch_log(a.seconds, b.seconds)
    if w is None:
        return dict(cell="-", word="?", est=None)
    est, lo, hi, p = w
    word = "within spread" if lo <= 0 <= hi else ("slower" if est > 0
                                           else "faster")
    return dict(cell=f"{tf.pct(est, digits=1)} [{tf.sig(lo, 2)},"
                f"{tf.sig(hi, 2)}]", word=word, est=est, lo=lo, hi=hi, p=p)


def ab_table(A, B, max_rows=None):
    """Published shape before/after: vCPUs, size, before (A), after (B),
    change of the geometric mean with its 95% CI from the repeats, and
    whether it is beyond the repeats' spread; with max_rows, the whole
    rows that fit in max_rows lines and how many more follow below."""
    pa, pb = summarize(A), summarize(B)
    common = [k for k in pa if k in pb]
    if not common:
        return []
    L = tf.para(f"Guest teardown, seconds (median over repeats): before = "
                f"{A.kernel()}, after = {B.kernel()}; change % of the "
                "geometric mean, 95% CI (Welch, repeats); 'within spread': "
                f"the CI covers 0; n<{MIN_REPEATS}: too few repeats to "
                "tell.")
    body = []
    for k in common:
        a, b = pa[k], pb[k]
        ch = change(a, b)
        labels = sorted(set(a.labels()) | set(b.labels()))
        if not (a.mapped and b.mapped):
            labels.append((a if not a.mapped else b).not_measured() +
                          ": seconds only")
        body.append(([_vm(a), _how(a), k[1], gib_str(k[2]) +
                      (f"x{k[3]}" if k[3] > 1 else ""), secs(a.median_s),
                      secs(b.median_s), ch["cell"], ch["word"]], labels))
    head, groups = tf.table_groups(
        ["VM", "trigger/pop", "vCPU", "GiB", "before", "after",
         "change % [CI]", ""], [x for x, _ in body],
        ["l", "l", "r", "r", "r", "r", "l", "l"])
    if max_rows is not None and max_rows - len(L) < len(head) + 2:
        return []
    return L + _rows_lines(head, groups, body, None if max_rows is None
                           else max_rows - len(L), rest="below")


# ------------------------------------------------------------ JSON, plots

def as_json(rd):
    """teardown figures for verdicts.json."""
    per = summarize(rd)
    rows = []
    for c in per.values():
        vt, vc, size, vms, ps, trig, pop = c.key
        rows.append(dict(
            vm_type=vt, vcpus=vc, size_bytes=size, gib=size / GIB, vms=vms,
            page_size=ps, trigger=trig, populate=pop, repeats=c.n,
            seconds_median=c.median_s, seconds_min=c.min_s,
            seconds_max=c.max_s, mappings=c.mappings,
            us_per_page=c.us_per_page, pages_per_s=c.pages_per_s
            if vms > 1 else None,
            table="single" if vms == 1 else "aggregate",
            not_measured=None if c.mapped else c.not_measured(),
            labels=c.labels(), guest_ran=c.guest_ran))
    fs = []
    for f in fits(rd, per):
        vt, trig, ps, pop = f["key"]
        fit = f["fit"]
        fs.append(dict(vm_type=vt, trigger=trig, page_size=ps,
                       populate=pop, fixed_s=fit and fit["a"],
                       fixed_ci=fit and [fit["a_lo"], fit["a_hi"]],
                       us_per_mapping=fit and fit["b"] * 1e6,
                       us_per_mapping_ci=fit and [fit["b_lo"] * 1e6,
                                                  fit["b_hi"] * 1e6],
                       points=len(f["points"]), sizes=f["sizes"],
                       no_fit=f["why"]))
    return dict(rows=rows, fits=fs, not_run=skipped(rd))


def first_screen(rd, max_rows):
    """The single-guest table for the first screen: at most max_rows
    lines, the first label of each row under it."""
    per = summarize(rd)
    if not single_rows(per):
        if multi_rows(per):
            return ["Teardown: many guests only (aggregate throughput in "
                    "the report)"]
        return _not_run(rd)
    t = single_table(per, None, lambda c: c.labels()[:1])
    full = ["Teardown, one guest (us/page = seconds / KVM's mappings):"] + \
        t[:1] + t[2:]
    if len(full) <= max_rows:
        return full
    return compact_table(rd, per, max_rows)


def _caveats(c):
    """The labels that qualify a figure (a lower bound, no spread, no
    guest): they stay on the first screen when the table is shortened."""
    return [x for x in c.labels() if not x.startswith("guest ran:")]


def compact_table(rd, per, max_rows):
    """The first screen's teardown when the whole table does not fit: per
    VM type, trigger and populate mode, its largest guest's row and the
    marginal cost from the fit over every size (the report has all
    rows)."""
    fit = {f["key"]: f["fit"] for f in fits(rd, per)}
    big = collections.OrderedDict()
    for c in single_rows(per):
        k = fit_key(c)
        if k not in big or c.key[2] > big[k].key[2]:
            big[k] = c
    rows = list(big.values())
    unit, f = _scale(rows)
    body = []
    for c in rows:
        b = fit.get(fit_key(c)) if c.mapped else None
        marg = (f"{b['b'] * 1e6:.3g} [{b['b_lo'] * 1e6:.3g},"
                f"{b['b_hi'] * 1e6:.3g}]") if b else \
            ("no fit" if c.mapped else "-")
        body.append(([_vm(c), _how(c), gib_str(c.key[2]),
                      secs(c.median_s * f), c.n,
                      _us(c.us_per_page) if c.mapped else c.not_measured(),
                      marg], _caveats(c)))
    head, groups = tf.table_groups(
        ["VM", "trigger/pop", "GiB", unit, "n", "us/page",
         "marginal us [95% CI]"], [x for x, _ in body],
        ["l", "l", "r", "r", "r", "r", "l"])
    title = [tf.fit("Teardown, one guest, each at its largest size; us/page "
                    "= s / KVM's"),
             "mappings; marginal = us per mapping, fit over all sizes:"]
    t = _rows_lines(head, groups, body, max_rows - 2)
    t = t[:1] + t[2:]
    if not t[-1].startswith("  ... "):
        t.append(f"  all {len(single_rows(per))} rows and the fits: "
                 "report.txt")
    return title + t


def _not_run(rd):
    """Nothing ran: one line with how many configurations and the first
    reason (the report lists them all)."""
    why = [t["status"] for t in rd.teardown if not _ok(t)]
    if not why:
        return []
    n = len(skipped(rd))
    return tf.para(f"Teardown not run ({n} configuration"
                   f"{'s' if n != 1 else ''}): {why[0]}")


def dat_rows(rd):
    """[(Config, GiB)] for the plots."""
    return [(c, c.key[2] / GIB) for c in summarize(rd).values()]


# ------------------------------------------------------------ summary file

def load_baseline(path):
    """The "before" teardown: a run directory (loaded strictly), or a
    teardown.csv on its own."""
    if os.path.isdir(path):
        return rundir.load(path)
    if not os.path.exists(path):
        raise rundir.RunDirError(f"{path}: no such run directory or "
                                 "teardown.csv")
    sch = schema.load()
    rd = rundir.RunDir(os.path.dirname(path) or ".", sch)
    rd.name = path
    try:                        # its kernel, when its directory says
        rd.meta = rundir.load_meta(rd.file("meta.json"), sch)
    except rundir.RunDirError:
        pass
    rd.status = "complete"
    rd.teardown = rundir.read_table(path, sch.table("teardown.csv"))
    rundir.check_teardown(rd)
    return rd


def summary_text(rd, base=None, base_path=None):
    """teardown-summary.txt: the provenance line first (as every output
    that shows a figure starts), the title, every caveat, the report's
    tables, the cost curve and, with a baseline, the before/after
    table."""
    cs = provenance.caveats(rd)
    L = [provenance.headline(rd),
         f"# unmapbench teardown summary: {rd.name}"]
    for c in cs:
        L += tf.para(c.long, indent="# ")
    if base is not None:
        L.append(BASELINE_TAG + os.path.abspath(base_path))
        for c in provenance.caveats(base):
            L += tf.para("baseline: " + c.long, indent="# ")
    else:
        L.append("# before/change: no --baseline given.")
    L.append("")
    per = summarize(rd)
    L += table(rd, per) or ["No teardown rows in teardown.csv."]
    L += fit_lines(rd, per)
    if base is not None:
        L.append("")
        L += ab_table(base, rd) or tf.para(
            "The baseline has no teardown configuration in common with "
            "this run: no before/after table.")
    return "\n".join(tf.fit(x) for x in L).rstrip("\n") + "\n"


def previous_baseline(rd):
    """The baseline an existing teardown-summary.txt of rd was made
    with (so a rewrite keeps its before/after table), or None."""
    try:
        with open(rd.file(SUMMARY), encoding="utf-8") as f:
            for line in f:
                if line.startswith(BASELINE_TAG):
                    return line[len(BASELINE_TAG):].rstrip("\n")
    except (OSError, UnicodeDecodeError):
        pass
    return None


def write_summary(rd, base_path=None):
    """Write RUN_DIR/teardown-summary.txt atomically; its path."""
    base = load_baseline(base_path) if base_path else None
    if base is not None and not base.teardown:
        raise rundir.RunDirError(f"{base_path}: no teardown rows")
    p = rd.file(SUMMARY)
    cli.write_atomic(p, summary_text(rd, base, base_path))
    return p


# ------------------------------------------------------------ command

def parser():
    p = cli.Parser("teardown", "Write RUN_DIR/teardown-summary.txt from its "
                   "teardown.csv: seconds over repeats, us/page by KVM's "
                   "mappings, the cost curve and with --baseline the "
                   "before/after table.")
    p.add_argument("--summary", metavar="RUN_DIR", required=True,
                   help="the run directory to summarise")
    p.add_argument("--baseline", metavar="PATH",
                   help="run directory or teardown.csv of the 'before' "
                        "kernel")
    return p


def _summary(a):
    rd = rundir.load(a.summary)
    if "teardown.csv" not in rd.present:
        raise cli.Refusal(f"{rd.file('teardown.csv')}: missing (no "
                          "teardown in this run directory)")
    print(write_summary(rd, a.baseline))
    return 0


def main(argv=None):
    return cli.run("teardown", parser(), _summary, argv)


if __name__ == "__main__":
    sys.exit(main())
