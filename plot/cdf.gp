# SPDX-License-Identifier: GPL-2.0
# Latency CDF per variant (log x). Data: one index block per variant,
# columns: ns_per_op cumulative_fraction. Vars: data, n, titles.
# The legend sits outside the plot, right of it, off the curves.
load dir."/common.gp"
set logscale x
set xlabel "ns per op (log scale)"
set ylabel "cumulative fraction"
set yrange [0:1]
set key outside right top Left reverse samplen 2
plot for [i=1:n] data index (i-1) using 1:2 with steps lw 2 title word(titles, i)
