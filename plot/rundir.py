# SPDX-License-Identifier: GPL-2.0
"""Load and validate an unmapbench run directory (results/README.md).

Every file is optional, but a file that is present must follow the
schema exactly: the header must be the documented one, every row must
have as many fields as the header, every field must parse, and the file
must end with a newline (a file cut short is an error, not a shorter
table). Errors are RunDirError("FILE line N: what is wrong").

    rd = load(path)       # -> RunDir
    rd.runs               # {run_id: dict}, parsed runs.csv rows
    rd.micro, rd.samples, rd.hist, rd.counters, rd.teardown   # lists
    rd.meta               # dict (meta.json) or {}
"""
import csv
import io
import json
import math
import os

SCHEMA = {
    "runs.csv": (
        "run_id,repeat,label,backend_req,backend,backend_reason,granule,"
        "node,cpus,cpu_nodes,placement,threads,reset_mode,cache,batch,"
        "batch_used,rounds,rounds_done,seed,timer,irq_off,insns,"
        "timer_overhead_cycles,tsc_khz,elapsed_ns,status,emulation"),
    "micro.csv": (
        "run_id,variant,shape,path,granule,param,thread,cpu,node,ops,"
        "batches,mean,stddev,min,max,unit,pfn_checksum,pages_touched"),
    "samples.csv": "run_id,thread,round,variant,value,ops,unit",
    "hist.csv": "run_id,variant,thread,lo,hi,count,unit",
    "counters.csv": "run_id,cpu,counter,value,note",
    "teardown.csv": (
        "run_id,repeat,vm_type,vm_type_reason,vm,vms,vcpus,size_bytes,"
        "page_size,trigger,populate,mappings_populated,mapped_4k,mapped_2m,"
        "create_s,populate_s,teardown_s,pages,ns_per_page,pages_per_s,"
        "status,emulation"),
}

EMULATION = ("none", "qemu-tcg", "qemu-kvm", "vm")
BACKENDS = ("null", "model", "tdx", "user")  # user: unmapbench instrument --where native
BACKENDS_REQ = ("auto",) + BACKENDS
GRANULES = ("4k", "2m")
PATHS = ("convert", "wbinvd", "reset", "unmap", "ground")
SHAPES = ("page", "pfn", "none")
UNITS = ("cycles", "ns")


class RunDirError(Exception):
    """A run directory that cannot be read; the message names file+line."""


# ---- field parsers: each takes the string, returns the value or raises
# ValueError with a short reason.

def _int(s):
    s = s.strip()
    if not s or not (s.lstrip("-").isdigit()):
        raise ValueError(f"'{s}' is not an integer")
    return int(s)


def _uint(s):
    v = _int(s)
    if v < 0:
        raise ValueError(f"'{s}' is negative")
    return v


def _float(s):
    try:
        v = float(s)
    except ValueError:
        raise ValueError(f"'{s}' is not a number") from None
    if math.isnan(v) or math.isinf(v):
        raise ValueError(f"'{s}' is not a finite number")
    return v


def _ufloat(s):
    v = _float(s)
    if v < 0:
        raise ValueError(f"'{s}' is negative")
    return v


def _opt(parser):
    def p(s):
        return None if s == "" else parser(s)
    return p


def _enum(*allowed):
    def p(s):
        if s not in allowed:
            raise ValueError(f"'{s}' is not one of {'|'.join(allowed)}")
        return s
    return p


def _bool(s):
    if s in ("1", "true", "yes"):
        return True
    if s in ("0", "false", "no"):
        return False
    raise ValueError(f"'{s}' is not 0|1")


def _intlist(s):
    if s == "":
        return []
    return [_int(x) for x in s.split(";")]


def _strlist(s):
    return [x for x in s.split(";") if x]


def _text(s):
    return s


def _vm(s):
    """Guest index, or 'all' for the aggregate row of a repeat."""
    return "all" if s == "all" else _uint(s)


def _counter_value(s):
    if s == "unavailable":
        return None
    return _float(s)


def _variant(s):
    parts = s.split(".")
    if len(parts) == 3 and parts[0] in PATHS and parts[1] in SHAPES \
            and parts[2] in GRANULES:
        return s
    if len(parts) == 2 and parts[0] == "ground" and parts[1].startswith("add") \
            and parts[1][3:].isdigit():
        return s
    raise ValueError(f"'{s}' is not a variant name (<path>.<shape>.<granule>"
                     " or ground.addN)")


FIELDS = {
    "runs.csv": dict(
        run_id=_text, repeat=_uint, label=_text, backend_req=_enum(*BACKENDS_REQ),
        backend=_enum(*BACKENDS), backend_reason=_text,
        granule=_enum(*GRANULES), node=_int, cpus=_intlist,
        cpu_nodes=_intlist, placement=_enum("local", "remote", "mixed"),
        threads=_uint, reset_mode=_enum("kernel", "force"),
        cache=_enum("hot", "cold"), batch=_uint, batch_used=_uint,
        rounds=_uint, rounds_done=_uint, seed=_uint,
        timer=_enum("tsc", "ktime"), irq_off=_bool, insns=_strlist,
        timer_overhead_cycles=_ufloat, tsc_khz=_ufloat, elapsed_ns=_ufloat,
        status=_text, emulation=_enum(*EMULATION)),
    "micro.csv": dict(
        run_id=_text, variant=_variant, shape=_enum(*SHAPES),
        path=_enum(*PATHS), granule=_enum("any", *GRANULES), param=_uint,
        thread=_uint, cpu=_int, node=_int, ops=_uint, batches=_uint,
        mean=_ufloat, stddev=_ufloat, min=_ufloat, max=_ufloat,
        unit=_enum(*UNITS), pfn_checksum=_text, pages_touched=_uint),
    "samples.csv": dict(
        run_id=_text, thread=_uint, round=_uint, variant=_variant,
        value=_ufloat, ops=_uint, unit=_enum(*UNITS)),
    "hist.csv": dict(
        run_id=_text, variant=_variant, thread=_uint, lo=_ufloat, hi=_ufloat,
        count=_uint, unit=_enum(*UNITS)),
    "counters.csv": dict(
        run_id=_text, cpu=_int, counter=_text, value=_counter_value,
        note=_text),
    "teardown.csv": dict(
        run_id=_text, repeat=_uint, vm_type=_enum("tdx", "sw-protected",
                                                  "default"),
        vm_type_reason=_text, vm=_vm, vms=_uint, vcpus=_uint,
        size_bytes=_uint, page_size=_enum(*GRANULES), trigger=_enum(
            "destroy", "convert", "punch"),
        populate=_enum("prefault", "gmem", "touch"),
        mappings_populated=_opt(_uint), mapped_4k=_opt(_uint),
        mapped_2m=_opt(_uint), create_s=_opt(_ufloat),
        populate_s=_opt(_ufloat), teardown_s=_opt(_ufloat), pages=_uint,
        ns_per_page=_opt(_ufloat), pages_per_s=_opt(_ufloat), status=_text,
        emulation=_enum(*EMULATION)),
}


def read_csv(path, name=None):
    """Parse one schema CSV strictly; returns a list of dicts."""
    name = name or os.path.basename(path)
    header = SCHEMA[name].split(",")
    parsers = FIELDS[name]
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise RunDirError(f"{name}: cannot read: {e.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise RunDirError(f"{name} line {line}: not UTF-8 text") from None
    if not text:
        raise RunDirError(f"{name} line 1: empty file (no header)")
    nlines = text.count("\n")
    if not text.endswith("\n"):
        raise RunDirError(
            f"{name} line {nlines + 1}: truncated (last line has no end of "
            "line; the file was cut short)")
    rdr = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows = []
    try:
        got = next(rdr)
        if got != header:
            missing = [c for c in header if c not in got]
            extra = [c for c in got if c not in header]
            why = []
            if missing:
                why.append("missing " + ",".join(missing))
            if extra:
                why.append("unexpected " + ",".join(extra))
            if not why:
                why.append("columns out of order")
            raise RunDirError(f"{name} line 1: header is not the {name} "
                              f"schema ({'; '.join(why)})")
        for rec in rdr:
            ln = rdr.line_num
            if not rec:
                raise RunDirError(f"{name} line {ln}: empty line")
            if len(rec) != len(header):
                raise RunDirError(
                    f"{name} line {ln}: {len(rec)} fields, expected "
                    f"{len(header)} ({','.join(header)})")
            row = {"_line": ln}
            for col, val in zip(header, rec):
                try:
                    row[col] = parsers[col](val)
                except ValueError as e:
                    raise RunDirError(
                        f"{name} line {ln}: column {col}: {e}") from None
            rows.append(row)
    except csv.Error as e:
        raise RunDirError(f"{name} line {rdr.line_num}: {e}") from None
    return rows


class RunDir:
    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(os.path.normpath(path))
        self.status = None
        self.meta = {}
        self.runs = {}
        self.micro = []
        self.samples = []
        self.hist = []
        self.counters = []
        self.teardown = []
        self.present = set()
        self.warnings = []

    @property
    def complete(self):
        return self.status == "complete"

    def run_params(self, run_id):
        return self.runs.get(run_id, {})

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
        for r in self.runs.values():
            if r["emulation"] != "none":
                e.add(r["emulation"])
        for t in self.teardown:
            if t["emulation"] != "none":
                e.add(t["emulation"])
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


def _load_meta(path):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise RunDirError(f"meta.json: cannot read: {e.strerror}") from None
    except UnicodeDecodeError:
        raise RunDirError("meta.json line 1: not UTF-8 text") from None
    try:
        meta = json.loads(text)
    except json.JSONDecodeError as e:
        raise RunDirError(f"meta.json line {e.lineno}: column {e.colno}: "
                          f"{e.msg}") from None
    if not isinstance(meta, dict):
        raise RunDirError("meta.json line 1: top level is not an object")
    for key, typ in (("host", dict), ("cpu", dict), ("module", dict),
                     ("environment", dict), ("tdx", dict), ("numa", dict)):
        if key in meta and meta[key] is not None and \
                not isinstance(meta[key], typ):
            raise RunDirError(f"meta.json: '{key}' is not an object")
    return meta


def load(path):
    """Load and cross-check a run directory. Raises RunDirError."""
    if not os.path.isdir(path):
        raise RunDirError(f"{path}: not a directory")
    rd = RunDir(path)
    sp = os.path.join(path, "status")
    if os.path.exists(sp):
        with open(sp, encoding="utf-8", errors="replace") as f:
            rd.status = f.read().strip() or "(empty status file)"
    else:
        rd.status = "(no status file)"
    if not rd.complete:
        rd.warnings.append(f"PARTIAL run directory: status: {rd.status}")
    mp = os.path.join(path, "meta.json")
    if os.path.exists(mp):
        rd.meta = _load_meta(mp)
        rd.present.add("meta.json")
    for name in SCHEMA:
        p = os.path.join(path, name)
        if not os.path.exists(p):
            continue
        rd.present.add(name)
        rows = read_csv(p, name)
        if name == "runs.csv":
            for r in rows:
                if r["run_id"] in rd.runs:
                    raise RunDirError(f"runs.csv line {r['_line']}: run_id "
                                      f"{r['run_id']} appears twice")
                rd.runs[r["run_id"]] = r
        else:
            setattr(rd, name[:-4], rows)
    _cross_check(rd)
    if not (rd.present - {"meta.json"}):
        raise RunDirError(f"{path}: no figures (none of "
                          f"{', '.join(SCHEMA)} is present)")
    return rd


def _cross_check(rd):
    if rd.runs:
        for name in ("micro", "samples", "hist", "counters"):
            for r in getattr(rd, name):
                if r["run_id"] not in rd.runs:
                    raise RunDirError(
                        f"{name}.csv line {r['_line']}: run_id "
                        f"{r['run_id']} is not in runs.csv")
    elif rd.micro or rd.samples or rd.hist:
        raise RunDirError("runs.csv: missing, but micro/samples/hist rows "
                          "refer to runs (no tsc_khz or parameters)")
    for m in rd.micro:
        path, shape, *rest = m["variant"].split(".")
        if path != m["path"] or (shape != m["shape"] and path != "ground"):
            raise RunDirError(f"micro.csv line {m['_line']}: variant "
                              f"{m['variant']} disagrees with path/shape "
                              f"{m['path']}/{m['shape']}")
    seen = set()
    for s in rd.samples:
        key = (s["run_id"], s["thread"], s["round"], s["variant"])
        if key in seen:
            raise RunDirError(f"samples.csv line {s['_line']}: duplicate "
                              f"sample for run {key[0]} thread {key[1]} "
                              f"round {key[2]} variant {key[3]}")
        seen.add(key)
        r = rd.runs[s["run_id"]]
        if s["unit"] == "cycles" and not rd.tsc_khz(s["run_id"]):
            raise RunDirError(f"samples.csv line {s['_line']}: unit cycles "
                              f"but run {s['run_id']} has no tsc_khz")
        if s["round"] >= max(r["rounds_done"], 1) and r["rounds_done"]:
            raise RunDirError(
                f"samples.csv line {s['_line']}: round {s['round']} but run "
                f"{s['run_id']} has rounds_done={r['rounds_done']}")
    for t in rd.teardown:
        if t["status"].startswith("ok"):
            # mappings_populated may be empty: KVM's stats were unreadable
            for col in ("teardown_s", "ns_per_page"):
                if t[col] is None:
                    raise RunDirError(
                        f"teardown.csv line {t['_line']}: column {col} is "
                        f"empty in a row with status '{t['status'][:20]}'")
    for h in rd.hist:
        if h["hi"] < h["lo"]:
            raise RunDirError(f"hist.csv line {h['_line']}: hi < lo")
