# SPDX-License-Identifier: GPL-2.0
"""Known answers, end to end (tests/plot/synth.py -> rundir -> patch ->
report), on synthetic run directories whose true effects are known in
ns per 4K page, with layout (replica) effects, run effects, a
counterbalanced order and A/A twins as the module writes them.

Every count threshold is stated with its binomial reasoning; seeds are
fixed, so a test either passes or fails for good. Each property has a
negative control: the same data through an analysis without the guard
in question fails the assertion."""
import os
import shutil
import tempfile
import unittest

import plotpath  # noqa: F401
import patch
import published
import report
import rundir
import stats
import synth


class Tmp(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ub-known-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def load(self, name, **kw):
        d = os.path.join(self.tmp, name)
        if not os.path.isdir(d):
            synth.write_rundir(d, **kw)
        return rundir.load(d)


def row(rows, path, granule="4k", kind="ab"):
    return next(r for r in rows if r["path"] == path and
                r["granule"] == granule and r["kind"] == kind)


# A known absolute effect: pfn - page = -30 ns per 4K page on unmap
# (per-op ~1750 ns), -120 ns on wbinvd, +0.5 ns on convert, 0 on reset.
KNOWN = dict(effects_ns={"unmap": -30.0, "convert": 0.5, "wbinvd": -120.0,
                         "reset": 0.0}, rounds=48, batches_per_round=2,
             noise=0.02, placement_sd=0.005, ground=False, hist=False,
             teardown=False)


class KnownAbsolute(Tmp):
    SEEDS = range(100, 140)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rows = []
        for s in cls.SEEDS:
            d = os.path.join(cls.tmp, f"k{s}")
            synth.write_rundir(d, seed=s, **KNOWN)
            an = patch.analyse(rundir.load(d), boot=0, detail=False)
            cls.rows.append(an.ab)
            shutil.rmtree(d)

    def test_ns_per_page_change_and_coverage(self):
        # 40 directories, each CI 95%: P(Bin(40, .95) <= 34) = 1.4%;
        # the analysis is slightly conservative (t with replicas - 1).
        for path, true in (("unmap", -30.0), ("convert", 0.5)):
            rs = [row(ab, path)["res"] for ab in self.rows]
            cover = sum(r["diff_lo"] <= true <= r["diff_hi"] for r in rs)
            self.assertGreaterEqual(cover, 35, (path, cover))
            mean = stats.mean([r["diff"] for r in rs])
            self.assertAlmostEqual(mean, true, delta=abs(true) * 0.15 + 0.1)
            # the unit is ns per 4K page, with cycles at 2 GHz beside it
            r = row(self.rows[0], path)
            self.assertEqual(r["unit"], "ns/page")
            self.assertAlmostEqual(patch.cycles(r, r["res"]["diff"]),
                                   2 * r["res"]["diff"])

    def test_large_effect_called(self):
        # -120 ns against a CI half-width of ~20 ns and an A/A floor of
        # ~10 ns: every row says faster
        vs = [row(ab, "wbinvd")["code"] for ab in self.rows]
        self.assertEqual(vs.count("faster"), len(vs), vs)

    def test_extrapolated_seconds(self):
        d = os.path.join(self.tmp, "extra")
        synth.write_rundir(d, seed=5, **KNOWN)
        rd = rundir.load(d)
        out = report.build(rd, boot=0, plot=False)
        r = report.headline_unmap(out["analysis"])
        doc = __import__("json").loads(out["json"])
        for g in doc["extrapolation"]["guests"]:
            pages = g["gib"] * (1 << 30) // 4096
            self.assertAlmostEqual(g["seconds"],
                                   r["res"]["diff"] * pages / 1e9)
        # -30 ns over 400 GiB (104.9 M pages) is -3.15 s: in the CI
        g400 = doc["extrapolation"]["guests"][-1]
        self.assertEqual(g400["gib"], 400)
        self.assertLessEqual(g400["ci"][0], -3.146)
        self.assertGreaterEqual(g400["ci"][1], -3.146)
        self.assertEqual(g400["published_after_s"], 467.0)
        self.assertIn("400 GiB", out["txt"])


# A null family: no true change anywhere, 32 configurations x 4 paths =
# 128 patch rows and 256 A/A rows per directory, layout effects (2% per
# replica) as large as the round noise.
NULL = dict(effects_ns={p: 0.0 for p in synth.PATHS}, rounds=16,
            batches_per_round=1, batch=4, noise=0.02, placement_sd=0.02,
            granules=("4k", "2m"), caches=("hot", "cold"),
            reset_modes=("kernel", "force"), placements=("local", "remote"),
            threads=(1, 2), ground=False, hist=False, teardown=False,
            ranges=False)
NULL_SEEDS = range(200, 240)


def null_family(tmp, seeds=NULL_SEEDS):
    """[(patch rows, A/A rows)] per seed."""
    out = []
    for s in seeds:
        d = os.path.join(tmp, f"n{s}")
        synth.write_rundir(d, seed=s, **NULL)
        an = patch.analyse(rundir.load(d), boot=0, detail=False)
        out.append((an.ab, an.aa))
        shutil.rmtree(d)
    return out


def called(rows):
    return [r for r in rows if r["code"] in ("faster", "slower")]


class NullFamily(Tmp):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fam = null_family(cls.tmp)

    def test_family_size(self):
        for ab, aa in self.fam:
            self.assertGreaterEqual(len(ab), 100)
            self.assertEqual(len(aa), 2 * len(ab))

    def test_holm_no_false_row_in_95pct_of_seeds(self):
        # Holm keeps P(any false row) <= 5% per directory; with the A/A
        # floor and t(replicas - 1) it is lower. 40 seeds: >= 38 clean.
        clean = sum(1 for ab, _ in self.fam if not called(ab))
        self.assertGreaterEqual(clean, 38, clean)

    def test_aa_share_at_most_5pct(self):
        aa = [r for _, rows in self.fam for r in rows if r["res"]]
        share = sum(1 for r in aa if r["code"] == "differs") / len(aa)
        self.assertGreaterEqual(len(aa), 20)
        self.assertLessEqual(share, 0.05, share)


class NegativeControls(Tmp):
    SEEDS = range(200, 210)

    def test_per_row_verdicts_have_false_rows(self):
        """Rows judged one by one (no Holm, no A/A floor), as the old
        report did: most directories of the null family have a false
        faster/slower row (the real test asks 95% clean)."""
        real_h, real_f = stats.holm, patch._floors

        def zero_floors(an):
            real_f(an)
            for r in an.ab:
                r["floor_ns"] = 0.0
        stats.holm = lambda ps: list(ps)
        patch._floors = zero_floors
        try:
            fam = null_family(self.tmp, self.SEEDS)
        finally:
            stats.holm, patch._floors = real_h, real_f
        clean = sum(1 for ab, _ in fam if not called(ab))
        self.assertLess(clean / len(fam), 0.5)

    def test_layout_ignored_aa_share_too_high(self):
        real = stats.level_of
        stats.level_of = lambda rounds: ("round", len(rounds))
        try:
            fam = null_family(self.tmp, self.SEEDS)
        finally:
            stats.level_of = real
        aa = [r for _, rows in fam for r in rows if r["res"]]
        share = sum(1 for r in aa if r["code"] == "differs") / len(aa)
        self.assertGreater(share, 0.05)


class FloorLogic(unittest.TestCase):
    def r(self, lo, hi, floor, p=1e-6, step=0.0):
        res = dict(diff=(lo + hi) / 2, diff_lo=lo, diff_hi=hi, step=step,
                   diff_se=(hi - lo) / 4, units=8, level="placement",
                   runs=1, med_diff=(lo + hi) / 2, med_p=1.0, p=p)
        r = dict(res=res, floor_ns=floor, p_holm=p, p_eq_holm=1.0,
                 n_rounds=30)
        patch.verdict(r, 5.0)
        return r["code"]

    def test_floor(self):
        self.assertEqual(self.r(2.0, 4.0, 1.0), "slower")
        self.assertEqual(self.r(-40.0, -10.0, 8.0), "faster")
        # the CI clears 0 but not the floor: not called
        self.assertEqual(self.r(2.0, 4.0, 5.0), "within-floor")
        self.assertEqual(self.r(-4.0, -2.0, 3.0), "within-floor")
        # no A/A control ran: not called either
        self.assertEqual(self.r(2.0, 4.0, None), "no-floor")
        # coarse values: not beyond one step of the lattice
        self.assertEqual(self.r(2.0, 4.0, 0.5, step=2.5),
                         "within-resolution")
        # Holm says no: inconclusive whatever the CI
        self.assertEqual(self.r(2.0, 4.0, 1.0, p=0.2), "inconclusive")

    def test_negative_control_floor_ignored(self):
        real = patch.verdict

        def no_floor(r, m):
            r["floor_ns"] = 0.0
            return real(r, m)
        patch.verdict = no_floor
        try:
            self.assertEqual(self.r(2.0, 4.0, 5.0), "slower")
        finally:
            patch.verdict = real


class Estimand(Tmp):
    def test_bimodal_total_time_decides_and_flags(self):
        # pfn: 40% of rounds 1.3x, else 0.93x: total +7.8%, median -7%
        rd = self.load("bimodal", seed=3, rounds=200, ground=False,
                       teardown=False, hist=False, noise=0.01,
                       effects_ns={"unmap": 0.0},
                       modes={"unmap": (0.4, 1.3, 0.93)})
        an = patch.analyse(rd, boot=200, detail=False)
        r = row(an.ab, "unmap")
        self.assertEqual(r["code"], "slower", r["text"])
        self.assertGreater(r["res"]["diff"], 0)
        self.assertLess(r["res"]["med_diff"], 0)
        self.assertTrue(r["disagree"])
        txt = report.build(rd, boot=200, plot=False)["txt"]
        self.assertIn("median per-op time moves the other way", txt)
        # negative control: the same data, no bimodality: no flag
        rd = self.load("unimodal", seed=3, rounds=200, ground=False,
                       teardown=False, hist=False, noise=0.01,
                       effects_ns={"unmap": 0.0})
        an = patch.analyse(rd, boot=200, detail=False)
        self.assertFalse(row(an.ab, "unmap")["disagree"])


class Coarse(Tmp):
    def test_lattice_never_claims_equivalence(self):
        # per-op values on a 0.8 ns lattice, margin 1 ns, true +1.1 ns:
        # every round rounds to +0.8 ns, a zero-width CI inside the margin
        kw = dict(seed=4, rounds=32, ground=False, teardown=False,
                  hist=False, noise=0.0005, drift=0.0, spike_p=0.0,
                  batches_per_round=1, batch=1, quantum=1.6,
                  effects_ns={"convert": 1.1}, paths=("convert",))
        an = patch.analyse(self.load("lattice", **kw), margin_ns=1.0,
                           boot=0, detail=False)
        r = row(an.ab, "convert")
        self.assertAlmostEqual(r["res"]["diff"], 0.8)
        self.assertNotEqual(r["code"], "equivalent")
        self.assertIn("resolution", r["text"])
        # negative control: without the resolution guard it claims a
        # change within the +-1 ns margin, which the true +1.1 ns is not
        real = stats.resolution
        stats.resolution = lambda a, b: 0.0
        try:
            an = patch.analyse(self.load("lattice", **kw), margin_ns=1.0,
                               boot=0, detail=False)
        finally:
            stats.resolution = real
        self.assertIn("by less than the +-1 ns margin",
                      row(an.ab, "convert")["text"])


class Order(Tmp):
    def test_position_effect_found_and_said(self):
        kw = dict(seed=6, rounds=60, ground=False, teardown=False,
                  hist=False, noise=0.01)
        rd = self.load("pos", position_effect={0: 0.05}, **kw)
        an = patch.analyse(rd, boot=0)
        self.assertTrue(an.positions and an.positions[0]["found"])
        txt = report.build(rd, boot=0, plot=False)["txt"]
        self.assertIn("ORDER: a position effect was found", txt)
        self.assertIn("POSITION EFFECT", txt)
        # negative control: the same design without the effect
        an = patch.analyse(self.load("nopos", **kw), boot=0)
        self.assertFalse(an.positions[0]["found"])


class TwoMeg(Tmp):
    def test_2m_is_512_4k_removals_and_range_apart(self):
        rd = self.load("twomeg", seed=8, rounds=24, granules=("2m",),
                       ground=False, teardown=False, hist=False,
                       effects_ns={"reset": -2.0})
        an = patch.analyse(rd, boot=0, detail=False)
        r = row(an.ab, "reset", "2m")
        self.assertEqual(r["pages_per_op"], rd.schema.pages_per_2m)
        self.assertEqual(r["unit"], "ns/page")
        # per 4K page: near the true -2 ns, not -2 x 512
        self.assertLess(abs(r["res"]["diff"] + 2.0), 3.0)
        self.assertEqual({x["kind"] for x in an.range}, {"range"})
        self.assertTrue(all(x["unit"] == "ns/op" and
                            x["pages_per_op"] is None for x in an.range))
        self.assertFalse([x for x in an.headline if x["kind"] != "ab"])
        out = report.build(rd, boot=0, plot=False)
        first = "\n".join(out["first"])
        self.assertNotIn("range", first)
        self.assertIn("Range API: hypothetical huge-page path, not in "
                      "Linux 7.2", out["txt"])


class Published(unittest.TestCase):
    def test_per_page_figures(self):
        # the published per-page costs of kernel-facts.md
        want = ((15.3, 5.1), (18.4, 4.8), (52.8, 4.45))
        for (vc, gib, b, a), (wb, wa) in zip(published.TEARDOWN, want):
            self.assertAlmostEqual(published.per_page_us(gib, b, 4096), wb,
                                   delta=0.06)
            self.assertAlmostEqual(published.per_page_us(gib, a, 4096), wa,
                                   delta=0.06)
        self.assertEqual(published.margin().ns, 5.0)
        self.assertEqual(published.margin(2.5).ns, 2.5)
        self.assertEqual(published.margin(None, 3000.0).ns, 3.0)


if __name__ == "__main__":
    unittest.main()
