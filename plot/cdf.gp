# SPDX-License-Identifier: GPL-2.0
# Latency CDF per variant (log x). Data: one index block per variant,
# columns: ns_per_op cumulative_fraction. Vars: data, n, titles.
load dir."/common.gp"
set logscale x
set xlabel "ns per op (log scale)"
set ylabel "cumulative fraction"
set yrange [0:1]
set key bottom right
plot for [i=1:n] data index (i-1) using 1:2 with steps lw 2 title word(titles, i)
