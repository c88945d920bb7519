# SPDX-License-Identifier: GPL-2.0
"""Where a run directory's figures came from, in words: the first line of
every report, plot title and summary. Nothing emulated, simulated or
model-backed may read as a TDX figure."""
import textfmt as tf


def simulated(rd):
    """True when the module was the harness's test double."""
    m = rd.meta
    return bool((m.get("module") or {}).get("simulated") or
                (m.get("measurement") or {}).get("simulated_module") or
                m.get("simulated_module"))


def provenance(rd):
    """(short phrase, long explanation) of where the figures came from."""
    emul = rd.emulations()
    backends = rd.backends()
    vmt = rd.vm_types()
    if simulated(rd):
        short = "SIMULATED module: NOT MEASUREMENTS"
        long_ = ("The module was replaced by the harness's test double "
                 "(UB_TEST_FAKE_MODULE): every module figure here is "
                 "synthetic and measures nothing.")
    elif "qemu-tcg" in emul:
        short = f"EMULATED ({','.join(emul)}): not TDX hardware figures"
        long_ = (f"Figures here ran under emulation ({', '.join(emul)}); "
                 "times are emulator times and say nothing about TDX "
                 "hardware.")
    elif emul:
        short = f"IN A VM ({','.join(emul)}): not TDX hardware figures"
        long_ = (f"Figures here ran inside a virtual machine "
                 f"({', '.join(emul)}), with no TDX: they say nothing "
                 "about TDX hardware.")
    elif backends and backends != ["tdx"]:
        non = [b for b in backends if b != "tdx"]
        short = "NOT TDX HARDWARE figures"
        long_ = (f"Module figures come from the {'/'.join(non)} backend "
                 "(no SEAMCALL, no TDX module): they price the API shapes "
                 "and a model of the work, not TDX hardware.")
    elif vmt and vmt != ["tdx"]:
        short = "NON-TDX GUESTS: teardown not TDX figures"
        long_ = (f"Teardown ran {', '.join(vmt)} guests, not TDs: "
                 "no S-EPT, WBINVD or reset was on its path.")
    else:
        short = "TDX hardware figures"
        long_ = "Module figures come from the tdx backend (real SEAMCALL)."
        if vmt:
            long_ += " Teardown ran TDX guests."
    if backends == ["tdx"] and vmt and vmt != ["tdx"] and not emul:
        long_ += (f" Teardown ran {', '.join(vmt)} guests, not TDs.")
    return short, long_


def headline(rd, kernels=None):
    """First line: host, kernel(s), backend and provenance, <= 75 cols."""
    host = rd.hostname()
    kern = kernels or rd.kernel()
    be = backend_desc(rd, "vm:")
    short, _ = provenance(rd)
    mid = short.replace(" hardware figures", "").replace(": not", ": NOT") \
        .replace(" HARDWARE figures", "")
    for phrase in (short, mid):
        for hmax, kmax in ((99, 99), (24, 30), (16, 22), (12, 16)):
            h = host if len(host) <= hmax else host[:hmax - 1] + "~"
            k = kern if len(kern) <= kmax else kern[:kmax - 1] + "~"
            line = f"{h} {k} backend={be}: {phrase}"
            if len(line) <= tf.WIDTH:
                return line
    return line[:tf.WIDTH]


def backend_desc(rd, guests="guests "):
    """The module backends, else the guests' VM types."""
    return ",".join(rd.backends()) or (guests + ",".join(rd.vm_types()))


def subtitle(rd):
    """Second line of a plot title: host, kernel, backend, provenance."""
    return (f"host {rd.hostname()}, kernel {rd.kernel()}, backend "
            f"{backend_desc(rd)} - {provenance(rd)[0]}")
