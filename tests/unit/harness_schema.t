#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The run-directory schema is written once (harness/record/schema.def);
the two documents made from it must say the same (TAP via
tests/lib/tap_unittest):

- `unmapbench schema --json` parses equal to the committed plot/schema.json
  (which plot/ loads);
- the column sections of results/README.md are `unmapbench schema
  --markdown`'s (`--check` finds none that differs or is missing);
- the checks themselves bite: a README with a changed or a missing
  section, a schema.json with a changed column, are told apart;
- what the harness writes follows it: a micro run's files have exactly
  the schema's columns and meta.json its version.
After changing the definition: make -C harness schema.
"""
import copy
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
import tap_unittest  # noqa: E402

UB = os.path.join(TOP, "harness", "unmapbench")
SCHEMA_JSON = os.path.join(TOP, "plot", "schema.json")
README = os.path.join(TOP, "results", "README.md")
REGEN = "regenerate with: make -C harness schema"


def ub(*args, env=None):
    e = dict(os.environ, UB_PROGRESS="0")
    e.pop("UB_WHERE", None)
    e.update(env or {})
    return subprocess.run([UB, *args], capture_output=True, text=True, env=e)


def generated():
    p = ub("schema", "--json")
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


class Json(unittest.TestCase):
    def test_committed_equals_generated(self):
        with open(SCHEMA_JSON) as f:
            committed = json.load(f)
        self.assertEqual(generated(), committed,
                         "plot/schema.json differs from the definition: " + REGEN)

    def test_a_changed_column_is_told_apart(self):
        # negative control of the comparison above
        changed = copy.deepcopy(generated())
        changed["tables"][0]["columns"][-1]["name"] += "_x"
        self.assertNotEqual(generated(), changed)

    def test_constants_from_the_uapi(self):
        with open(os.path.join(TOP, "kmod", "uapi", "unmap_bench.h")) as f:
            uapi = f.read()
        self.assertIn("#define UB_PAGES_PER_2M\t\t%d" %
                      generated()["constants"]["pages_per_2m"], uapi)


class Readme(unittest.TestCase):
    def check(self, path):
        return ub("schema", "--markdown", "--check", path)

    def test_readme_equals_definition(self):
        p = self.check(README)
        self.assertEqual(p.returncode, 0,
                         "results/README.md differs from the definition "
                         "(%s): %s" % (REGEN, p.stderr))

    def test_markdown_lists_every_section(self):
        p = ub("schema", "--markdown")
        self.assertEqual(p.returncode, 0, p.stderr)
        for name in ["conventions"] + [t["file"] for t in generated()["tables"]]:
            self.assertIn("<!-- schema:%s -->\n" % name, p.stdout)
        self.assertEqual(p.stdout.count("<!-- /schema -->"),
                         1 + len(generated()["tables"]))

    def test_changed_and_missing_sections_are_told_apart(self):
        with open(README) as f:
            text = f.read()
        with tempfile.TemporaryDirectory() as d:
            changed = os.path.join(d, "changed.md")
            with open(changed, "w") as f:
                f.write(text.replace("| `rounds_done` | uint |",
                                     "| `rounds_done` | int |", 1))
            p = self.check(changed)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn("section runs.csv differs", p.stderr)
            missing = os.path.join(d, "missing.md")
            start = text.index("<!-- schema:hist.csv -->")
            end = text.index("<!-- /schema -->", start) + len("<!-- /schema -->")
            with open(missing, "w") as f:
                f.write(text[:start] + text[end:])
            p = self.check(missing)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn("no section <!-- schema:hist.csv -->", p.stderr)
            # --into repairs both
            for path in (changed, missing):
                if path == missing:
                    with open(path, "a") as f:
                        f.write("\n<!-- schema:hist.csv -->\n<!-- /schema -->\n")
                self.assertEqual(ub("schema", "--markdown", "--into",
                                    path).returncode, 0)
                self.assertEqual(self.check(path).returncode, 0)


class Writers(unittest.TestCase):
    def test_files_follow_the_schema(self):
        schema = generated()
        cols = {t["file"]: [c["name"] for c in t["columns"]]
                for t in schema["tables"]}
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "r")
            p = ub("micro", "--size", "4M", "--granule", "4k,2m", "--rounds", "2",
                   "--placement", "local", "--out", out,
                   env={"UB_WHERE": "native"})
            self.assertEqual(p.returncode, 0, p.stderr)
            for name in ("runs.csv", "params.csv", "micro.csv", "samples.csv",
                         "hist.csv", "counters.csv"):
                with open(os.path.join(out, name), newline="") as f:
                    self.assertEqual(next(csv.reader(f)), cols[name], name)
            with open(os.path.join(out, "meta.json")) as f:
                self.assertEqual(json.load(f)["schema_version"],
                                 schema["schema_version"])


if __name__ == "__main__":
    sys.exit(tap_unittest.run_module(sys.modules[__name__], ["-C", os.path.join(TOP, "harness")]))
