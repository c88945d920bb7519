# SPDX-License-Identifier: GPL-2.0
# Teardown seconds vs x (guest size in GB or concurrent guests), one
# series per configuration: median over repeats with min-max bars.
# Data: one index block per series, columns x median min max.
# Vars: data, n, titles (word list), xlab, logx (0/1).
load dir."/common.gp"
if (logx) { set logscale x 2 }
set logscale y
set xlabel xlab
set ylabel "teardown seconds (log scale; median, bars min-max)"
set key top left
set offsets graph 0.05, graph 0.05, 0, 0
plot for [i=1:n] data index (i-1) using 1:2:3:4 with yerrorlines lw 2 pt 7 title word(titles, i)
