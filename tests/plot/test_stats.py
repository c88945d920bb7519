# SPDX-License-Identifier: GPL-2.0
"""Unit tests of plot/stats.py against values worked out by hand or from
standard tables, and the hierarchical analysis against synthetic data
with known variance components (fixed seeds; counts, never timings)."""
import math
import random
import unittest

import plotpath  # noqa: F401
import stats
import synth


class Basics(unittest.TestCase):
    def test_quantile_type7(self):
        x = [1, 2, 3, 4]
        self.assertEqual(stats.quantile(x, 0.5), 2.5)
        self.assertAlmostEqual(stats.quantile(x, 0.9), 3.7)
        self.assertEqual(stats.quantile([5], 0.99), 5)

    def test_mad_cv(self):
        self.assertEqual(stats.mad([1, 2, 3, 4, 100]), 1)
        self.assertAlmostEqual(stats.cv([2, 4, 4, 4, 5, 5, 7, 9]),
                               stats.stdev([2, 4, 4, 4, 5, 5, 7, 9]) / 5)

    def test_hist_quantiles_match_raw(self):
        rng = random.Random(3)
        xs = [1000 * math.exp(rng.gauss(0, 0.1)) for _ in range(20000)]
        # 0.5%-wide buckets, as the module's (<= 0.78%)
        b = {}
        for x in xs:
            k = int(math.log(x) / math.log(1.005))
            b[k] = b.get(k, 0) + 1
        buckets = [(1.005 ** k, 1.005 ** (k + 1), c) for k, c in b.items()]
        h = stats.describe_hist(buckets)
        r = stats.describe(xs)
        for q in ("median", "p10", "p90", "p99"):
            self.assertAlmostEqual(h[q] / r[q], 1, delta=0.006, msg=q)
        self.assertAlmostEqual(h["mad"] / r["mad"], 1, delta=0.05)


class Distributions(unittest.TestCase):
    def test_t_table(self):
        # two-sided 95% critical values from any t table
        for df, q in ((1, 12.706), (2, 4.303), (7, 2.365), (30, 2.042),
                      (1000, 1.962)):
            self.assertAlmostEqual(stats.t_ppf(0.975, df), q, places=2)
        self.assertAlmostEqual(stats.t_sf(0.0, 5), 0.5)
        self.assertAlmostEqual(stats.t_sf(2.228, 10), 0.025, places=4)
        self.assertAlmostEqual(stats.t_sf(-2.228, 10), 0.975, places=4)

    def test_f_table(self):
        # 5% critical values: F(3, 20) = 3.10, F(10, 100) = 1.93
        self.assertAlmostEqual(stats.f_sf(3.098, 3, 20), 0.05, places=3)
        self.assertAlmostEqual(stats.f_sf(1.927, 10, 100), 0.05, places=3)

    def test_betainc(self):
        self.assertAlmostEqual(stats.betainc(1, 1, 0.3), 0.3)
        self.assertAlmostEqual(stats.betainc(2, 2, 0.5), 0.5)
        # I_x(1, b) = 1 - (1 - x)^b
        self.assertAlmostEqual(stats.betainc(1, 3, 0.2), 1 - 0.8 ** 3)

    def test_holm(self):
        # worked by hand: sorted 0.005 (x4), 0.01 (x3), 0.03 (x2), 0.04
        self.assertEqual(stats.holm([0.01, 0.04, 0.03, None, 0.005]),
                         [0.03, 0.06, 0.06, None, 0.02])
        self.assertEqual(stats.holm([]), [])
        self.assertEqual(stats.holm([0.9, 0.8]), [1.0, 1.0])

    def test_linfit_ci(self):
        xs = [1.0, 2, 3, 4, 5, 6]
        f = stats.linfit_ci(xs, [2 + 3 * x for x in xs])
        self.assertAlmostEqual(f["a"], 2)
        self.assertAlmostEqual(f["b"], 3)
        self.assertAlmostEqual(f["b_lo"], 3)
        rng = random.Random(4)
        cover = 0
        for _ in range(400):
            ys = [2 + 3 * x + rng.gauss(0, 1) for x in xs]
            f = stats.linfit_ci(xs, ys)
            cover += f["b_lo"] <= 3 <= f["b_hi"] and \
                f["a_lo"] <= 2 <= f["a_hi"]
        # each 95%; both together >= 90%, and t intervals are exact here
        self.assertGreaterEqual(cover, 350)
        self.assertIsNone(stats.linfit_ci([1, 1, 1], [1, 2, 3]))

    def test_welch_log(self):
        est, lo, hi, p = stats.welch_log([10.0, 10.2, 9.8], [20.0, 20.4,
                                                             19.6])
        self.assertAlmostEqual(est, 100.0, delta=0.5)
        self.assertLess(lo, est)
        self.assertLess(p, 0.01)
        self.assertIsNone(stats.welch_log([1.0], [2.0, 3.0]))


def crossed(seed, rounds=30, k=8, psd=0.03, nsd=0.02, runs=1, rsd=0.0,
            effect=0.0, base=100.0):
    """Paired rounds as the module makes them: each variant draws its own
    replica (a fresh permutation every k rounds), each replica has a
    layout effect of sd psd (log), each run a per-variant effect of sd
    rsd, each round a common drift and its own noise. b's true mean is
    a's + effect."""
    rng = random.Random(seed)
    out = []
    for u in range(runs):
        ua, ub = rng.gauss(0, rsd), rng.gauss(0, rsd)
        pa = [rng.gauss(0, psd) for _ in range(k)]
        pb = [rng.gauss(0, psd) for _ in range(k)]
        for r in range(rounds):
            if r % k == 0:
                qa, qb = list(range(k)), list(range(k))
                rng.shuffle(qa)
                rng.shuffle(qb)
            ia, ib = qa[r % k], qb[r % k]
            c = rng.gauss(0, 0.01)
            a = base * math.exp(ua + pa[ia] + c + rng.gauss(0, nsd))
            b = base * math.exp(ub + pb[ib] + c + rng.gauss(0, nsd)) + \
                effect
            out.append((u, ia, ib, a, b))
    return out


class Hierarchy(unittest.TestCase):
    def test_known_difference(self):
        # b = a + 2 exactly: the change is 2 with a zero-width CI
        rounds = [(0, i % 8, (i * 3) % 8, 100.0 + i, 102.0 + i)
                  for i in range(40)]
        r = stats.paired(rounds, reps=50, margin=5.0)
        self.assertEqual(r["level"], "placement")
        self.assertAlmostEqual(r["diff"], 2.0)
        self.assertAlmostEqual(r["diff_lo"], 2.0)
        self.assertAlmostEqual(r["med_diff"], 2.0)
        self.assertEqual(r["p"], 0.0)
        self.assertEqual(r["p_eq"], 0.0)

    def test_levels(self):
        self.assertEqual(stats.level_of(crossed(1, runs=3)), ("run", 3))
        self.assertEqual(stats.level_of(crossed(1)), ("placement", 8))
        one = [(0, 0, 0, 1.0 + i, 2.0) for i in range(9)]
        self.assertEqual(stats.level_of(one), ("round", 9))

    def share_called(self, reps, **kw):
        n = bad = 0
        for s in reps:
            r = stats.paired(crossed(s, **kw), reps=0, medians=False)
            n += 1
            bad += r["p"] < 0.05
        return bad / n

    def test_layout_as_random_effect_null(self):
        """A/A data (true change 0) with layout effects as large as the
        noise: rows called different at 5% (400 trials: 1 sd = 1.1%; the
        analysis is a little conservative here, ~4%)."""
        self.assertLessEqual(self.share_called(range(400)), 0.065)

    def test_negative_control_rounds_only(self):
        """Treating rounds as independent (no placement level) calls far
        more than 5% of the same null rows different."""
        real = stats.level_of
        stats.level_of = lambda rounds: ("round", len(rounds))
        try:
            share = self.share_called(range(400))
        finally:
            stats.level_of = real
        self.assertGreater(share, 0.15)

    def test_runs_null_and_wider(self):
        """With run-to-run variation, 3 runs as the unit: null rows
        called different <= 5% (t with 2 df), and the CI is wider than
        one that pools the runs' rounds."""
        self.assertLessEqual(self.share_called(range(400), runs=3,
                                               rsd=0.02), 0.08)
        # negative control: the runs' rounds pooled as if one run
        real = stats.level_of
        stats.level_of = lambda rounds: ("placement", 8)
        try:
            self.assertGreater(self.share_called(range(400), runs=3,
                                                 rsd=0.02), 0.15)
        finally:
            stats.level_of = real
        # run-level variation widens the CI (mean width over 50 seeds)
        def width(rsd):
            w = [stats.paired(crossed(s, runs=3, rsd=rsd), reps=0,
                              medians=False) for s in range(50)]
            return stats.mean([r["diff_hi"] - r["diff_lo"] for r in w])
        self.assertGreater(width(0.05), 1.5 * width(0.0))

    def test_known_effect_coverage(self):
        # true change +3 (per-op 100): the CI covers it >= 93% of 300
        cover = 0
        for s in range(300):
            r = stats.paired(crossed(s, effect=3.0), reps=0, medians=False)
            cover += r["diff_lo"] <= 3.0 <= r["diff_hi"]
        self.assertGreaterEqual(cover, 279)

    def test_components(self):
        # layout sd 3% of 100 per variant: var_placement ~ 2 * 9 = 18;
        # round noise 2% per variant: var_round ~ 2 * 4 = 8; averaged
        # over 30 directories
        vp, vr, vu = [], [], []
        for s in range(30):
            c = stats.components(crossed(s, rounds=200, runs=4, rsd=0.03))
            vp.append(c["var_placement"])
            vr.append(c["var_round"])
            vu.append(c["var_run"])
        self.assertAlmostEqual(stats.mean(vp), 18, delta=5)
        self.assertAlmostEqual(stats.mean(vr), 8, delta=2)
        # run level: 2 * 9 = 18 per run
        self.assertAlmostEqual(stats.mean(vu), 18, delta=9)
        c = stats.components(crossed(1))
        self.assertIsNone(c["var_run"])
        pl = stats.plan(c)
        self.assertAlmostEqual(pl["runs"], math.sqrt(0.5))

    def test_position_effect_found(self):
        obs = position_obs(1, {0: 0.03})
        self.assertLess(stats.position_test(obs)["p"], 0.001)
        self.assertAlmostEqual(stats.position_test(obs)["effects"][0], 3,
                               delta=1.2)
        # negative control: no position effect, no finding
        self.assertGreater(stats.position_test(position_obs(1, {}))["p"],
                           0.01)

    def test_two_sample_runs(self):
        """Kernel A vs kernel B with runs as the unit: with run-level
        variation the CI is much wider than one from the rounds; with one
        run per side nothing is decided."""
        rng = random.Random(3)

        def side(n, rsd):
            return [[100 * math.exp(u + rng.gauss(0, 0.02))
                     for _ in range(50)]
                    for u in (rng.gauss(0, rsd) for _ in range(n))]
        a, b = side(3, 0.03), side(3, 0.03)
        r = stats.two_sample_runs(a, b, reps=300)
        flat = stats.two_sample_runs([sum(a, [])], [sum(b, [])], reps=300)
        self.assertEqual(r["runs"], (3, 3))
        self.assertGreater(r["diff_hi"] - r["diff_lo"], 3.0)
        self.assertEqual(flat["diff_lo"], -math.inf)


def position_obs(seed, effect, rounds=40, nvar=6):
    """(block, cell, position, log y) of rounds in a Williams order with
    a slow-down of effect[k] at position k."""
    rng = random.Random(seed)
    sch = synth.Schedule(rng, nvar, 4)
    obs = []
    for r in range(rounds):
        order, reps = sch.round(r)
        c = rng.gauss(0, 0.01)
        for k, v in enumerate(order):
            y = math.log(10 + v) + c + math.log1p(effect.get(k, 0.0)) + \
                rng.gauss(0, 0.01)
            obs.append(((0, 0, r), (v, reps[v]), k, y))
    return obs


class Tests(unittest.TestCase):
    def test_sign_ci_ranks(self):
        # Standard table: n=6 -> k=1 (coverage 96.9%), n=10 -> k=2,
        # n=20 -> k=6, n=30 -> k=10.
        self.assertEqual(stats.sign_ci_rank(5), 0)
        self.assertEqual(stats.sign_ci_rank(6), 1)
        self.assertEqual(stats.sign_ci_rank(10), 2)
        self.assertEqual(stats.sign_ci_rank(20), 6)
        self.assertEqual(stats.sign_ci_rank(30), 10)
        lo, hi, cov = stats.median_ci(list(range(1, 21)))
        self.assertEqual((lo, hi), (6, 15))
        self.assertGreaterEqual(cov, 0.95)

    def test_sign_test(self):
        # 9 of 10 positive: p = 2 * 11/1024
        r = stats.sign_test([1] * 9 + [-1])
        self.assertAlmostEqual(r["p"], 22 / 1024)

    def test_coverage_of_median_ci(self):
        """The CI the verdicts rest on covers the true median >= 95% of the
        time, even for skewed, heavy-tailed rounds."""
        rng = random.Random(11)
        miss = 0
        trials = 400
        for _ in range(trials):
            # skewed: exponential noise around a known median ln2
            d = [rng.expovariate(1.0) for _ in range(25)]
            lo, hi, _ = stats.median_ci(d)
            if not lo <= math.log(2) <= hi:
                miss += 1
        # nominal miss rate <= 4.3% (exact coverage 95.7% at n=25);
        # Binomial(400, .043): mean 17, P(X > 32) < 1e-4
        self.assertLessEqual(miss, 32)



if __name__ == "__main__":
    unittest.main()
