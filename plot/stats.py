# SPDX-License-Identifier: GPL-2.0
"""Statistics for unmapbench, standard library only.

The page-vs-pfn analysis (paired(), components(), position_test()) treats
a run directory as Kalibera and Jones's hierarchy ("Rigorous benchmarking
in reasonable time", ISMM 2013): run (boot) > placement (layout replica)
> round. The figure a verdict rests on is the change in total (mean) time
per op, with the change in median per-op time beside it:

- The estimate is the difference of the two variants' mean per-op times
  over paired rounds (each run weighted equally); drift common to a
  round cancels in the pair.
- Its variance comes from the top level that varies, the levels below
  kept intact: with two or more runs, the spread of the per-run changes
  over their count (exactly what resampling runs gives, scaled by
  n/(n-1): a hierarchical bootstrap at the top level, Davison and Hinkley
  1997 sec. 3.8); with one run, the layout replicas: each variant draws
  its own replica every round (crossed factors), so the variance is the
  spread of the paired differences over the rounds plus, for each
  variant, its replica component times what rounds sharing a replica
  have in common (one-way random-effects ANOVA estimates: the design
  effect of clustered rounds); with one replica, the rounds.
- Intervals and p-values use Student's t with units - 1 degrees of
  freedom at that level (runs - 1, replicas - 1), as Kalibera and
  Jones's interval over the top level: intervals from 3 runs or 8
  replicas with a normal quantile, or percentile bootstraps of so few
  units, are much too narrow. The median's variance comes from a seeded
  bootstrap at the same level (rounds in pairs under one run, plus the
  replica terms).
- Families of rows are Holm-adjusted (holm()).
"""
import bisect
import collections
import functools
import itertools
import math
import operator
import random

Z95 = 1.959963984540054


# ---------------------------------------------------------------- basics

def quantile(sorted_x, q):
    """Linear-interpolation quantile (R type 7) of an already sorted list."""
    n = len(sorted_x)
    if n == 0:
        return None
    if n == 1:
        return sorted_x[0]
    h = (n - 1) * q
    lo = int(math.floor(h))
    hi = min(lo + 1, n - 1)
    return sorted_x[lo] + (h - lo) * (sorted_x[hi] - sorted_x[lo])


def median(x):
    return quantile(sorted(x), 0.5)


def mean(x):
    return math.fsum(x) / len(x) if x else None


def stdev(x):
    n = len(x)
    if n < 2:
        return 0.0
    m = mean(x)
    return math.sqrt(math.fsum((v - m) ** 2 for v in x) / (n - 1))


def mad(x):
    """Median absolute deviation from the median (raw, not scaled)."""
    if not x:
        return None
    m = median(x)
    return median([abs(v - m) for v in x])


def cv(x):
    """Coefficient of variation (sample stdev / mean)."""
    m = mean(x)
    return stdev(x) / m if m else None


def linfit(xs, ys):
    """Least squares y = a + b x: (a, b); b = 0 when x does not vary."""
    n = len(xs)
    mx, my = math.fsum(xs) / n, math.fsum(ys) / n
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    sxy = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys))
    b = sxy / sxx if sxx else 0.0
    return my - b * mx, b


def describe(values):
    """Summary of a list of numbers: the per-variant figures."""
    s = sorted(values)
    n = len(s)
    if not n:
        return None
    return dict(n=n, mean=mean(s), median=quantile(s, .5),
                p10=quantile(s, .10), p25=quantile(s, .25),
                p75=quantile(s, .75), p90=quantile(s, .90),
                p99=quantile(s, .99), p999=quantile(s, .999),
                min=s[0], max=s[-1], mad=mad(s), cv=cv(s),
                stdev=stdev(s))


def hist_quantile(buckets, q):
    """Quantile from (lo, hi, count) buckets, linear inside a bucket."""
    total = sum(c for _, _, c in buckets)
    if not total:
        return None
    target = q * total
    acc = 0
    for lo, hi, c in buckets:
        if c and acc + c >= target:
            frac = (target - acc) / c
            return lo + frac * (hi - lo)
        acc += c
    return buckets[-1][1]


def describe_hist(buckets):
    """Quantiles, MAD and n from histogram buckets sorted by lo."""
    b = sorted((lo, hi, c) for lo, hi, c in buckets if c)
    if not b:
        return None
    n = sum(c for _, _, c in b)
    med = hist_quantile(b, .5)
    # MAD: distribution of |x - med| with each bucket at its midpoint,
    # split at the median so no bucket straddles it.
    dev = []
    for lo, hi, c in b:
        mid = (lo + hi) / 2
        dev.append((abs(mid - med), c))
    dev.sort()
    acc, madv = 0, dev[-1][0]
    for d, c in dev:
        acc += c
        if acc >= n / 2:
            madv = d
            break
    mean_h = sum((lo + hi) / 2 * c for lo, hi, c in b) / n
    var_h = sum(((lo + hi) / 2 - mean_h) ** 2 * c for lo, hi, c in b) / \
        max(n - 1, 1)
    return dict(n=n, median=med, p10=hist_quantile(b, .10),
                p25=hist_quantile(b, .25), p75=hist_quantile(b, .75),
                p90=hist_quantile(b, .90), p99=hist_quantile(b, .99),
                p999=hist_quantile(b, .999), min=b[0][0], max=b[-1][1],
                mad=madv, mean=mean_h,
                cv=math.sqrt(var_h) / mean_h if mean_h else None)


# ------------------------------------------------------------ binomial

def _log_binom_pmf(n, k):
    return (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
            - n * math.log(2.0))


def binom_cdf_half(n, k):
    """P(X <= k) for X ~ Binomial(n, 1/2)."""
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    return min(1.0, math.fsum(math.exp(_log_binom_pmf(n, i))
                              for i in range(0, k + 1)))


def sign_test(d):
    """Two-sided exact sign test of median(d) = 0; zeros dropped."""
    pos = sum(1 for v in d if v > 0)
    neg = sum(1 for v in d if v < 0)
    n = pos + neg
    if n == 0:
        return dict(n=0, pos=0, neg=0, p=1.0)
    p = min(1.0, 2 * binom_cdf_half(n, min(pos, neg)))
    return dict(n=n, pos=pos, neg=neg, p=p)


def sign_ci_rank(n, conf=0.95):
    """Largest k (1-based) with P(Bin(n,1/2) <= k-1) <= (1-conf)/2.

    [x_(k), x_(n-k+1)] then covers the median with probability
    1 - 2*P(B <= k-1) >= conf. Returns 0 when n is too small."""
    a2 = (1 - conf) / 2
    acc, k = 0.0, 0
    for i in range(0, n // 2 + 1):
        acc += math.exp(_log_binom_pmf(n, i))
        if acc > a2:
            break
        k = i + 1
    return k


def median_ci(x, conf=0.95):
    """Distribution-free CI for the median: (lo, hi, coverage)."""
    s = sorted(x)
    n = len(s)
    k = sign_ci_rank(n, conf)
    if k < 1:
        return (-math.inf, math.inf, 1.0)
    cov = 1 - 2 * binom_cdf_half(n, k - 1)
    return (s[k - 1], s[n - k], cov)



# ------------------------------------------------------- distributions

def betainc(a, b, x):
    """Regularized incomplete beta I_x(a, b) (Lentz's continued
    fraction, as in Numerical Recipes' betacf)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    lbt = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) +
           a * math.log(x) + b * math.log1p(-x))
    if x > (a + 1) / (a + b + 2):
        return 1.0 - betainc(b, a, 1.0 - x)
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 400):
        m2 = 2 * m
        for num in (m * (b - m) * x / ((a + m2 - 1) * (a + m2)),
                    -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-13:
            break
    return math.exp(lbt) * h / a


def t_sf(t, df):
    """P(T > t) for Student's t with df degrees of freedom (df may be
    fractional; inf = normal)."""
    if math.isinf(df):
        return 0.5 * math.erfc(t / math.sqrt(2))
    if math.isinf(t):
        return 0.0 if t > 0 else 1.0
    tail = 0.5 * betainc(df / 2, 0.5, df / (df + t * t))
    return tail if t > 0 else 1.0 - tail


@functools.lru_cache(maxsize=4096)
def t_ppf(q, df):
    """The t quantile: P(T <= x) = q (bisection on t_sf, cached)."""
    if q == 0.5:
        return 0.0
    if q < 0.5:
        return -t_ppf(1.0 - q, df)
    hi = 2.0
    while t_sf(hi, df) > 1.0 - q and hi < 1e12:
        hi *= 2
    lo = 0.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if t_sf(mid, df) > 1.0 - q:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-9 * max(1.0, mid):
            break
    return (lo + hi) / 2


def f_sf(f, d1, d2):
    """P(F > f) for the F distribution with (d1, d2) degrees of freedom."""
    if f <= 0:
        return 1.0
    return betainc(d2 / 2, d1 / 2, d2 / (d2 + d1 * f))


def holm(ps):
    """Holm's step-down adjusted p-values (same order as ps; None stays
    None and is not counted in the family)."""
    idx = sorted((i for i, p in enumerate(ps) if p is not None),
                 key=lambda i: ps[i])
    m = len(idx)
    out = [None] * len(ps)
    run = 0.0
    for rank, i in enumerate(idx):
        run = max(run, min(1.0, (m - rank) * ps[i]))
        out[i] = run
    return out


# ------------------------------------------------ paired, hierarchical

def wmedian(order, vals, w):
    """Weighted median of vals (order: indexes sorting vals), weights w."""
    ws = [w[i] for i in order]
    cum = list(itertools.accumulate(ws))
    half = cum[-1] / 2
    k = bisect.bisect_left(cum, half)
    if k + 1 < len(cum) and cum[k] == half:
        return (vals[order[k]] + vals[order[k + 1]]) / 2
    return vals[order[k]]


def level_of(rounds):
    """(level, units) of the top level that varies: 'run' (>= 2 runs),
    'placement' (>= 2 replicas for both variants; units = the fewer),
    else 'round'."""
    runs = sorted({r[0] for r in rounds}, key=str)
    if len(runs) >= 2:
        return "run", len(runs)
    ra = {r[1] for r in rounds}
    rb = {r[2] for r in rounds}
    if min(len(ra), len(rb)) >= 2:
        return "placement", min(len(ra), len(rb))
    return "round", len(rounds)


class Paired:
    """Paired rounds [(run, replica_a, replica_b, a, b)] of two variants
    (per-op values in one unit) and the weighted figures of one
    bootstrap replicate."""

    def __init__(self, rounds):
        self.rounds = rounds
        self.a = [r[3] for r in rounds]
        self.b = [r[4] for r in rounds]
        self.oa = sorted(range(len(rounds)), key=self.a.__getitem__)
        self.ob = sorted(range(len(rounds)), key=self.b.__getitem__)
        self.level, self.n = level_of(rounds)
        runs = sorted({r[0] for r in rounds}, key=str)
        per = collections.Counter(r[0] for r in rounds)
        self.runs = runs
        # equal weight per run
        self.base = [1.0 / per[r[0]] for r in rounds]
        ri = {u: i for i, u in enumerate(runs)}
        self.run_ix = [ri[r[0]] for r in rounds]
        self.ra = sorted({r[1] for r in rounds})
        self.rb = sorted({r[2] for r in rounds})

    def figures(self, w, medians=True):
        """(mean a, mean b, median a, median b) under weights w."""
        tw = math.fsum(w)
        if tw <= 0:
            return None
        ma = math.fsum(map(operator.mul, w, self.a)) / tw
        mb = math.fsum(map(operator.mul, w, self.b)) / tw
        if not medians:
            return ma, mb, None, None
        return ma, mb, wmedian(self.oa, self.a, w), \
            wmedian(self.ob, self.b, w)

    def replicate(self, rng):
        """Weights of one bootstrap replicate: runs resampled at the run
        level, else rounds (in pairs)."""
        if self.level == "run":
            n = len(self.runs)
            m = [0] * n
            for i in rng.choices(range(n), k=n):
                m[i] += 1
            return [m[u] * b for u, b in zip(self.run_ix, self.base)]
        n = len(self.rounds)
        m = [0] * n
        for i in rng.choices(range(n), k=n):
            m[i] += 1
        return [float(x) for x in m]


def _tail_p(est, se, df):
    """Two-sided p of est = 0 given its standard error."""
    if se > 0:
        return min(1.0, 2 * t_sf(abs(est) / se, df))
    return 1.0 if est == 0 else 0.0


def tost_p(est, se, df, margin):
    """TOST p of |change| >= margin (the larger one-sided p)."""
    if margin is None:
        return None
    if not math.isfinite(se):
        return 1.0
    if se <= 0:
        return 0.0 if abs(est) < margin else 1.0
    return max(t_sf((est + margin) / se, df), t_sf((margin - est) / se, df))


def interval(est, se, df, conf=0.95):
    """est -+ t(df) se; (-inf, inf) when it cannot be told."""
    if not math.isfinite(se) or df <= 0:
        return -math.inf, math.inf
    if se == 0:
        return est, est
    q = t_ppf(0.5 + conf / 2, df)
    return est - q * se, est + q * se


def oneway_var(d, f):
    """One-way random-effects estimate of the variance of the effects of
    factor f on d (ANOVA mean squares: (MS between - MS within) / n0,
    unbiased, may be negative), the other factors being noise."""
    cnt = collections.Counter(f)
    k, n = len(cnt), len(d)
    if k < 2 or n - k < 1:
        return 0.0
    acc = collections.defaultdict(float)
    for x, g in zip(d, f):
        acc[g] += x
    mg = {g: acc[g] / cnt[g] for g in cnt}
    m = math.fsum(d) / n
    msb = math.fsum(cnt[g] * (mg[g] - m) ** 2 for g in cnt) / (k - 1)
    msw = math.fsum((x - mg[g]) ** 2 for x, g in zip(d, f)) / (n - k)
    n0 = (n - math.fsum(c * c for c in cnt.values()) / n) / (k - 1)
    return (msb - msw) / n0


def run_parts(rs, rounds_level=True):
    """Within one run, the paired differences d = b - a of rounds rs and
    their replica components: dict(mean, n, var_d (spread of d), var_a,
    var_b (variance of the replica effects of a and of b: one-way
    random-effects estimates, unbiased, may be negative), c_a/c_b (their
    weight in the variance of the mean of d: sum of (rounds at a replica
    / rounds)^2), k_a/k_b (replicas seen), var_e (the round level: the
    residual variance of an additive fit on both replicas)). The variance of mean(d) is
    var_d / n + var_a (c_a - 1/n) + var_b (c_b - 1/n): the spread of d
    over the rounds plus what rounds sharing a replica have in common
    (the design effect of clustered rounds)."""
    d = [r[4] - r[3] for r in rs]
    n = len(d)
    fa = [r[1] for r in rs]
    fb = [r[2] for r in rs]
    out = dict(mean=math.fsum(d) / n, n=n, var_d=stdev(d) ** 2)
    for side, f in (("a", fa), ("b", fb)):
        cnt = collections.Counter(f)
        out["k_" + side] = len(cnt)
        out["var_" + side] = oneway_var(d, f)
        out["c_" + side] = math.fsum((c / n) ** 2 for c in cnt.values())
    # the round level: the residual of an additive fit on both replicas
    dfe = n - 1 - (out["k_a"] - 1) - (out["k_b"] - 1)
    if not rounds_level:
        out["var_e"] = None
    elif dfe >= 1:
        _, _, res = _backfit(d, [fa, fb])
        out["var_e"] = math.fsum(e * e for e in res) / dfe
    else:
        out["var_e"] = out["var_d"]
    return out


def mean_variance(rp):
    """(variance of the mean of d, its degrees of freedom, the placement
    terms [(value, df)]) from run_parts. The degrees of freedom are the
    top level's: replicas - 1 (of the variant with fewer)."""
    n = rp["n"]
    pl = [(rp["var_" + s] * (rp["c_" + s] - 1.0 / n), rp["k_" + s] - 1)
          for s in ("a", "b") if rp["k_" + s] >= 2]
    var = max(rp["var_d"] / n + math.fsum(v for v, _ in pl),
              rp["var_d"] / n)
    return var, min(rp["k_a"], rp["k_b"]) - 1, pl


def paired(rounds, reps=1000, seed=1, conf=0.95, margin=None,
           medians=True):
    """Change of b against a over paired rounds [(run, replica_a,
    replica_b, a, b)] (per-op values in one unit), as a dict:

    level, units, df: the top level that varies and its units; mean_a,
    mean_b, diff (b - a), diff_se, diff_lo/hi (conf interval), p (of
    diff = 0, two-sided), p_eq (TOST against +-margin), rel/rel_lo/rel_hi
    (the same in percent of mean_a); med_a, med_b, med_diff, med_lo/hi,
    med_p for the median per-op time; step: the values' resolution.

    The variance of diff, per level: runs: the spread of the per-run
    differences over their count (what resampling runs gives, exactly,
    scaled by n/(n-1)), n - 1 degrees of freedom; placement (one run):
    the replica components of a and b over their counts plus the round
    component over the rounds (method of moments, Satterthwaite degrees
    of freedom); rounds (one replica): the spread of the paired
    differences over their count. The median's variance comes from a
    bootstrap at the same level (rounds resampled in pairs for the round
    part under 'placement', plus the replica components)."""
    pd = Paired(rounds)
    w0 = pd.base if pd.level == "run" else [1.0] * len(rounds)
    ma, mb, meda, medb = pd.figures(w0, medians)
    res = dict(level=pd.level, units=pd.n, rounds=len(rounds),
               runs=len(pd.runs), replicas=(len(pd.ra), len(pd.rb)),
               mean_a=ma, mean_b=mb, diff=mb - ma, med_a=meda, med_b=medb,
               med_diff=(medb - meda) if medians else None,
               step=resolution(pd.a, pd.b))
    d = [y - x for x, y in zip(pd.a, pd.b)]
    pl_terms = []
    if pd.level == "run":
        per = collections.defaultdict(list)
        for u, x in zip(pd.run_ix, d):
            per[u].append(x)
        du = [mean(v) for v in per.values()]
        res["diff"] = mean(du)
        var, df = stdev(du) ** 2 / len(du), len(du) - 1
    elif pd.level == "placement":
        var, df, pl_terms = mean_variance(run_parts(rounds, False))
    else:
        var, df = (stdev(d) ** 2 / len(d), len(d) - 1) if len(d) > 1 \
            else (math.inf, 0)
    se = math.sqrt(var) if math.isfinite(var) else math.inf
    res.update(df=df, diff_se=se)
    res["diff_lo"], res["diff_hi"] = interval(res["diff"], se, df, conf)
    res["p"] = _tail_p(res["diff"], se, df) if math.isfinite(se) and \
        df > 0 else 1.0
    res["p_eq"] = tost_p(res["diff"], se, df, margin) if df > 0 else \
        (None if margin is None else 1.0)
    base = ma if ma else None
    res["rel"] = 100 * res["diff"] / base if base else None
    res["rel_lo"] = 100 * res["diff_lo"] / base if base else None
    res["rel_hi"] = 100 * res["diff_hi"] / base if base else None
    if medians:
        _median_ci(pd, res, reps, seed, conf, pl_terms, df)
    return res


def _median_ci(pd, res, reps, seed, conf, pl_terms, df):
    """The median's CI: bootstrap at the top level (rounds under
    'placement', plus the replica terms of the mean), df as the mean's."""
    rng = random.Random(seed)
    n = len(pd.runs) if pd.level == "run" else len(pd.rounds)
    mv = []
    for _ in range(reps if n >= 2 else 0):
        f = pd.figures(pd.replicate(rng))
        if f is not None:
            mv.append(f[3] - f[2])
    if len(mv) < 2:
        res.update(med_se=math.inf, med_lo=-math.inf, med_hi=math.inf,
                   med_p=1.0)
        return
    vb = stdev(mv) ** 2 * n / (n - 1)
    var = max(vb + math.fsum(v for v, _ in pl_terms), vb)
    se = math.sqrt(var)
    res["med_se"] = se
    res["med_lo"], res["med_hi"] = interval(res["med_diff"], se, df, conf)
    res["med_p"] = _tail_p(res["med_diff"], se, df) if df > 0 else 1.0


def pct(logratio):
    """Log ratio -> percent change."""
    if logratio is None:
        return None
    if math.isinf(logratio):
        return math.copysign(math.inf, logratio)
    return 100.0 * math.expm1(logratio)


def resolution(a, b):
    """Smallest step between distinct values of a and b (their lattice
    when a coarse timer put them on one); inf when all are equal, None
    with no values."""
    vals = sorted(set(a) | set(b))
    if not vals:
        return None
    if len(vals) < 2:
        return math.inf
    return min(y - x for x, y in zip(vals, vals[1:]))


# --------------------------------------------------- variance components

def _backfit(d, factors, iters=12):
    """Additive fit d ~ m + sum of factor effects (each factor a list of
    level indexes, one per observation) by alternating means:
    (m, effects [{level: effect}] per factor, residuals)."""
    n = len(d)
    m = math.fsum(d) / n
    cur = [[0.0] * n for _ in factors]
    eff = [{} for _ in factors]
    cnts = [collections.Counter(f) for f in factors]
    for _ in range(iters):
        for fi, f in enumerate(factors):
            others = [cur[fj] for fj in range(len(factors)) if fj != fi]
            part = [x - m - sum(o[i] for o in others)
                    for i, x in enumerate(d)] if others else \
                [x - m for x in d]
            acc = collections.defaultdict(float)
            for g, r in zip(f, part):
                acc[g] += r
            e = {g: acc[g] / c for g, c in cnts[fi].items()}
            c = math.fsum(e[g] for g in f) / n
            eff[fi] = {g: v - c for g, v in e.items()}
            cur[fi] = [eff[fi][g] for g in f]
            m += c
    res = [x - m - sum(cur[fj][i] for fj in range(len(factors)))
           for i, x in enumerate(d)]
    return m, eff, res


def components(rounds):
    """Variance components of the paired change b - a per level
    (Kalibera and Jones, method of moments): round (the spread of d not
    explained by replicas), placement (the replica effects of a and b),
    run (the spread of the run means beyond what the levels below
    explain; None with one run). Returns dict(var_run, var_placement,
    var_round (variances of one observation at that level), n_runs,
    replicas, rounds (per run, mean), var_est (the variance of the
    estimate), share {level: part of var_est}), or None."""
    per = collections.defaultdict(list)
    for r in rounds:
        per[r[0]].append(r)
    parts = [run_parts(rs) for rs in per.values() if len(rs) >= 3]
    if not parts:
        return None
    nu = len(parts)
    var_round = mean([max(p["var_e"], 0.0) for p in parts])
    var_pl = mean([max(p["var_a"], 0.0) + max(p["var_b"], 0.0)
                   for p in parts])
    pl_part = mean([max(p["var_a"], 0.0) * p["c_a"] +
                    max(p["var_b"], 0.0) * p["c_b"] for p in parts])
    rd_part = mean([max(p["var_e"], 0.0) / p["n"] for p in parts])
    within = mean([mean_variance(p)[0] for p in parts])
    var_run = None
    if nu >= 2:
        var_run = max(stdev([p["mean"] for p in parts]) ** 2 - within, 0.0)
    share = {"run": (var_run or 0.0), "placement": pl_part,
             "round": rd_part}
    tot = sum(share.values()) or 1.0
    return dict(var_run=var_run, var_placement=var_pl,
                var_round=var_round, n_runs=nu,
                replicas=mean([(p["k_a"] + p["k_b"]) / 2 for p in parts]),
                rounds=mean([p["n"] for p in parts]),
                var_est=((var_run or 0.0) + within) / nu,
                share={k: v / tot for k, v in share.items()})


def plan(comp):
    """What more repetitions buy: dict(runs, rounds): the factor by which
    the CI narrows with twice the runs, with twice the rounds per run
    (the replicas per run are the module's constant), and best: "runs"
    or "rounds" (which narrows it more; "either" when they are within 2%
    of each other). Doubling rounds only shrinks the round part."""
    if not comp:
        return None
    runs = math.sqrt(0.5)
    rounds = math.sqrt(1 - comp["share"]["round"] / 2)
    best = "runs" if runs < rounds - 0.02 else "either"
    return dict(best=best, runs=runs, rounds=rounds)


# --------------------------------------------------------- order effects

def position_test(obs):
    """Test for a position effect: obs = [(block, cell, position, y)]
    with y on a log scale, block = (run, thread, round), cell = (variant,
    replica). Additive fits of y on block + cell with and without
    position; F test of the position terms. Returns dict(F, df1, df2,
    p, effects {position: percent}) or None when it cannot be told."""
    if len(obs) < 4:
        return None
    y = [o[3] for o in obs]
    blocks = [o[0] for o in obs]
    cells = [o[1] for o in obs]
    pos = [o[2] for o in obs]
    npos = len(set(pos))
    if npos < 2:
        return None
    _, _, r0 = _backfit(y, [blocks, cells], iters=8)
    _, eff, r1 = _backfit(y, [blocks, cells, pos], iters=8)
    rss0 = math.fsum(e * e for e in r0)
    rss1 = math.fsum(e * e for e in r1)
    df1 = npos - 1
    df2 = len(y) - len(set(blocks)) - (len(set(cells)) - 1) - df1
    if df2 < 1 or rss1 <= 0:
        return None
    F = max(rss0 - rss1, 0.0) / df1 / (rss1 / df2)
    return dict(F=F, df1=df1, df2=df2, p=f_sf(F, df1, df2),
                effects={k: pct(v) for k, v in sorted(eff[2].items())})


# ------------------------------------------------------------ two samples

def two_sample_runs(ra, rb, reps=1000, seed=1, conf=0.95, margin=None):
    """B against A with runs as the unit: ra, rb = [[per-round value,
    ...] per run]. The statistic is the mean over runs of the run means
    (total time; each run weighted equally) and the median of the pooled
    rounds; each side's runs are bootstrapped on their own, the
    variances scaled by n/(n-1) and added; Welch-Satterthwaite degrees
    of freedom. Same keys as paired() (level 'run')."""
    rng = random.Random(seed)

    def side(runs):
        means = [mean(r) for r in runs]
        flat = [(v, 1.0 / len(r)) for r in runs for v in r]
        order = sorted(range(len(flat)), key=lambda i: flat[i][0])
        vals = [v for v, _ in flat]
        owner = [i for i, r in enumerate(runs) for _ in r]
        base = [w for _, w in flat]
        n = len(runs)
        bm, bd = [], []
        for _ in range(reps if n >= 2 else 0):
            m = [0] * n
            for i in rng.choices(range(n), k=n):
                m[i] += 1
            bm.append(sum(m[i] * x for i, x in enumerate(means)) / n)
            w = [m[o] * b for o, b in zip(owner, base)]
            bd.append(wmedian(order, vals, w))
        return dict(n=n, mean=mean(means), med=wmedian(order, vals, base),
                    bm=bm, bd=bd)

    A, B = side(ra), side(rb)
    res = dict(level="run", units=min(A["n"], B["n"]), runs=(A["n"],
               B["n"]), mean_a=A["mean"], mean_b=B["mean"],
               diff=B["mean"] - A["mean"], med_a=A["med"], med_b=B["med"],
               med_diff=B["med"] - A["med"])
    if min(A["n"], B["n"]) < 2:
        res.update(df=0, diff_se=math.inf, diff_lo=-math.inf,
                   diff_hi=math.inf, p=1.0, p_eq=None if margin is None
                   else 1.0, rel=None, rel_lo=None, rel_hi=None,
                   med_lo=-math.inf, med_hi=math.inf, med_p=1.0)
        return res

    def var(x, n):
        return stdev(x) ** 2 * n / (n - 1)

    va, vb = var(A["bm"], A["n"]), var(B["bm"], B["n"])
    den = (va * va / (A["n"] - 1) + vb * vb / (B["n"] - 1))
    df = (va + vb) ** 2 / den if den > 0 else min(A["n"], B["n"]) - 1
    se = math.sqrt(va + vb)
    res.update(df=df, diff_se=se)
    res["diff_lo"], res["diff_hi"] = interval(res["diff"], se, df, conf)
    res["p"] = _tail_p(res["diff"], se, df)
    res["p_eq"] = tost_p(res["diff"], se, df, margin)
    if A["mean"] > 0 and B["mean"] > 0:
        la = [math.log(x) for x in A["bm"] if x > 0]
        lb = [math.log(x) for x in B["bm"] if x > 0]
        lse = math.sqrt(var(la, A["n"]) + var(lb, B["n"]))
        lr = math.log(B["mean"] / A["mean"])
        lo, hi = interval(lr, lse, df, conf)
        res.update(rel=pct(lr), rel_lo=pct(lo), rel_hi=pct(hi))
    else:
        res.update(rel=None, rel_lo=None, rel_hi=None)
    mse = math.sqrt(var(A["bd"], A["n"]) + var(B["bd"], B["n"]))
    res["med_lo"], res["med_hi"] = interval(res["med_diff"], mse, df, conf)
    res["med_p"] = _tail_p(res["med_diff"], mse, df)
    return res


def welch_log(xa, xb, conf=0.95):
    """Change of B's geometric mean against A's in percent with a Welch
    t interval on the logs: (est, lo, hi, p), or None with fewer than two
    values on a side or a value <= 0."""
    if min(len(xa), len(xb)) < 2 or min(xa + xb) <= 0:
        return None
    la = [math.log(x) for x in xa]
    lb = [math.log(x) for x in xb]
    va, vb = stdev(la) ** 2 / len(la), stdev(lb) ** 2 / len(lb)
    est = mean(lb) - mean(la)
    se = math.sqrt(va + vb)
    if se == 0:
        return pct(est), pct(est), pct(est), 0.0 if est else 1.0
    df = (va + vb) ** 2 / (va * va / (len(la) - 1) + vb * vb /
                           (len(lb) - 1))
    lo, hi = interval(est, se, df, conf)
    return pct(est), pct(lo), pct(hi), _tail_p(est, se, df)


def linfit_ci(xs, ys, conf=0.95, weights=None):
    """Least squares y = a + b x (weighted when weights are given) with
    standard errors and t intervals: dict(a, b, a_lo, a_hi, b_lo, b_hi,
    n, df), or None with fewer than 3 points or x not varying."""
    n = len(xs)
    if n < 3 or len(set(xs)) < 2:
        return None
    w = weights or [1.0] * n
    sw = math.fsum(w)
    mx = math.fsum(wi * x for wi, x in zip(w, xs)) / sw
    my = math.fsum(wi * y for wi, y in zip(w, ys)) / sw
    sxx = math.fsum(wi * (x - mx) ** 2 for wi, x in zip(w, xs))
    b = math.fsum(wi * (x - mx) * (y - my)
                  for wi, x, y in zip(w, xs, ys)) / sxx
    a = my - b * mx
    df = n - 2
    s2 = math.fsum(wi * (y - a - b * x) ** 2
                   for wi, x, y in zip(w, xs, ys)) / df
    se_b = math.sqrt(s2 / sxx)
    se_a = math.sqrt(s2 * (1 / sw + mx * mx / sxx))
    q = t_ppf(0.5 + conf / 2, df)
    return dict(a=a, b=b, a_lo=a - q * se_a, a_hi=a + q * se_a,
                b_lo=b - q * se_b, b_hi=b + q * se_b, n=n, df=df)
