# SPDX-License-Identifier: GPL-2.0
"""The table of `make bench-layout`: the page-vs-pfn verdicts of the same
native sweep from differently built copies of the module's portable code
(-O2, -Os, -O2 with 64-byte function alignment), read from each run
directory's verdicts.json (written by plot/report.py).

A verdict survives the build when no two builds call a row in opposite
directions (faster against slower); "not decided" (inconclusive, within
the A/A floor, same within the margin) never disagrees. Also the share of
A/A controls called different per build: the false-positive rate the
layout replicas leave.

usage: python3 plot/layout.py RUN_DIR...   (prints the table and writes
       it into each RUN_DIR as layout.txt)
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cli  # noqa: E402
import rundir  # noqa: E402
import textfmt as tf  # noqa: E402

PATHS = ("convert", "unmap")
DIRECTION = {"faster": -1, "slower": +1}


def load(path):
    """(build label, verdicts) of one run directory."""
    rd = rundir.load(path)
    try:
        with open(os.path.join(path, "verdicts.json"), encoding="utf-8") as f:
            v = json.load(f)
    except (OSError, ValueError) as e:
        raise rundir.RunDirError(f"{path}/verdicts.json: cannot read: {e} "
                                 "(run python3 plot/report.py first)") from None
    labels = sorted({r["label"] for r in rd.runs.values()})
    cg = os.path.join(path, "native-codegen.txt")
    v["_codegen"] = open(cg, encoding="utf-8").read().strip() \
        if os.path.exists(cg) else ""
    return (", ".join(labels) or rd.name), v


def rows_of(v):
    """{path: patch row} of the 4K rows of interest (first config)."""
    out = {}
    for r in v.get("patch", []):
        if r["granule"] == "4k" and r["path"] in PATHS and r["path"] not in out:
            out[r["path"]] = r
    return out


def aa_share(v):
    aa = v.get("aa", [])
    called = sum(1 for r in aa if r.get("verdict") == "differs")
    return called, len(aa)


def table(builds):
    """Lines of the table and whether every row agrees across builds."""
    head = ["build", "path", "ns/page [95% CI]", "verdict"]
    body, agree = [], True
    for path in PATHS:
        dirs = set()
        for label, v in builds:
            r = rows_of(v).get(path)
            if not r:
                body.append([label, path, "-", "no row"])
                continue
            t = r["total"]
            ci = t.get("ci") or [None, None]
            body.append([label, path,
                         f"{tf.num(t['change'])} [{tf.num(ci[0])},"
                         f"{tf.num(ci[1])}]",
                         r["verdict_text"]])
            if r["verdict"] in DIRECTION:
                dirs.add(DIRECTION[r["verdict"]])
        if len(dirs) > 1:
            agree = False
    lines = tf.table(head, body)
    for label, v in builds:
        if v["_codegen"]:
            first, *rest = v["_codegen"].split("\n")
            lines += [f"{label}: {first}"] + rest
    for label, v in builds:
        called, n = aa_share(v)
        lines.append(f"A/A controls called different, {label}: {called} of "
                     f"{n}" + (f" ({100.0 * called / n:.1f}%)" if n else ""))
    lines.append("Verdicts across builds: " + (
        "no two builds disagree in direction" if agree else
        "DISAGREE in direction: the verdict depends on the build"))
    return lines, agree


def _layout(a):
    builds = [load(p) for p in a.run_dirs]
    prov = builds[0][1].get("provenance", {}).get("headline", "")
    lines = [prov, "make bench-layout: page vs pfn at 4K, native null "
             "backend (API shapes only)", ""] + table(builds)[0]
    text = "\n".join(lines) + "\n"
    for p in a.run_dirs:
        cli.write_atomic(os.path.join(p, "layout.txt"), text)
    sys.stdout.write(text)
    return 0


def main(argv=None):
    p = cli.Parser("layout", "the bench-layout table of several run "
                   "directories")
    p.add_argument("run_dirs", nargs="+", metavar="RUN_DIR")
    return cli.run("layout", p, _layout, argv)


if __name__ == "__main__":
    sys.exit(main())
