# SPDX-License-Identifier: GPL-2.0
"""Load an unmapbench run directory (results/README.md) and check it
strictly.

    rd = load(path)        # -> RunDir, or raises RunDirError
    rd.runs, rd.params     # {run_id: row}: runs.csv, params.csv
    rd.micro, rd.samples, rd.hist, rd.counters, rd.teardown   # [row]
    rd.meta                # meta.json (required: it carries schema_version)
    rd.variant(run_id, name)   # Variant(name, path, shape, granule, param)

Tables, columns and cell types come from plot/schema.json (schema.py);
every file is optional, but a file that is present must follow it: the
header is the schema's, every row has its fields, every cell parses and
the file ends with a newline (a file cut short is an error, not a shorter
table). Then the files are checked against each other (CHECKS: run ids,
thread indexes, units and timers, sample and histogram counts). Every
refusal is one RunDirError "FILE line N: column C: what", or "FILE: what"
where no line applies; FILE is the file's path.
"""
import collections
import csv
import io
import json
import os

import schema

Variant = collections.namedtuple("Variant", "name path shape granule param")

# Tables with one row per run, kept as {run_id: row}.
PER_RUN = ("runs.csv", "params.csv")
# Tables whose run_id refers to runs.csv (teardown.csv has its own ids).
RUN_ROWS = ("params.csv", "micro.csv", "samples.csv", "hist.csv",
            "counters.csv")


class RunDirError(Exception):
    """A run directory that cannot be read; the message names the file,
    the line and the column where they apply."""


def _attr(file):
    return file[:-len(".csv")]


def read_table(path, table):
    """Parse one CSV file strictly as schema Table table: [row dict],
    each with its line number under "_line"."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise RunDirError(f"{path}: cannot read: {e.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise RunDirError(f"{path} line {line}: not UTF-8 text") from None
    if not text:
        raise RunDirError(f"{path} line 1: empty file (no header)")
    if not text.endswith("\n"):
        raise RunDirError(
            f"{path} line {text.count(chr(10)) + 1}: truncated (last line "
            "has no end of line; the file was cut short)")
    header = table.names
    rdr = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows = []
    try:
        got = next(rdr)
        if got != header:
            missing = [c for c in header if c not in got]
            extra = [c for c in got if c not in header]
            why = (["missing " + ",".join(missing)] if missing else []) + \
                (["unexpected " + ",".join(extra)] if extra else [])
            raise RunDirError(f"{path} line 1: header is not the "
                              f"{table.file} schema "
                              f"({'; '.join(why) or 'columns out of order'})")
        for rec in rdr:
            ln = rdr.line_num
            if not rec:
                raise RunDirError(f"{path} line {ln}: empty line")
            if len(rec) != len(header):
                raise RunDirError(
                    f"{path} line {ln}: {len(rec)} fields, expected "
                    f"{len(header)} ({','.join(header)})")
            try:
                row = table.parse(rec)
            except schema.CellError as e:
                raise RunDirError(f"{path} line {ln}: column {e.column}: "
                                  f"{e}") from None
            row["_line"] = ln
            rows.append(row)
    except csv.Error as e:
        raise RunDirError(f"{path} line {rdr.line_num}: {e}") from None
    return rows


class RunDir:
    def __init__(self, path, sch):
        self.path = path
        self.name = os.path.basename(os.path.normpath(path))
        self.schema = sch
        self.status = None
        self.meta = {}
        self.present = set()
        self.warnings = []
        self.variants = {}          # (run_id, name) -> Variant
        for t in sch.tables:
            setattr(self, _attr(t), {} if t in PER_RUN else [])

    def file(self, name):
        """The path of one of the directory's files, as errors name it."""
        return os.path.join(self.path, name)

    @property
    def complete(self):
        return self.status == "complete"

    def variant(self, run_id, name):
        return self.variants.get((run_id, name))

    def run_variants(self, run_id):
        """The variants of a run, in result order (params.csv)."""
        p = self.params.get(run_id)
        return p["variants"] if p else []

    def tsc_khz(self, run_id=None):
        """tsc_khz of a run (runs.csv), else meta.json's module figure."""
        r = self.runs.get(run_id) if run_id is not None else None
        if r and r.get("tsc_khz"):
            return r["tsc_khz"]
        v = (self.meta.get("module") or {}).get("tsc_khz")
        return float(v) if isinstance(v, (int, float)) and v > 0 else None

    def to_ns(self, value, unit, run_id=None):
        """ns = cycles * 1e6 / tsc_khz; None when tsc_khz is unknown."""
        if unit == "ns":
            return value
        k = self.tsc_khz(run_id)
        return value * 1e6 / k if k else None

    def emulations(self):
        """Every emulation label any figure carries (besides 'none')."""
        e = set()
        env = (self.meta.get("environment") or {}).get("emulation")
        if env and env != "none":
            e.add(env)
        for r in list(self.runs.values()) + self.teardown:
            if r["emulation"] != "none":
                e.add(r["emulation"])
        return sorted(e)

    def backends(self):
        return sorted({r["backend"] for r in self.runs.values()})

    def vm_types(self):
        return sorted({t["vm_type"] for t in self.teardown})

    def hostname(self):
        return (self.meta.get("host") or {}).get("hostname") or "unknown-host"

    def kernel(self):
        return (self.meta.get("host") or {}).get("kernel_release") or \
            "unknown-kernel"

    def cmdline(self):
        return (self.meta.get("host") or {}).get("cmdline")


# ------------------------------------------------------------ meta.json

def _is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_scalar(v):
    return isinstance(v, (str, int, float, bool))


KINDS = {
    "object": (lambda v: isinstance(v, dict), "is not an object"),
    "list": (lambda v: isinstance(v, list), "is not an array"),
    "text": (lambda v: isinstance(v, str), "is not a string"),
    "number": (_is_num, "is not a number"),
    "bool": (lambda v: isinstance(v, bool), "is not true|false"),
    "scalar": (_is_scalar, "is not a string, number or boolean"),
    "words": (lambda v: isinstance(v, str) or (
        isinstance(v, list) and all(_is_scalar(x) for x in v)),
        "is not a string or an array of strings"),
}
# Every member of meta.json that plot/ reads, and its kind; null or
# absent is always allowed (read as unknown). schema_version is checked
# first, on its own.
META = (
    ("suite_version", "scalar"), ("start_utc", "text"), ("end_utc", "text"),
    ("status", "text"), ("command_line", "words"),
    ("host", "object"), ("host.hostname", "text"),
    ("host.kernel_release", "text"), ("host.kernel_version", "text"),
    ("host.cmdline", "text"),
    ("cpu", "object"), ("cpu.vendor", "scalar"), ("cpu.family", "scalar"),
    ("cpu.model", "scalar"), ("cpu.stepping", "scalar"),
    ("cpu.model_name", "scalar"), ("cpu.microcode", "scalar"),
    ("cpu.smt", "scalar"), ("cpu.governor", "scalar"),
    ("cpu.turbo", "scalar"), ("cpu.flags", "object"),
    ("cpu.flags.movdir64b", "scalar"), ("cpu.flags.hypervisor", "scalar"),
    ("cpu.bugs", "object"), ("cpu.bugs.tdx_pw_mce", "scalar"),
    ("numa", "object"), ("numa.nodes", "list"),
    ("thp", "object"), ("thp.enabled", "scalar"),
    ("tdx", "object"), ("tdx.status", "scalar"),
    ("tdx.module_version", "scalar"),
    ("module", "object"), ("module.loaded", "bool"),
    ("module.simulated", "bool"), ("module.tsc_khz", "number"),
    ("module.version", "scalar"), ("module.abi_version", "scalar"),
    ("module.auto_backend", "scalar"), ("module.auto_reason", "scalar"),
    ("environment", "object"), ("environment.emulation", "text"),
    ("environment.evidence", "scalar"),
    ("measurement", "object"), ("measurement.simulated_module", "bool"),
)


def member(meta, dotted):
    """meta["a"]["b"] for "a.b"; None where absent or not an object."""
    d = meta
    for p in dotted.split("."):
        if not isinstance(d, dict):
            return None
        d = d.get(p)
    return d


def load_meta(path, sch):
    """meta.json as a dict, checked by META_CHECKS."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        text = "{}"             # check_schema_version refuses it
    except OSError as e:
        raise RunDirError(f"{path}: cannot read: {e.strerror}") from None
    except UnicodeDecodeError:
        raise RunDirError(f"{path} line 1: not UTF-8 text") from None
    try:
        meta = json.loads(text)
    except json.JSONDecodeError as e:
        raise RunDirError(f"{path} line {e.lineno}: character {e.colno}: "
                          f"{e.msg}") from None
    except RecursionError:
        raise RunDirError(f"{path}: nested too deeply") from None
    if not isinstance(meta, dict):
        raise RunDirError(f"{path} line 1: top level is not an object")
    for check in META_CHECKS:
        check(path, meta, sch)
    return meta


def check_schema_version(path, meta, sch):
    """The directory's schema_version is the one this plot/ reads."""
    if not os.path.exists(path):
        raise RunDirError(f"{path}: missing (it carries schema_version; "
                          "every run directory has one)")
    v = meta.get("schema_version")
    if v is None:
        raise RunDirError(f"{path}: schema_version missing (this plot/ "
                          f"reads {sch.version})")
    if v != sch.version or isinstance(v, bool):
        raise RunDirError(f"{path}: schema_version {json.dumps(v)} is not "
                          f"the version this plot/ reads ({sch.version})")


def check_meta_members(path, meta, sch):
    """Every member plot/ reads has its kind (META)."""
    for dotted, kind in META:
        val = member(meta, dotted)
        ok, why = KINDS[kind]
        if val is not None and not ok(val):
            raise RunDirError(f"{path}: {dotted} {why}: "
                              f"{json.dumps(val)[:40]}")
    emu = member(meta, "environment.emulation")
    allowed = sch.enums["emulation"]
    if emu is not None and emu not in allowed:
        raise RunDirError(f"{path}: environment.emulation '{emu}' is not "
                          f"one of {'|'.join(allowed)}")


META_CHECKS = [check_schema_version, check_meta_members]


# ------------------------------------------------------------ loading

def load(path, sch=None):
    """Load and cross-check a run directory. Raises RunDirError (and
    schema.SchemaError when plot/schema.json itself is unusable)."""
    sch = sch or schema.load()
    if not os.path.isdir(path):
        raise RunDirError(f"{path}: not a directory")
    rd = RunDir(path, sch)
    sp = rd.file("status")
    try:
        with open(sp, encoding="utf-8", errors="replace") as f:
            rd.status = f.read().strip() or "(empty status file)"
    except FileNotFoundError:
        rd.status = "(no status file)"
    except OSError as e:
        raise RunDirError(f"{sp}: cannot read: {e.strerror}") from None
    if not rd.complete:
        rd.warnings.append(f"PARTIAL run directory: status: {rd.status}")
    rd.meta = load_meta(rd.file("meta.json"), sch)
    for name, table in sch.tables.items():
        p = rd.file(name)
        if not os.path.exists(p):
            continue
        rd.present.add(name)
        rows = read_table(p, table)
        if name in PER_RUN:
            per = getattr(rd, _attr(name))
            for r in rows:
                if r["run_id"] in per:
                    raise RunDirError(f"{p} line {r['_line']}: column "
                                      f"run_id: {r['run_id']} appears "
                                      "twice")
                per[r["run_id"]] = r
        else:
            setattr(rd, _attr(name), rows)
    if not rd.present:
        raise RunDirError(f"{path}: no figures (none of "
                          f"{', '.join(sch.tables)} is present)")
    for m in rd.micro:
        rd.variants.setdefault((m["run_id"], m["variant"]), Variant(
            m["variant"], m["path"], m["shape"], m["granule"], m["param"]))
    for check in CHECKS:
        check(rd)
    return rd


def _where(rd, file, row):
    return f"{rd.file(file)} line {row['_line']}"


def _runs_line(rd, rid):
    return f"runs.csv line {rd.runs[rid]['_line']}"


# ------------------------------------------------------------ checks
# Each takes the RunDir and raises RunDirError at the first problem.

def check_run_ids(rd):
    """Rows refer to runs that runs.csv has; every run has its params;
    rows with variants have micro.csv to say what the variants are."""
    for file in RUN_ROWS:
        rows = getattr(rd, _attr(file))
        rows = rows.values() if isinstance(rows, dict) else rows
        for r in rows:
            if r["run_id"] not in rd.runs:
                what = ("runs.csv is missing" if "runs.csv" not in
                        rd.present else "it is not in runs.csv")
                raise RunDirError(f"{_where(rd, file, r)}: column run_id: "
                                  f"run {r['run_id']}: {what}")
    if rd.runs and "params.csv" not in rd.present:
        raise RunDirError(f"{rd.file('params.csv')}: missing (the units "
                          f"and variants of the {len(rd.runs)} run(s) of "
                          "runs.csv are in it)")
    for rid in rd.runs:
        if rid not in rd.params:
            raise RunDirError(f"{rd.file('params.csv')}: no row for run "
                              f"{rid} ({_runs_line(rd, rid)})")


def check_runs(rd):
    """Ranges within a runs.csv row."""
    for rid, r in rd.runs.items():
        w = _where(rd, "runs.csv", r)
        if r["threads"] < 1:
            raise RunDirError(f"{w}: column threads: 0 (a run has at least "
                              "one thread)")
        for col in ("cpus", "cpu_nodes"):
            if len(r[col]) != r["threads"]:
                raise RunDirError(f"{w}: column {col}: {len(r[col])} "
                                  f"entries for threads={r['threads']}")
        if r["rounds_done"] > r["rounds"]:
            raise RunDirError(f"{w}: column rounds_done: "
                              f"{r['rounds_done']} > rounds={r['rounds']}")
        if r["warmup_done"] > r["warmup"]:
            raise RunDirError(f"{w}: column warmup_done: "
                              f"{r['warmup_done']} > warmup={r['warmup']}")
        if r["replicas"] < 1:
            raise RunDirError(f"{w}: column replicas: 0 (every variant runs "
                              "at one replica at least)")
        if r["batch_used"] > r["batch"]:
            raise RunDirError(f"{w}: column batch_used: {r['batch_used']} "
                              f"> batch={r['batch']}")
        if schema.load().timer_units[r["timer"]] == "cycles" and \
                not rd.tsc_khz(rid):
            raise RunDirError(f"{w}: column tsc_khz: 0 with timer "
                              f"{r['timer']} and none in meta.json: cycles "
                              "cannot be converted to ns")


def check_params(rd):
    """params.csv: units x unit_bytes, and the variants of each run."""
    for rid, p in rd.params.items():
        w = _where(rd, "params.csv", p)
        if p["bytes_per_thread"] != p["units"] * p["unit_bytes"]:
            raise RunDirError(f"{w}: column bytes_per_thread: "
                              f"{p['bytes_per_thread']} is not units x "
                              f"unit_bytes ({p['units']} x "
                              f"{p['unit_bytes']})")
        v = p["variants"]
        if len(set(v)) != len(v):
            raise RunDirError(f"{w}: column variants: a variant appears "
                              "twice")


def check_micro(rd):
    """micro.csv: one row per (variant of params.csv, thread) of each run
    that has rows, with the same path/shape/granule/param on every
    thread; the variant's granule is its run's (or any)."""
    seen = {}
    for m in rd.micro:
        w = _where(rd, "micro.csv", m)
        rid, v = m["run_id"], m["variant"]
        if v not in rd.run_variants(rid):
            raise RunDirError(f"{w}: column variant: {v} is not a variant "
                              f"of run {rid} in params.csv")
        key = (rid, v, m["thread"])
        if key in seen:
            raise RunDirError(f"{w}: variant {v} thread {m['thread']} of "
                              f"run {rid} appears twice (line {seen[key]})")
        seen[key] = m["_line"]
        ref = rd.variants[(rid, v)]
        got = Variant(v, m["path"], m["shape"], m["granule"], m["param"])
        if got != ref:
            raise RunDirError(
                f"{w}: variant {v}: path/shape/granule/param "
                f"{'/'.join(map(str, got[1:]))} differ from another "
                f"thread's {'/'.join(map(str, ref[1:]))}")
        if m["granule"] not in (rd.runs[rid]["granule"], "any"):
            raise RunDirError(f"{w}: column granule: {m['granule']} but run "
                              f"{rid} ran granule {rd.runs[rid]['granule']}")
        if m["batches"] and m["min"] > m["max"]:
            raise RunDirError(f"{w}: column min: {m['min']:g} > max "
                              f"{m['max']:g}")
        if (m["mean"] is None) != (m["batches"] == 0):
            raise RunDirError(f"{w}: column mean: "
                              f"{'empty' if m['mean'] is None else 'set'} "
                              f"with batches {m['batches']}")
    for rid in {m["run_id"] for m in rd.micro}:
        for v in rd.run_variants(rid):
            for t in range(rd.runs[rid]["threads"]):
                if (rid, v, t) not in seen:
                    raise RunDirError(
                        f"{rd.file('micro.csv')}: run {rid}: no row for "
                        f"variant {v} thread {t} ({_runs_line(rd, rid)}: "
                        f"threads={rd.runs[rid]['threads']})")
    # A variant that ran no batch (an interrupted run) has no figure.
    empty = [m for m in rd.micro if m["batches"] == 0]
    if empty:
        rd.warnings.append(
            f"micro.csv: {len(empty)} row(s) with no batch (the run was "
            f"interrupted before the variant ran): left out")
        rd.micro = [m for m in rd.micro if m["batches"]]


def check_threads_units(rd):
    """micro, samples, hist: thread < the run's threads; unit is the
    unit of the run's timer (tsc -> cycles, ktime -> ns)."""
    for file in ("micro.csv", "samples.csv", "hist.csv"):
        for r in getattr(rd, _attr(file)):
            run = rd.runs[r["run_id"]]
            if r["thread"] >= run["threads"]:
                raise RunDirError(
                    f"{_where(rd, file, r)}: column thread: {r['thread']} "
                    f"but run {r['run_id']} has threads={run['threads']} "
                    f"({_runs_line(rd, r['run_id'])})")
            want = schema.load().timer_units[run["timer"]]
            if r["unit"] != want:
                raise RunDirError(
                    f"{_where(rd, file, r)}: column unit: {r['unit']} but "
                    f"run {r['run_id']} used timer {run['timer']} ({want}; "
                    f"{_runs_line(rd, r['run_id'])})")


def check_samples(rd):
    """samples.csv: a run with samples has exactly one row per thread x
    round of rounds_done x variant of the run, nothing else."""
    have = collections.defaultdict(set)
    for s in rd.samples:
        w = _where(rd, "samples.csv", s)
        rid = s["run_id"]
        if s["variant"] not in rd.run_variants(rid):
            raise RunDirError(f"{w}: column variant: {s['variant']} is not "
                              f"a variant of run {rid} in params.csv")
        if (rid, s["variant"]) not in rd.variants:
            raise RunDirError(f"{w}: column variant: {s['variant']} has no "
                              f"micro.csv row in run {rid}")
        done = rd.runs[rid]["rounds_done"]
        if s["round"] >= done:
            raise RunDirError(f"{w}: column round: {s['round']} but run "
                              f"{rid} has rounds_done={done}")
        key = (s["thread"], s["round"], s["variant"])
        if key in have[rid]:
            raise RunDirError(f"{w}: duplicate sample for run {rid} thread "
                              f"{key[0]} round {key[1]} variant {key[2]}")
        have[rid].add(key)
    for rid, got in have.items():
        r = rd.runs[rid]
        vs = rd.run_variants(rid)
        want = r["threads"] * r["rounds_done"] * len(vs)
        if len(got) == want:
            continue
        miss = next(((t, n, v) for t in range(r["threads"])
                     for n in range(r["rounds_done"]) for v in vs
                     if (t, n, v) not in got), ("?", "?", "?"))
        raise RunDirError(
            f"{rd.file('samples.csv')}: run {rid}: {len(got)} of {want} "
            f"rows (threads={r['threads']} x rounds_done={r['rounds_done']}"
            f" x {len(vs)} variants); first missing: thread {miss[0]} round"
            f" {miss[1]} variant {miss[2]}")


def check_order(rd):
    """samples.csv: in every (run, thread, round) the positions are a
    permutation of 0..variants-1 (each variant ran once, at its own
    place in the round's order), and every replica is below the run's
    runs.csv replicas."""
    pos = collections.defaultdict(list)
    for s in rd.samples:
        rid = s["run_id"]
        nrep = rd.runs[rid]["replicas"]
        if s["replica"] >= nrep:
            raise RunDirError(f"{_where(rd, 'samples.csv', s)}: column "
                              f"replica: {s['replica']} but run {rid} has "
                              f"replicas={nrep} ({_runs_line(rd, rid)})")
        pos[(rid, s["thread"], s["round"])].append(s)
    for (rid, t, n), rows in pos.items():
        got = sorted(r["position"] for r in rows)
        if got != list(range(len(rd.run_variants(rid)))):
            dup = next((r for r in rows if got.count(r["position"]) > 1),
                       max(rows, key=lambda r: r["position"]))
            raise RunDirError(
                f"{_where(rd, 'samples.csv', dup)}: column position: "
                f"{dup['position']}: the positions of run {rid} thread {t} "
                f"round {n} are not a permutation of 0..{len(got) - 1}")


def check_twins(rd):
    """micro.csv: an A/A twin (twin = 1) is a page or pfn variant whose
    original (same path, shape, granule, twin = 0) ran in the same run;
    in a run with twins, every page and pfn variant has its one twin."""
    have = collections.defaultdict(list)
    for m in rd.micro:
        have[(m["run_id"], m["path"], m["shape"], m["granule"],
              m["param"], m["twin"])].append(m)
    for (rid, path, shape, g, k, twin), ms in have.items():
        m = ms[0]
        w = _where(rd, "micro.csv", m)
        if twin and shape not in ("page", "pfn"):
            raise RunDirError(f"{w}: column twin: 1 for shape {shape} (A/A "
                              "twins exist for page and pfn only)")
        names = {x["variant"] for x in ms}
        if len(names) > 1:
            raise RunDirError(f"{w}: variants {' and '.join(sorted(names))} "
                              f"of run {rid} are both {path}/{shape}/{g}/{k} "
                              f"twin={int(twin)}: the pair is ambiguous")
        if twin and (rid, path, shape, g, k, False) not in have:
            raise RunDirError(f"{w}: twin {m['variant']} of run {rid} has no "
                              f"original ({path}/{shape}/{g}, twin=0)")
    twin_runs = {k[0] for k in have if k[-1]}
    for (rid, path, shape, g, k, twin), ms in have.items():
        if rid in twin_runs and not twin and shape in ("page", "pfn") and \
                (rid, path, shape, g, k, True) not in have:
            raise RunDirError(f"{_where(rd, 'micro.csv', ms[0])}: variant "
                              f"{ms[0]['variant']} of run {rid} has no A/A "
                              "twin, though the run has twins")


def check_hist(rd):
    """hist.csv: buckets of known (run, variant, thread), lo < hi, and
    for a run with buckets, counts that sum to micro.csv batches."""
    total = collections.Counter()
    runs = set()
    for h in rd.hist:
        w = _where(rd, "hist.csv", h)
        if (h["run_id"], h["variant"]) not in rd.variants:
            raise RunDirError(f"{w}: column variant: {h['variant']} has no "
                              f"micro.csv row in run {h['run_id']}")
        if h["hi"] is not None and h["hi"] <= h["lo"]:
            raise RunDirError(f"{w}: column hi: {h['hi']:g} is not above lo "
                              f"{h['lo']:g}")
        total[(h["run_id"], h["variant"], h["thread"])] += h["count"]
        runs.add(h["run_id"])
    for m in rd.micro:
        key = (m["run_id"], m["variant"], m["thread"])
        if m["run_id"] in runs and total[key] != m["batches"]:
            raise RunDirError(
                f"{rd.file('hist.csv')}: run {key[0]} variant {key[1]} "
                f"thread {key[2]}: counts sum to {total[key]}, but micro.csv "
                f"line {m['_line']} has batches={m['batches']}")


def check_teardown(rd):
    """teardown.csv: ok rows carry their seconds; guest index < guests;
    pages = size_bytes / page_bytes (x guests on the all row); the
    4K-equivalent mappings are KVM's counts (4K + 2M x pages_per_2m + 1G
    x pages per 1G) when all are known; touched_pages only where a guest
    touched its memory (populate touch)."""
    pb = rd.schema.page_bytes
    per_2m = rd.schema.pages_per_2m
    per_1g = (1 << 30) // pb
    for t in rd.teardown:
        w = _where(rd, "teardown.csv", t)
        if t["status"].startswith("ok") and t["teardown_s"] is None:
            # mappings_populated may be empty: KVM's stats were unreadable
            raise RunDirError(f"{w}: column teardown_s: empty in a row with "
                              f"status '{t['status'][:20]}'")
        if t["vm"] != "all" and t["vm"] >= t["vms"]:
            raise RunDirError(f"{w}: column vm: {t['vm']} but vms="
                              f"{t['vms']}")
        guests = t["vms"] if t["vm"] == "all" else 1
        want = t["size_bytes"] * guests // pb
        if t["pages"] != want:
            raise RunDirError(f"{w}: column pages: {t['pages']}, expected "
                              f"{want} (size_bytes x {guests} / {pb})")
        parts = (t["mapped_4k"], t["mapped_2m"], t["mapped_1g"])
        if t["mappings_populated"] is not None and None not in parts:
            eq = parts[0] + parts[1] * per_2m + parts[2] * per_1g
            if eq != t["mappings_populated"]:
                raise RunDirError(
                    f"{w}: column mappings_populated: "
                    f"{t['mappings_populated']}, but mapped_4k/2m/1g "
                    f"{'/'.join(map(str, parts))} make {eq} 4K pages")
        if t["touched_pages"] is not None and t["populate"] != "touch":
            raise RunDirError(f"{w}: column touched_pages: "
                              f"{t['touched_pages']} with populate "
                              f"{t['populate']} (no guest touched memory)")


CHECKS = [check_run_ids, check_runs, check_params, check_micro,
          check_threads_units, check_samples, check_order, check_twins,
          check_hist, check_teardown]
