# SPDX-License-Identifier: GPL-2.0
"""Statistics for unmapbench, standard library only.

Verdicts (see verdict()) come from one 95% confidence interval for the
effect, printed next to them, so a reader can check each one:
  - CI inside (-M%, +M%)        -> "equivalent within +-M%"  (TOST: both
                                   one-sided tests at 2.5%, so the claim
                                   holds at >= 95%; conservative)
  - else CI excludes 0          -> "faster" / "slower" (two-sided 95%)
  - else                        -> "inconclusive: need N more rounds"
For paired rounds the interval is the distribution-free one for the
median of the per-round log ratios (order statistics of the sign test:
exact coverage >= 95% for any continuous distribution of independent
rounds, no symmetry or normality assumed). For two independent samples
it is the Hodges-Lehmann / Mann-Whitney interval for a shift of log
values (exact for small samples, normal approximation otherwise).
"""
import math
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


# ------------------------------------------------------------ Wilcoxon

def _rank_abs(d):
    """Average ranks of |d| (d without zeros); returns (ranks, tie sizes)."""
    order = sorted(range(len(d)), key=lambda i: abs(d[i]))
    ranks = [0.0] * len(d)
    ties = []
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and abs(d[order[j + 1]]) == abs(d[order[i]]):
            j += 1
        r = (i + j) / 2 + 1
        for t in range(i, j + 1):
            ranks[order[t]] = r
        if j > i:
            ties.append(j - i + 1)
        i = j + 1
    return ranks, ties


def wilcoxon_exact_cdf(n):
    """Counts of W+ = 0..n(n+1)/2 over all 2^n sign patterns."""
    top = n * (n + 1) // 2
    cnt = [0] * (top + 1)
    cnt[0] = 1
    for r in range(1, n + 1):
        for w in range(top, r - 1, -1):
            cnt[w] += cnt[w - r]
    return cnt


def wilcoxon(d, exact_max=50):
    """Wilcoxon signed-rank test of symmetry about 0, two-sided.

    Zeros dropped. Exact null distribution for n <= exact_max without
    ties, otherwise the normal approximation with tie correction and a
    continuity correction. Returns dict(n, w_plus, p, method)."""
    d = [v for v in d if v != 0]
    n = len(d)
    if n == 0:
        return dict(n=0, w_plus=0.0, p=1.0, method="none")
    ranks, ties = _rank_abs(d)
    wp = sum(r for r, v in zip(ranks, d) if v > 0)
    if n <= exact_max and not ties:
        cnt = wilcoxon_exact_cdf(n)
        tot = 2 ** n
        w = int(round(wp))
        lower = sum(cnt[:w + 1]) / tot
        upper = sum(cnt[w:]) / tot
        return dict(n=n, w_plus=wp, p=min(1.0, 2 * min(lower, upper)),
                    method="exact")
    mu = n * (n + 1) / 4
    var = n * (n + 1) * (2 * n + 1) / 24 - sum(t ** 3 - t for t in ties) / 48
    if var <= 0:
        return dict(n=n, w_plus=wp, p=1.0, method="normal")
    z = (abs(wp - mu) - 0.5) / math.sqrt(var)
    p = math.erfc(max(z, 0) / math.sqrt(2))
    return dict(n=n, w_plus=wp, p=min(1.0, p), method="normal")


# ------------------------------------------------------------ bootstrap

def bootstrap_ci(stat, data, conf=0.95, reps=1000, seed=1):
    """Percentile bootstrap CI of stat(resample) where data is a list of
    units (for paired data, a list of (a, b) tuples). Seeded."""
    rng = random.Random(seed)
    n = len(data)
    if n < 2:
        return (None, None)
    vals = []
    for _ in range(reps):
        res = [data[i] for i in rng.choices(range(n), k=n)]
        v = stat(res)
        if v is not None:
            vals.append(v)
    vals.sort()
    a = (1 - conf) / 2
    return (quantile(vals, a), quantile(vals, 1 - a))


def ratio_of_medians(pairs):
    a = median([p[0] for p in pairs])
    b = median([p[1] for p in pairs])
    return b / a if a else None


# ------------------------------------------------- two-sample (unpaired)

def _count_le(xs, ys, t):
    """#{(i, j): ys[j] - xs[i] <= t}, xs and ys sorted."""
    cnt, j = 0, 0
    m = len(ys)
    # for each x (ascending), ys[j] <= x + t: j is non-decreasing
    for x in xs:
        while j < m and ys[j] - x <= t:
            j += 1
        cnt += j
    return cnt


def _kth_diff(xs, ys, k):
    """k-th smallest (1-based) of ys[j] - xs[i]."""
    lo = ys[0] - xs[-1]
    hi = ys[-1] - xs[0]
    for _ in range(200):
        if hi - lo <= 1e-13 * max(1.0, abs(lo), abs(hi)):
            break
        mid = (lo + hi) / 2
        if _count_le(xs, ys, mid) >= k:
            hi = mid
        else:
            lo = mid
    return hi


def mann_whitney_counts(n, m):
    """Null distribution of U for sample sizes n, m (counts)."""
    # f[i][j][u] via the recurrence over the largest element
    prev = {}

    def f(i, j):
        if (i, j) in prev:
            return prev[(i, j)]
        if i == 0 or j == 0:
            r = [1]
        else:
            a = f(i - 1, j)          # largest is from the first sample
            b = f(i, j - 1)          # largest from the second: +i to U
            r = [0] * (i * j + 1)
            for u, c in enumerate(a):
                r[u] += c
            for u, c in enumerate(b):
                r[u + i] += c
        prev[(i, j)] = r
        return r
    return f(n, m)


def hl_shift_ci(x, y, conf=0.95, exact_max=20):
    """Hodges-Lehmann estimate and CI for the shift y - x (independent
    samples), from the Mann-Whitney distribution. (est, lo, hi)."""
    xs, ys = sorted(x), sorted(y)
    n, m = len(xs), len(ys)
    if n == 0 or m == 0:
        return (None, -math.inf, math.inf)
    nm = n * m
    a2 = (1 - conf) / 2
    if n <= exact_max and m <= exact_max:
        cnt = mann_whitney_counts(n, m)
        tot = sum(cnt)
        acc, k = 0, 0
        for u, c in enumerate(cnt):
            acc += c
            if acc / tot > a2:
                break
            k = u + 1
    else:
        sd = math.sqrt(nm * (n + m + 1) / 12)
        k = int(math.floor(nm / 2 - Z95 * sd - 0.5)) if conf == 0.95 else \
            int(math.floor(nm / 2 - _z(conf) * sd - 0.5))
    med_k = (nm + 1) / 2
    est = (_kth_diff(xs, ys, int(math.floor(med_k))) +
           _kth_diff(xs, ys, int(math.ceil(med_k)))) / 2
    if k < 1:
        return (est, -math.inf, math.inf)
    return (est, _kth_diff(xs, ys, k), _kth_diff(xs, ys, nm - k + 1))


def _z(conf):
    """Two-sided normal quantile for conf (bisection on erfc)."""
    a = 1 - conf
    lo, hi = 0.0, 10.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if math.erfc(mid / math.sqrt(2)) > a:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


# ------------------------------------------------------------ verdicts

def pct(logratio):
    """Log ratio -> percent change."""
    if logratio is None:
        return None
    if math.isinf(logratio):
        return math.copysign(math.inf, logratio)
    return 100.0 * math.expm1(logratio)


def verdict(lo_pct, hi_pct, margin_pct, more=None):
    """Verdict text from a 95% CI of the change (percent, B vs A; negative
    = B faster). more: rounds still needed when inconclusive."""
    if -margin_pct < lo_pct and hi_pct < margin_pct:
        return f"equivalent within \u00b1{margin_pct:g}%"
    if hi_pct < 0:
        return "faster"
    if lo_pct > 0:
        return "slower"
    if more is None:
        return "inconclusive"
    return f"inconclusive: need {more} more rounds"


Z_POWER = 0.8416212335729143     # one-sided 80% normal quantile


def rounds_needed(d, est, lo, hi, margin_log, conf=0.95, power=True):
    """Extra paired rounds for the CI to become decisive.

    The CI half-width shrinks as 1/sqrt(n). A decision needs either
    half-width < margin - |est| (equivalence) or < |est| (a difference);
    we aim at the easier of the two, which is at least margin/2. The
    current width is estimated twice, from the CI itself and from the
    MAD (asymptotic width of a median CI, 1.2533*sigma/sqrt(n) per z),
    and the larger is used. For 80% power (the new CI lands inside the
    target 4 times in 5, not half the time) the z of the width is
    replaced by z + 0.84, as in the usual sample-size formula."""
    n = len(d)
    target = max(margin_log - abs(est), abs(est))
    if target <= 0:
        target = margin_log / 2
    z = _z(conf) if conf != 0.95 else Z95
    sigma = 1.4826 * (mad(d) or 0.0)
    if sigma == 0 and n > 1:
        sigma = stdev(d)
    w_mad = z * 1.2533 * sigma / math.sqrt(max(n, 1))
    w_ci = (hi - lo) / 2 if math.isfinite(hi - lo) else 0.0
    w = max(w_mad, w_ci)
    if w <= 0:
        return 1
    f = ((z + Z_POWER) / z) ** 2 if power else 1.0
    need = n * (w / target) ** 2 * f
    # the sign-test CI exists only from n_min rounds on (6 at 95%)
    n_min = next(m for m in range(1, 1000) if sign_ci_rank(m, conf) >= 1)
    return max(1, int(math.ceil(need - n)), n_min - n)


def paired_analysis(a, b, margin_pct=1.0, conf=0.95, boot_reps=1000,
                    seed=1):
    """Compare b against a, paired by index (per-round per-op values).

    Effect: median over rounds of ln(b_i/a_i) (falls back to differences
    relative to median(a) if any value is <= 0). Returns a dict with the
    change in percent and its CI, tests, the verdict and the medians."""
    n = len(a)
    assert n == len(b)
    ratio_scale = all(v > 0 for v in a) and all(v > 0 for v in b)
    if ratio_scale:
        d = [math.log(y / x) for x, y in zip(a, b)]
    else:
        ma = median(a) or 1.0
        d = [math.log1p((y - x) / ma) if (y - x) / ma > -1 else -50.0
             for x, y in zip(a, b)]
    est = median(d) if d else 0.0
    lo, hi, cov = median_ci(d, conf)
    margin_log = math.log1p(margin_pct / 100)
    res = dict(n=n, scale="ratio" if ratio_scale else "difference",
               d=d, est_pct=pct(est), lo_pct=pct(lo), hi_pct=pct(hi),
               coverage=cov, margin_pct=margin_pct,
               median_a=median(a), median_b=median(b),
               sign=sign_test(d), wilcoxon=wilcoxon(d))
    res["diff_medians"] = res["median_b"] - res["median_a"]
    pairs = list(zip(a, b))
    if boot_reps and n >= 2:
        blo, bhi = bootstrap_ci(ratio_of_medians, pairs, conf, boot_reps,
                                seed)
    else:
        blo = bhi = None
    res["ratio_medians"] = (res["median_b"] / res["median_a"]
                            if res["median_a"] else None)
    res["ratio_ci"] = (blo, bhi)
    more = None
    v = verdict(res["lo_pct"], res["hi_pct"], margin_pct)
    if v == "inconclusive":
        more = rounds_needed(d, est, lo, hi, margin_log, conf)
        v = verdict(res["lo_pct"], res["hi_pct"], margin_pct, more)
    # A coarse timer (or few ops per round) puts per-round values on a
    # lattice. If its step is not finer than the margin, a real change
    # smaller than one step can give identical rounds, a zero-width CI at
    # 0 and a false "equivalent": equivalence is then not claimed.
    res["resolution_pct"] = resolution_pct(a, b)
    if v.startswith("equivalent") and res["resolution_pct"] is not None \
            and res["resolution_pct"] >= margin_pct:
        step = ("every round gave the same value"
                if math.isinf(res["resolution_pct"]) else
                f"values quantised in {res['resolution_pct']:.2g}% steps")
        v = (f"inconclusive: {step}, not finer than "
             f"\u00b1{margin_pct:g}%; use more ops per round")
    res["more"] = more
    res["verdict"] = v
    return res


def resolution_pct(a, b):
    """Smallest step between distinct per-round values of a and b, in
    percent of median(a); None when it cannot be told (fewer than two
    distinct values: then the step is at least the whole spread)."""
    vals = sorted(set(a) | set(b))
    m = median(a) if a else 0
    if not m:
        return None
    if len(vals) < 2:
        return math.inf
    step = min(y - x for x, y in zip(vals, vals[1:]))
    return 100.0 * step / abs(m)


def unpaired_analysis(a, b, margin_pct=1.0, conf=0.95):
    """Compare independent samples b vs a (e.g. kernel B vs kernel A):
    Hodges-Lehmann shift of log values with its Mann-Whitney CI."""
    a = [v for v in a if v > 0]
    b = [v for v in b if v > 0]
    la = [math.log(v) for v in a]
    lb = [math.log(v) for v in b]
    est, lo, hi = hl_shift_ci(la, lb, conf)
    res = dict(n_a=len(a), n_b=len(b), est_pct=pct(est), lo_pct=pct(lo),
               hi_pct=pct(hi), median_a=median(a), median_b=median(b),
               margin_pct=margin_pct)
    v = verdict(res["lo_pct"], res["hi_pct"], margin_pct)
    if v == "inconclusive":
        res["more"] = unpaired_rounds_needed(la, lb, est, lo, hi,
                                             math.log1p(margin_pct / 100))
        v = verdict(res["lo_pct"], res["hi_pct"], margin_pct, res["more"])
    res["verdict"] = v
    return res


def unpaired_rounds_needed(la, lb, est, lo, hi, margin_log):
    """Extra rounds per side for the shift CI to become decisive (same
    reasoning as rounds_needed; the width scales as sqrt(1/na + 1/nb))."""
    na, nb = len(la), len(lb)
    if not na or not nb:
        return 1
    target = max(margin_log - abs(est), abs(est)) or margin_log / 2
    resid = [x - median(la) for x in la] + [x - median(lb) for x in lb]
    sigma = 1.4826 * (mad(resid) or 0.0) or stdev(resid)
    h = 2 / (1 / na + 1 / nb)
    w_mad = Z95 * 1.0233 * sigma * math.sqrt(2 / h)
    w_ci = (hi - lo) / 2 if math.isfinite(hi - lo) else 0.0
    w = max(w_mad, w_ci)
    if w <= 0:
        return 1
    need = h * (w / target) ** 2 * ((Z95 + Z_POWER) / Z95) ** 2
    return max(1, int(math.ceil(need - min(na, nb))))
