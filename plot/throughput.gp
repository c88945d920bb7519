# SPDX-License-Identifier: GPL-2.0
# Throughput vs threads: sum over threads of 1 / mean time per op.
# Data: one index block per variant, columns threads Mops_per_s.
# Vars: bm (bottom margin for the key), data, n, titles, xt (comma list of thread counts), logy.
# A log y axis when the series span decades (2M ops are ~500x slower).
load dir."/common.gp"
set xlabel "threads"
set ylabel "throughput, million ops/s (all threads)".(logy ? ", log scale" : "")
set key below left Left reverse maxrows 3
set bmargin bm
eval "set xtics (".xt.")"
set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05
if (logy) { set logscale y } else { set yrange [0:*] }
plot for [i=1:n] data index (i-1) using 1:2 with linespoints lw 2 pt 7 title word(titles, i)
