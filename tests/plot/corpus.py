# SPDX-License-Identifier: GPL-2.0
"""The test corpus of malformed run directories: each case is one defect
made in a copy of a good synthetic directory (GOOD), the words its one-line
refusal must contain, and the loader check that refuses it (a function of
rundir.CHECKS or rundir.META_CHECKS; None where the CSV reader itself
refuses). test_rundir asserts each refusal and, as a negative control,
that the directory is not refused that way once the check is removed;
test_cli runs report.py on every case: one line on stderr, exit 1, never a
traceback."""
import csv
import io
import json
import os
import shutil
import tempfile
import unittest

import plotpath  # noqa: F401
import rundir
import schema
import synth

# runs.csv's header, from the schema (no copy of the columns here).
_RUNS_COLS = schema.load().table("runs.csv").names
_RUNS_LAST = _RUNS_COLS[-1]
_RUNS_NCOLS = len(_RUNS_COLS)

GOOD = dict(seed=7, rounds=12, ground=True)     # one run r001, one thread
_NVAR = len(synth.variant_list("4k", True, True, True, synth.PATHS))


def make_good(path):
    return synth.write_rundir(path, **GOOD)


class WithGood(unittest.TestCase):
    """Tests over a good directory (cls.good) in a scratch dir (cls.tmp)."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ub-corpus-")
        cls.good = os.path.join(cls.tmp, "good")
        make_good(cls.good)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)


def text(d, fname, fn):
    """Edit a file as text."""
    p = os.path.join(d, fname)
    with open(p) as f:
        t = f.read()
    with open(p, "w") as f:
        f.write(fn(t))


def rows(d, fname, fn):
    """Edit a CSV file as a list of {column: cell}, header kept."""
    p = os.path.join(d, fname)
    with open(p, newline="") as f:
        r = csv.DictReader(f)
        cols, data = r.fieldnames, list(r)
    data = fn(data) or data
    out = io.StringIO()
    w = csv.DictWriter(out, cols, lineterminator="\n")
    w.writeheader()
    w.writerows(data)
    with open(p, "w") as f:
        f.write(out.getvalue())


def meta(d, fn):
    p = os.path.join(d, "meta.json")
    with open(p) as f:
        m = json.load(f)
    fn(m)
    with open(p, "w") as f:
        json.dump(m, f)


def _set(fname, i, col, val):
    def edit(d):
        def fn(data):
            data[i][col] = val
        rows(d, fname, fn)
    return edit


def _cell(t, line, field, val):
    lines = t.split("\n")
    f = lines[line - 1].split(",")
    f[field] = val
    lines[line - 1] = ",".join(f)
    return "\n".join(lines)


def _lose_rows(frac):
    """Cut samples.csv at a line boundary: a file that lost rows but is
    well-formed (the status still says complete)."""
    def edit(d):
        def fn(t):
            lines = t.split("\n")[:-1]
            keep = int(len(lines) * (1 - frac))
            return "\n".join(lines[:keep]) + "\n"
        text(d, "samples.csv", fn)
    return edit


def _drop_hist_row(d):
    rows(d, "hist.csv", lambda data: data[:3] + data[4:])


def _version(delta):
    def edit(d):
        def fn(m):
            m["schema_version"] += delta
        meta(d, fn)
    return edit


def _drop_variant_from_params(d):
    def fn(data):
        data[0]["variants"] = ";".join(data[0]["variants"].split(";")[1:])
    rows(d, "params.csv", fn)


def _meta_member(dotted, val):
    def edit(d):
        def fn(m):
            *path, last = dotted.split(".")
            for p in path:
                m = m.setdefault(p, {})
            m[last] = val
        meta(d, fn)
    return edit


def _append(fname, data):
    def edit(d):
        with open(os.path.join(d, fname), "ab") as f:
            f.write(data)
    return edit


def _remove(fname):
    return lambda d: os.remove(os.path.join(d, fname))


def _micro_row(variant, **cells):
    """Set cells of the micro.csv row of a variant (one thread)."""
    def edit(d):
        def fn(data):
            for r in data:
                if r["variant"] == variant:
                    r.update(cells)
        rows(d, "micro.csv", fn)
    return edit


def _same_position(d):
    """Round 0 of r001: the second sample takes the first one's place."""
    def fn(data):
        data[1]["position"] = data[0]["position"]
    rows(d, "samples.csv", fn)


# name: (edit, words the refusal contains, the check that refuses)
CASES = {
    # the CSV reader
    "truncated_samples": (
        lambda d: text(d, "samples.csv", lambda t: t[:len(t) // 2 + 3]),
        ["samples.csv line ", "truncated"], None),
    "cut_mid_line": (
        lambda d: text(d, "micro.csv", lambda t: t[:-20]),
        ["micro.csv line ", "truncated"], None),
    "wrong_field_count": (
        lambda d: text(d, "runs.csv", lambda t: t.replace(
            "\n", ",extra\n", 2).replace(f"{_RUNS_LAST},extra", _RUNS_LAST)),
        ["runs.csv line 2",
         f"{_RUNS_NCOLS + 1} fields, expected {_RUNS_NCOLS}"], None),
    "bad_number": (
        lambda d: text(d, "samples.csv", lambda t: _cell(t, 5, 4, "12x")),
        ["samples.csv line 5", "column value", "'12x' is not a number"],
        None),
    "bad_enum": (
        lambda d: text(d, "runs.csv", lambda t: t.replace(",hot,", ",tepid,",
                                                           1)),
        ["runs.csv line 2", "column cache", "tepid"], None),
    "bad_header": (
        lambda d: text(d, "hist.csv", lambda t: t.replace("count", "cnt", 1)),
        ["hist.csv line 1", "missing count", "unexpected cnt"], None),
    "empty_file": (
        lambda d: open(os.path.join(d, "teardown.csv"), "w").close(),
        ["teardown.csv line 1", "empty"], None),
    "bad_json": (
        lambda d: text(d, "meta.json", lambda t: t.replace('"host"', 'host',
                                                           1)),
        ["meta.json line ", "character"], None),
    "nan": (
        lambda d: text(d, "micro.csv", lambda t: _cell(t, 3, 11, "nan")),
        ["micro.csv line 3", "column mean", "not a finite number"], None),
    "negative_count": (_set("hist.csv", 0, "count", "-1"),
                       ["hist.csv line 2", "column count"], None),
    "empty_required": (_set("micro.csv", 0, "mean", ""),
                       ["micro.csv line 2", "column mean", "empty"], None),
    "bool_word": (_set("runs.csv", 0, "irq_off", "yes"),
                  ["runs.csv line 2", "column irq_off", "0|1"], None),
    "not_utf8": (_append("runs.csv", b"\xff\n"),
                 ["runs.csv line 3", "not UTF-8"], None),
    "unknown_run": (
        lambda d: text(d, "micro.csv", lambda t: t.replace("\nr001,",
                                                           "\nr999,", 1)),
        ["micro.csv line 2", "r999", "not in runs.csv"],
        rundir.check_run_ids),
    "duplicate_sample": (
        lambda d: text(d, "samples.csv", lambda t: t + t.split("\n")[1] +
                       "\n"),
        ["samples.csv line", "duplicate sample for run"],
        rundir.check_samples),
    # meta.json
    "future_schema": (_version(+1),
                      ["meta.json: schema_version 3 is not the version "
                       "this plot/ reads (2)"], rundir.check_schema_version),
    "old_schema": (_version(-1),
                   ["meta.json: schema_version 1 is not the version this "
                    "plot/ reads (2)"], rundir.check_schema_version),
    "no_meta": (_remove("meta.json"), ["meta.json: missing",
                                       "schema_version"],
                rundir.check_schema_version),
    "meta_kind": (_meta_member("numa.nodes", 3),
                  ["meta.json: numa.nodes is not an array: 3"],
                  rundir.check_meta_members),
    "meta_object": (_meta_member("cpu.flags", ["movdir64b"]),
                    ["meta.json: cpu.flags is not an object"],
                    rundir.check_meta_members),
    "meta_emulation": (_meta_member("environment.emulation", "bochs"),
                       ["meta.json: environment.emulation 'bochs'"],
                       rundir.check_meta_members),
    # cross-file checks
    "samples_lost_40pct": (_lose_rows(0.4),
                           ["samples.csv: run r001:", f"of {12 * _NVAR} rows",
                            "rounds_done=12", "first missing: thread 0 "
                            "round 7"], rundir.check_samples),
    "sample_round_beyond_done": (
        _set("runs.csv", 0, "rounds_done", "11"),
        ["samples.csv line", "column round: 11", "rounds_done=11"],
        rundir.check_samples),
    "hist_counts": (_drop_hist_row,
                    ["hist.csv: run r001 variant convert.page.4k thread 0:",
                     "counts sum to", "micro.csv line 2 has batches=48"],
                    rundir.check_hist),
    "hist_hi_below_lo": (_set("hist.csv", 0, "hi", "1"),
                         ["hist.csv line 2: column hi"], rundir.check_hist),
    "unit_vs_timer": (_set("samples.csv", 4, "unit", "ns"),
                      ["samples.csv line 6: column unit: ns but run r001 "
                       "used timer tsc (cycles"],
                      rundir.check_threads_units),
    "timer_vs_units": (_set("runs.csv", 0, "timer", "ktime"),
                       ["micro.csv line 2: column unit: cycles but run "
                        "r001 used timer ktime (ns"],
                       rundir.check_threads_units),
    "thread_index": (_set("samples.csv", 0, "thread", "3"),
                     ["samples.csv line 2: column thread: 3 but run r001 "
                      "has threads=1"], rundir.check_threads_units),
    "no_params": (_remove("params.csv"), ["params.csv: missing"],
                  rundir.check_run_ids),
    "variant_not_in_params": (
        _drop_variant_from_params,
        ["micro.csv line 2: column variant: convert.page.4k is not a "
         "variant of run r001"], rundir.check_micro),
    "micro_row_missing": (
        lambda d: rows(d, "micro.csv", lambda data: data[1:]),
        ["micro.csv: run r001: no row for variant convert.page.4k thread "
         "0"], rundir.check_micro),
    "cpus_vs_threads": (_set("runs.csv", 0, "cpus", "0;1"),
                        ["runs.csv line 2: column cpus: 2 entries for "
                         "threads=1"], rundir.check_runs),
    "rounds_done_above_rounds": (_set("runs.csv", 0, "rounds_done", "13"),
                                 ["runs.csv line 2: column rounds_done: "
                                  "13 > rounds=12"], rundir.check_runs),
    "params_bytes": (_set("params.csv", 0, "bytes_per_thread", "1"),
                     ["params.csv line 2: column bytes_per_thread"],
                     rundir.check_params),
    "teardown_pages": (_set("teardown.csv", 0, "pages", "7"),
                       ["teardown.csv line 2: column pages: 7, expected "
                        "16384"], rundir.check_teardown),
    "position_not_permutation": (
        _same_position,
        ["samples.csv line", "column position", "run r001 thread 0 round "
         "0 are not a permutation"], rundir.check_order),
    "replica_beyond_replicas": (
        _set("samples.csv", 3, "replica", "8"),
        ["samples.csv line 5: column replica: 8 but run r001 has "
         "replicas=8"], rundir.check_order),
    "replicas_zero": (_set("runs.csv", 0, "replicas", "0"),
                      ["runs.csv line 2: column replicas: 0"],
                      rundir.check_runs),
    "warmup_done_above_warmup": (_set("runs.csv", 0, "warmup_done", "3"),
                                 ["runs.csv line 2: column warmup_done: 3 "
                                  "> warmup=2"], rundir.check_runs),
    "twin_without_original": (
        _micro_row("convert.page.4k.aa", path="ground"),
        ["micro.csv line", "twin convert.page.4k.aa of run r001 has no "
         "original"], rundir.check_twins),
    "original_without_twin": (
        _micro_row("convert.page.4k.aa", twin="0", path="ground",
                   shape="none", param="999"),
        ["micro.csv line", "variant convert.page.4k of run r001 has no A/A "
         "twin"], rundir.check_twins),
    "twin_of_range": (
        _micro_row("convert.page.4k.aa", shape="range"),
        ["micro.csv line", "column twin: 1 for shape range"],
        rundir.check_twins),
    "teardown_mappings_mismatch": (
        _set("teardown.csv", 0, "mapped_4k", "7"),
        ["teardown.csv line 2: column mappings_populated: 16384, but "
         "mapped_4k/2m/1g 7/0/0 make 7"], rundir.check_teardown),
    "teardown_touched_without_touch": (
        _set("teardown.csv", 0, "touched_pages", "5"),
        ["teardown.csv line 2: column touched_pages: 5 with populate "
         "prefault"], rundir.check_teardown),
    "teardown_ok_without_time": (
        _set("teardown.csv", 0, "teardown_s", ""),
        ["teardown.csv line 2: column teardown_s: empty"],
        rundir.check_teardown),
}


def build(tmp, name):
    """A copy of the good directory with case name's defect: its path."""
    good = os.path.join(tmp, "good")
    if not os.path.isdir(good):
        make_good(good)
    d = os.path.join(tempfile.mkdtemp(dir=tmp), name)
    shutil.copytree(good, d)
    CASES[name][0](d)
    return d
