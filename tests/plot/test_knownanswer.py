# SPDX-License-Identifier: GPL-2.0
"""Known answers: synthetic run directories (tests/plot/synth.py) whose
pfn shape is, by construction, 5% faster on unmap, equal on wbinvd and
reset, and 1% slower on convert. Written, loaded and analysed end to end
(rundir -> compare.shape_pairs) for many fixed seeds; the verdicts must be
right at their stated 95% confidence.

Thresholds are set so that a correct analysis fails them with
probability < 1e-4 (binomial tails given in each assertion), while an
analysis whose CI is too narrow fails them (see NegativeControl)."""
import os
import shutil
import tempfile
import unittest

import plotpath  # noqa: F401
import compare
import rundir
import stats
import synth

SEEDS = range(1000, 1100)          # 100 directories
EFFECTS = {"unmap": -5.0, "wbinvd": 0.0, "reset": 0.0, "convert": 1.0}


def run_seeds(seeds, **kw):
    """{path: [verdict, ...]} over the seeds, margin 1%; and the same
    with a 0.1% margin under key (path, 0.1), where equivalence is out of
    reach and only the difference test speaks."""
    out = {p: [] for p in EFFECTS}
    out.update({(p, 0.1): [] for p in EFFECTS})
    tmp = tempfile.mkdtemp(prefix="ub-known-")
    try:
        for s in seeds:
            d = os.path.join(tmp, f"s{s}")
            synth.write_rundir(d, seed=s, effects=EFFECTS, rounds=150,
                               batches_per_round=2, noise=0.02,
                               ground=False, hist=False, teardown=False,
                               **kw)
            rd = rundir.load(d)
            for p in compare.shape_pairs(rd, margin=1.0, boot_reps=0):
                out[p["path"]].append(p["verdict"])
            for p in compare.shape_pairs(rd, margin=0.1, boot_reps=0):
                out[(p["path"], 0.1)].append(p["verdict"])
            shutil.rmtree(d)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def count(vs, prefix):
    return sum(1 for v in vs if v.startswith(prefix))


class KnownAnswers(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.v = run_seeds(SEEDS)

    def test_all_rows_found(self):
        for p in EFFECTS:
            self.assertEqual(len(self.v[p]), len(SEEDS), p)

    def test_minus5_is_faster(self):
        # true -5%, CI half-width ~0.4%: anything but "faster" is a bug
        vs = self.v["unmap"]
        self.assertEqual(count(vs, "faster"), len(vs), vs)

    def test_zero_never_falsely_different(self):
        # 200 null rows; a false faster/slower has probability <= 5% each
        # (sign-test CI, ~4% here): Binomial(200, .05) has mean 10 and
        # P(X > 25) < 1e-4. With the 0.1% margin equivalence cannot be
        # shown, so this tests the difference CI alone.
        for m in (None, 0.1):
            vs = self.v[("wbinvd", m) if m else "wbinvd"] + \
                self.v[("reset", m) if m else "reset"]
            wrong = count(vs, "faster") + count(vs, "slower")
            self.assertLessEqual(wrong, 25, (m, vs))
        vs = self.v[("wbinvd", 0.1)] + self.v[("reset", 0.1)]
        self.assertEqual(count(vs, "equivalent"), 0)
        self.assertGreaterEqual(count(vs, "inconclusive: need "), 175)

    def test_zero_is_equivalent(self):
        # power: CI half-width ~0.4% against a 1% margin
        vs = self.v["wbinvd"] + self.v["reset"]
        self.assertGreaterEqual(count(vs, "equivalent within \u00b11%"),
                                0.9 * len(vs))

    def test_plus1_never_equivalent_within_1(self):
        # true +1% sits on the margin: "equivalent within +-1%" is wrong
        # and may happen <= 2.5% of the time: Binomial(100, .025) has mean
        # 2.5 and P(X > 12) < 1e-4.
        vs = self.v["convert"]
        self.assertLessEqual(count(vs, "equivalent"), 12, vs)
        self.assertEqual(count(vs, "faster"), 0, vs)

    def test_plus1_is_slower(self):
        vs = self.v["convert"]
        self.assertGreaterEqual(count(vs, "slower"), 0.8 * len(vs), vs)


class NegativeControl(unittest.TestCase):
    """The assertions above have teeth: with a CI of 60% instead of 95%
    coverage (what a naive interval on autocorrelated or unpaired data
    can give) the null rows come out 'different' and the +1% rows
    'equivalent' far too often, and the assertions fail."""

    def test_narrow_ci_fails_the_assertions(self):
        real = stats.median_ci
        try:
            stats.median_ci = lambda x, conf=0.95: real(x, 0.60)
            v = run_seeds(range(2000, 2100))
        finally:
            stats.median_ci = real
        vs = v[("wbinvd", 0.1)] + v[("reset", 0.1)]
        wrong = count(vs, "faster") + count(vs, "slower")
        self.assertGreater(wrong, 25)          # the real test allows 25
        self.assertGreater(count(v["convert"], "equivalent"), 12)


class Threads(unittest.TestCase):
    def test_two_threads_and_repeats_pool(self):
        v = run_seeds(range(3000, 3005), threads=(2,), repeats=2)
        self.assertEqual(v["unmap"], ["faster"] * 5)
        self.assertEqual(count(v["convert"], "faster"), 0)


if __name__ == "__main__":
    unittest.main()
