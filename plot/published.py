# SPDX-License-Identifier: GPL-2.0
"""Published figures the report sets beside its own, in one place. They
come from another patch and other hardware: every output names them as
published, never as this suite's measurements.

TEARDOWN: private-memory teardown of TDs, before and after "KVM: TDX: Add
sub-ioctl KVM_TDX_TERMINATE_VM" (LKML, June 2025): dynamic page removal
vs reclaim in TD_TEARDOWN; (vCPUs, GiB, seconds before, seconds after).
"""

SOURCE = "KVM_TDX_TERMINATE_VM posting (LKML, June 2025)"
WHAT = "dynamic page removal vs reclaim in TD_TEARDOWN"
TEARDOWN = ((4, 18, 72.0, 24.0), (32, 107, 517.0, 134.0),
            (64, 400, 5539.0, 467.0))
# The per-4K-page removal cost after that patch is 4.45-5.1 us in those
# tables; "about 5 us" is what the default margin is a share of.
REMOVAL_US = 5.0
MARGIN_SHARE = 0.001        # the default margin: 0.1% of a removal
GIB = 1 << 30


def pages(gib, page_bytes):
    """4K pages of a guest of gib GiB."""
    return gib * GIB // page_bytes


def per_page_us(gib, seconds, page_bytes):
    """Published seconds over the guest's 4K pages, in us."""
    return seconds * 1e6 / pages(gib, page_bytes)


def extrapolate(ns_per_page, gib, page_bytes):
    """Seconds a per-4K-page change adds over a guest of gib GiB (one
    teardown thread, every page removed once)."""
    if ns_per_page is None:
        return None
    return ns_per_page * pages(gib, page_bytes) / 1e9


class Margin:
    """The equivalence margin, absolute: ns per 4K page, and where it
    came from (one line)."""

    def __init__(self, ns, source, kind):
        self.ns = ns
        self.source = source
        self.kind = kind        # "option", "measured-tdx", "published"

    def __repr__(self):
        return f"Margin({self.ns:g} ns: {self.source})"

    def line(self):
        """The sentence every output states the margin in."""
        return f"Margin +-{self.ns:.3g} ns/page: {self.source}."


MARGIN_HELP = ("equivalence margin in ns per 4K page (default: 0.1%% of the "
               "tdx backend's WBINVD + reset when it ran, else of the "
               "published ~5 us/page)")


def margin(override=None, tdx_removal_ns=None, note=None):
    """The margin: --margin-ns when given; else 0.1% of the tdx
    backend's measured WBINVD + reset per 4K page when it ran (note: how
    that figure was picked, when there is more than one); else 0.1% of
    the published ~5 us per-page removal cost."""
    if override is not None:
        return Margin(override, f"+-{override:g} ns/page (--margin-ns)",
                      "option")
    pc = f"{MARGIN_SHARE * 100:g}%"
    if tdx_removal_ns:
        ns = MARGIN_SHARE * tdx_removal_ns
        return Margin(ns, f"{pc} of this host's tdx WBINVD + reset "
                      f"({tdx_removal_ns / 1e3:.3g} us/page"
                      f"{'; ' + note if note else ''})", "measured-tdx")
    ns = MARGIN_SHARE * REMOVAL_US * 1e3
    return Margin(ns, f"{pc} of the published ~{REMOVAL_US:g} us/page "
                  "removal (another patch, not measured here)",
                  "published")
