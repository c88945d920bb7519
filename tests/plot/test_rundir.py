# SPDX-License-Identifier: GPL-2.0
"""Malformed, truncated or inconsistent run directories give one clear
error naming the file, the line and the column; good ones load, including
valid output that looks odd (an empty stddev for one batch, the last,
unbounded histogram bucket). Every refusal of a loader check has a
negative control: with the check removed, the directory is no longer
refused that way."""
import contextlib
import copy
import json
import os
import shutil
import unittest

import plotpath  # noqa: F401
import compare
import corpus
import patch
import report
import rundir
import schema
import synth


@contextlib.contextmanager
def without(check):
    """rundir with one of its checks removed."""
    lists = [c for c in (rundir.CHECKS, rundir.META_CHECKS) if check in c]
    assert lists, check
    i = lists[0].index(check)
    lists[0].remove(check)
    try:
        yield
    finally:
        lists[0].insert(i, check)


def schema_with(edit):
    """A Schema from plot/schema.json's document changed by edit(doc)."""
    with open(schema.PATH) as f:
        doc = json.load(f)
    edit(doc)
    return schema.Schema(doc)


def column(doc, file, name):
    t = next(t for t in doc["tables"] if t["file"] == file)
    return next(c for c in t["columns"] if c["name"] == name)


class RunDirErrors(corpus.WithGood):
    def case(self, name):
        return corpus.build(self.tmp, name)

    def assertError(self, d, *parts):
        with self.assertRaises(rundir.RunDirError) as cm:
            rundir.load(d)
        msg = str(cm.exception)
        for p in parts:
            self.assertIn(p, msg)
        self.assertNotIn("\n", msg)
        return msg

    def test_good_loads(self):
        rd = rundir.load(self.good)
        self.assertTrue(rd.complete)
        self.assertTrue(rd.runs and rd.samples and rd.micro and rd.hist)
        self.assertEqual(rd.to_ns(2000.0, "cycles", "r001"), 1000.0)

    def test_truncated_samples(self):
        msg = self.assertError(self.case("truncated_samples"),
                               "samples.csv line ")
        self.assertTrue("truncated" in msg or "fields" in msg, msg)

    def test_cut_mid_line_names_last_line(self):
        with open(os.path.join(self.good, "micro.csv")) as f:
            n = f.read().count("\n")      # complete lines; the last is cut
        self.assertError(self.case("cut_mid_line"), f"micro.csv line {n}",
                         "truncated")

    def test_wrong_field_count(self):
        n = len(schema.load().table("runs.csv").names)
        self.assertError(self.case("wrong_field_count"), "runs.csv line 2",
                         f"{n + 1} fields, expected {n}")

    def test_bad_number(self):
        self.assertError(self.case("bad_number"), "samples.csv line 5",
                         "column value", "'12x' is not a number")

    def test_bad_enum(self):
        self.assertError(self.case("bad_enum"), "runs.csv line 2",
                         "column cache", "tepid")

    def test_bad_header(self):
        self.assertError(self.case("bad_header"), "hist.csv line 1",
                         "missing count", "unexpected cnt")

    def test_empty_file(self):
        self.assertError(self.case("empty_file"), "teardown.csv line 1",
                         "empty")

    def test_unknown_run(self):
        self.assertError(self.case("unknown_run"), "micro.csv line 2",
                         "r999", "not in runs.csv")

    def test_duplicate_sample(self):
        self.assertError(self.case("duplicate_sample"), "samples.csv line",
                         "duplicate")

    def test_bad_json(self):
        with open(os.path.join(self.good, "meta.json")) as f:
            line = f.read().split('"host"')[0].count("\n") + 1
        self.assertError(self.case("bad_json"), f"meta.json line {line}:")

    def test_counters_unavailable_is_not_zero(self):
        rd = rundir.load(self.good)
        un = [c for c in rd.counters if c["counter"] == "llc_misses"]
        self.assertTrue(un)
        self.assertTrue(all(c["value"] == "unavailable" for c in un))

    def test_partial_dir_warns(self):
        d = os.path.join(self.tmp, ".x.partial")
        synth.write_rundir(d, seed=1, rounds=8, teardown=False,
                           status="interrupted: SIGINT after 1/3 runs")
        rd = rundir.load(d)
        self.assertFalse(rd.complete)
        self.assertIn("PARTIAL", rd.warnings[0])

    def test_teardown_only(self):
        d = os.path.join(self.tmp, "tdonly")
        synth.write_rundir(d, seed=1, micro=False)
        rd = rundir.load(d)
        self.assertEqual(rd.runs, {})
        self.assertTrue(rd.teardown)

    def test_no_figures(self):
        d = os.path.join(self.tmp, "none")
        os.makedirs(d)
        with open(os.path.join(d, "meta.json"), "w") as f:
            json.dump({"schema_version": synth.SCHEMA.version}, f)
        self.assertError(d, "no figures")

    def test_every_refusal_is_one_line_naming_the_file(self):
        for name, (_, parts, _) in corpus.CASES.items():
            d = self.case(name)
            msg = self.assertError(d, *parts)
            self.assertTrue(msg.startswith(d + os.sep), (name, msg))

    # ---- valid output that must load

    def test_one_batch_empty_stddev(self):
        # --rounds 1 with one batch a round: the harness leaves stddev
        # empty (no sample standard deviation of one value)
        d = os.path.join(self.tmp, "onebatch")
        synth.write_rundir(d, seed=2, rounds=1, batches_per_round=1)
        with open(os.path.join(d, "micro.csv")) as f:
            self.assertIn(",,", f.read())
        rd = rundir.load(d)
        self.assertTrue(all(m["stddev"] is None for m in rd.micro))
        txt = report.build(rd, boot=0, plot=False)["txt"]
        self.assertIn("convert.page.4k", txt)
        # negative control: without "empty" in the schema it is refused
        sch = schema_with(lambda doc: column(doc, "micro.csv", "stddev")
                          .pop("empty"))
        with self.assertRaises(rundir.RunDirError) as cm:
            rundir.load(d, sch)
        self.assertIn("column stddev: empty", str(cm.exception))

    def test_unbounded_last_bucket(self):
        d = os.path.join(self.tmp, "unbounded")
        shutil.copytree(self.good, d)

        def fn(data):
            last = [i for i, r in enumerate(data)
                    if r["variant"] == "unmap.pfn.4k"][-1]
            data[last]["hi"] = ""
        corpus.rows(d, "hist.csv", fn)
        rd = rundir.load(d)
        self.assertTrue(any(h["hi"] is None for h in rd.hist))
        txt = report.build(rd, boot=0, plot=False)["txt"]
        self.assertIn("unmap.pfn.4k", txt)

    def test_a_new_column_is_carried_through(self):
        # a column added to the harness's definition reaches plot/
        # through schema.json alone: the loader, the report and the
        # synthetic writer need no change
        sch = schema_with(lambda doc: next(
            t for t in doc["tables"] if t["file"] == "runs.csv")[
                "columns"].append({"name": "numa_balancing", "type": "bool",
                                   "doc": "a new column"}))
        d = os.path.join(self.tmp, "newcol")
        real = synth.SCHEMA
        synth.SCHEMA = sch
        try:
            synth.write_rundir(d, seed=3, rounds=6)
        finally:
            synth.SCHEMA = real
        rd = rundir.load(d, sch)
        self.assertIs(rd.runs["r001"]["numa_balancing"], False)
        report.build(rd, boot=0, plot=False)
        self.assertError(d, "runs.csv line 1", "unexpected numa_balancing")

    def test_schema_with_unknown_type_is_refused(self):
        with self.assertRaises(schema.SchemaError) as cm:
            schema_with(lambda doc: column(doc, "runs.csv", "seed")
                        .update(type="u128"))
        self.assertIn("runs.csv column seed: unknown type 'u128'",
                      str(cm.exception))

    def test_lost_rows_negative_control_gives_wrong_n(self):
        # what the check prevents: without it, a samples.csv cut at a
        # line boundary reads as a shorter run (n below rounds_done)
        d = self.case("samples_lost_40pct")
        with without(rundir.check_samples), without(rundir.check_order):
            rd = rundir.load(d)
            ns = {r["n_rounds"] for r in patch.analyse(rd, boot=0).ab}
        self.assertTrue(ns and max(ns) < rd.runs["r001"]["rounds_done"], ns)

    def test_meta_kind_negative_control_is_a_traceback(self):
        # without the member check, numa.nodes = 3 crashes compare
        d = self.case("meta_kind")
        with without(rundir.check_meta_members):
            rd = rundir.load(d)
        with self.assertRaises(TypeError):
            compare.differences(rd, copy.copy(rd))


def _refusal_test(name):
    edit, parts, check = corpus.CASES[name]

    def test(self):
        d = self.case(name)
        self.assertError(d, *parts)
        if check is None:
            return
        # negative control: without the check, not refused that way
        with without(check):
            try:
                rundir.load(d)
            except rundir.RunDirError as e:
                self.assertFalse(all(p in str(e) for p in parts),
                                 f"still refused without {check.__name__}")
    test.__doc__ = f"refuses {name}"
    return test


for _name, (_, _, _check) in corpus.CASES.items():
    if _check is not None:
        setattr(RunDirErrors, f"test_refuses_{_name}", _refusal_test(_name))


if __name__ == "__main__":
    unittest.main()
