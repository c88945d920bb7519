#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The README against what the code says: its first block is the two
commands; no placeholder and no tracker reference is left; every target
`make help` lists for users and every variable the harness's --help and
the scripts read from a user is in it; `make help` and the README say the
same about `make test`."""
import os
import re
import subprocess
import sys
import unittest

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
import tap_unittest  # noqa: E402
README = open(os.path.join(TOP, "README.md"), encoding="utf-8").read()
# Targets for the project's own plumbing, not for a reader of the README.
INTERNAL_TARGETS = {"all", "help", "tests-bin", "testbed", "clean"}


def make_help():
    p = subprocess.run(["make", "-s", "-C", TOP, "help"],
                       capture_output=True, text=True)
    return p.stdout


class Readme(unittest.TestCase):
    def test_starts_with_the_two_commands(self):
        block = re.search(r"```sh\n(.*?)```", README, re.S)
        self.assertIsNotNone(block)
        self.assertLess(block.start(), README.index("\n## "))
        cmds = [x.split("#")[0].strip() for x in block.group(1).splitlines()
                if x.strip()]
        self.assertEqual(cmds, ["make deps vm-bench", "make test"])

    def test_no_placeholder_or_tracker_reference(self):
        self.assertNotIn("@@", README)
        self.assertIsNone(re.search(r"\bissues? #?\d+\b", README, re.I),
                          "the README refers to the tracker")
        # the project's own CI history is not for users
        self.assertIsNone(re.search(r"(?m)^#+ .*\bCI\b", README),
                          "a CI section in the README")
        self.assertNotIn("ci: done in", README)

    def test_every_user_target_documented(self):
        targets = [x.split()[0] for x in make_help().splitlines()[1:]
                   if x.startswith("  ")]
        self.assertIn("vm-bench", targets)
        missing = [t for t in targets if t not in INTERNAL_TARGETS and
                   not re.search(rf"`make {re.escape(t)}\b", README)]
        self.assertEqual(missing, [], "make help targets not in README.md")

    def test_make_help_and_readme_agree_on_test(self):
        line = next(x for x in make_help().splitlines()
                    if x.split()[:1] == ["test"])
        for suite in ("host unit tests", "QEMU testbed suite",
                      "debug-kernel suite"):
            self.assertIn(suite, line)
            self.assertIn(suite, README.split("\n## ")[0])

    def test_harness_environment_documented(self):
        ub = os.environ.get("UB_HARNESS",
                            os.path.join(TOP, "harness", "unmapbench"))
        if not os.access(ub, os.X_OK):
            self.skipTest(f"{ub} not built (make -C harness)")
        out = subprocess.run([ub, "--help"], capture_output=True,
                             text=True).stdout
        names = set(re.findall(r"\bUB_[A-Z_]+", out))
        self.assertIn("UB_RESULTS_DIR", names)
        env = README.split("## Environment")[1].split("\n## ")[0]
        self.assertEqual(sorted(n for n in names if n not in env), [])

    def test_user_facing_script_variables_documented(self):
        # The variables the make targets' scripts document in their own
        # "Environment:" header lines.
        env = README.split("## Environment")[1].split("\n## ")[0]
        missing = []
        for d in ("testbed", "bench"):
            for f in sorted(os.listdir(os.path.join(TOP, d))):
                if not f.endswith(".sh"):
                    continue
                head = open(os.path.join(TOP, d, f),
                            encoding="utf-8").read().split("\nset ")[0]
                m = re.search(r"^# Environment:(.*?)(?:^#\s*$|\Z)", head,
                              re.S | re.M)
                for n in set(re.findall(r"\bUB_[A-Z_]+", m.group(1))
                             if m else ()):
                    if n not in env and n not in ("UB_SYSROOT", "UB_HARNESS"):
                        missing.append(f"{d}/{f}: {n}")
        self.assertEqual(missing, [])


if __name__ == "__main__":
    sys.exit(tap_unittest.run_module(sys.modules[__name__],
                                     ["-C", os.path.join(TOP, "harness")]))
