# SPDX-License-Identifier: GPL-2.0
"""Number formatting and fixed-width tables for report.txt (<= 75 cols)."""
import math
import textwrap

WIDTH = 75


def num(v, unit=""):
    """Compact number with 4 significant digits and SI suffix >= 1e5."""
    if v is None:
        return "-"
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return "inf" if v > 0 else ("-inf" if v < 0 else "nan")
    a = abs(v)
    for lim, div, suf in ((1e11, 1e9, "G"), (1e8, 1e6, "M"), (1e5, 1e3, "k")):
        if a >= lim:
            return f"{v / div:.4g}{suf}{unit}"
    if a >= 1000:
        return f"{v:.0f}{unit}"
    if a >= 100:
        return f"{v:.1f}{unit}"
    if a >= 10:
        return f"{v:.2f}{unit}"
    return f"{v:.3g}{unit}"


def pct(v, signed=True, digits=2):
    if v is None:
        return "-"
    if math.isinf(v):
        return "+inf%" if v > 0 else "-inf%"
    d = digits if abs(v) < 10 else 1
    return f"{v:+.{d}f}%" if signed else f"{v:.{d}f}%"


def ci(lo, hi):
    def one(v):
        if v is None:
            return "?"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        d = 2 if abs(v) < 10 else 1
        return f"{v:+.{d}f}"
    return f"[{one(lo)},{one(hi)}]"


def pval(p):
    if p is None:
        return "-"
    if p < 1e-4:
        return "<1e-4"
    return f"{p:.3g}" if p < 0.01 else f"{p:.2f}"


def table(headers, rows, align=None, width=WIDTH, wrap_last=True):
    """Columns separated by one space, right-aligned unless align[i]=='l'.
    A row wider than width gets its last cell on a continuation line."""
    head, body = table_groups(headers, rows, align, width, wrap_last)
    return head + [x for b in body for x in b]


def table_groups(headers, rows, align=None, width=WIDTH, wrap_last=True):
    """table() as (header lines, [lines of each row]): a row's lines are
    its line and any continuation line."""
    align = align or ["l"] + ["r"] * (len(headers) - 1)
    cells = [list(map(str, headers))] + [[str(c) for c in r] for r in rows]
    ncol = len(headers)
    # Size every column except the last; the last may wrap.
    w = [max(len(r[i]) for r in cells) for i in range(ncol)]
    out = []
    for r in cells:
        parts = []
        for i, c in enumerate(r):
            if i == ncol - 1 and align[i] == "l":
                parts.append(c)
            else:
                parts.append(c.ljust(w[i]) if align[i] == "l"
                             else c.rjust(w[i]))
        line = " ".join(parts).rstrip()
        if len(line) > width and wrap_last and ncol > 1:
            head = " ".join(parts[:-1]).rstrip()
            out.append([head[:width]] + para(r[-1], width, "    "))
        else:
            out.append([line[:width] if len(line) > width else line])
    head = out[0] + ["-" * min(width, len(out[0][0]))]
    return head, out[1:]


def para(text, width=WIDTH, indent="", subsequent=None):
    """text wrapped to width; continuation lines indented by subsequent
    (default: indent)."""
    return textwrap.wrap(text, width=width, initial_indent=indent,
                         break_on_hyphens=False,
                         subsequent_indent=indent if subsequent is None
                         else subsequent) or [""]


def fit(line, width=WIDTH):
    return line if len(line) <= width else line[:width - 1] + "~"


def sig(v, digits=3, signed=True):
    """A number with `digits` significant digits (signed: +/- shown)."""
    if v is None:
        return "-"
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return "inf" if v > 0 else ("-inf" if v < 0 else "nan")
    if v == 0:
        return "0" if not signed else "+0"
    a = abs(v)
    if a >= 10 ** digits:
        s = f"{v:.0f}" if a < 1e7 else f"{v:.{digits - 1}e}"
    else:
        d = max(digits - 1 - int(math.floor(math.log10(a))), 0)
        s = f"{v:.{d}f}"
    if signed and not s.startswith("-"):
        s = "+" + s
    return s


def est_ci(est, lo, hi, digits=3):
    """'est [lo,hi]' with signs."""
    return f"{sig(est, digits)} [{sig(lo, digits)},{sig(hi, digits)}]"


def md_table(headers, rows):
    """A markdown table."""
    out = ["| " + " | ".join(map(str, headers)) + " |",
           "|" + "|".join("---" for _ in headers) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(c).replace("|", "\\|")
                                     for c in r) + " |")
    return out
