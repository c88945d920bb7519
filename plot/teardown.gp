# SPDX-License-Identifier: GPL-2.0
# Guest teardown, one guest. Left: seconds against guest size (median,
# bars min-max over repeats) with the fitted cost curve (fixed + marginal
# x mappings, dashed). Right: us per 4K mapping against size, one series
# per VM type / trigger / populate (rows without mappings are not on it).
# Data: one index block per series; data: GiB median min max; fit: GiB
# seconds; us: GiB us_per_page. Vars: data, fit, us, n, nu, titles,
# utitles, ucol (the left panel's colour of each us/page series), logx,
# logy, logu.
load dir."/common.gp"
set multiplot layout 1, 2 title title
unset title
set key below left Left reverse
if (logx) { set logscale x 2; set xlabel "guest size, GiB (log scale)" } else { set xlabel "guest size, GiB" }
if (logy) { set logscale y; set ylabel "teardown seconds (log scale)" } else { set ylabel "teardown seconds"; set yrange [0:*] }
set offsets graph 0.05, graph 0.05, graph 0.05, 0
set bmargin bm
set title "seconds (median, min-max) and fit"
plot for [i=1:n] data index (i-1) using 1:2:3:4 with yerrorbars pt 7 ps 1.2 lw 1.5 lc i title word(titles, i), \
     for [i=1:n] fit index (i-1) using 1:2 with lines dt 2 lw 1.5 lc i notitle
unset logscale y
if (logu) { set logscale y; set ylabel "us per 4K mapping (log scale)" } else { set ylabel "us per 4K mapping"; set yrange [0:*] }
set title "us per page = seconds / KVM's mappings"
if (nu > 0) {
	plot for [i=1:nu] us index (i-1) using 1:2 with linespoints pt 7 ps 1.2 lw 1.5 lc (word(ucol, i) + 0) title word(utitles, i)
} else {
	set label 1 "no row with mappings: no per-page figure" at graph 0.5, graph 0.5 center
	plot NaN notitle
}
unset multiplot
