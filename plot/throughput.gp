# SPDX-License-Identifier: GPL-2.0
# Throughput vs threads: sum over threads of 1 / mean time per op.
# Data: one index block per variant, columns threads Mops_per_s.
load dir."/common.gp"
set xlabel "threads"
set ylabel "throughput, million ops/s (all threads)"
set key top left
set xtics 1
set offsets graph 0.05, graph 0.05, graph 0.05, 0
set yrange [0:*]
plot for [i=1:n] data index (i-1) using 1:2 with linespoints lw 2 pt 7 title word(titles, i)
