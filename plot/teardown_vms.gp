# SPDX-License-Identifier: GPL-2.0
# Many guests at once: aggregate throughput (all guests' mappings over the
# seconds until all are gone) against the number of guests, one series
# per configuration. x ticks at the guest counts measured.
# Data: one index block per series, columns guests pages_per_s.
# Vars: bm (bottom margin for the key), data, n, titles, xt (comma list of guest counts), logx, logy.
load dir."/common.gp"
if (logx) { set logscale x 2 }
if (logy) { set logscale y }
eval "set xtics (".xt.")"
set xlabel "guests torn down at once"
set ylabel "aggregate throughput, pages/s".(logy ? " (log scale)" : "")
if (!logy) { set yrange [0:*] }
set format y "%.1s%c"
set key below left Left reverse
set bmargin bm
set offsets graph 0.05, graph 0.05, graph 0.05, 0
plot for [i=1:n] data index (i-1) using 1:2 with linespoints lw 2 pt 7 title word(titles, i)
