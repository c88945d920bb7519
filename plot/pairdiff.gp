# SPDX-License-Identifier: GPL-2.0
# Per-round pfn - page, ns per 4K page, one panel per path: histogram of
# the rounds, the change in total time and its 95% CI (blue), the A/A
# floor (grey band) and zero; the figure's title says so (no key: one
# per panel would sit on the data or squeeze the panels).
# Vars: data, n, titles, est, lo, hi, floor (word lists), rows, cols.
load dir."/common.gp"
set multiplot layout rows, cols title title
unset title
set xlabel "pfn - page per round, ns per 4K page"
set ylabel "fraction of rounds"
set style fill solid 0.4
unset key
do for [i=1:n] {
	unset arrow
	unset object
	set title word(titles, i)
	e = real(word(est, i)); l = real(word(lo, i)); h = real(word(hi, i)); f = real(word(floor, i))
	set arrow 1 from 0, graph 0 to 0, graph 1 nohead lc rgb "#444444" lw 1
	set arrow 4 from e, graph 0 to e, graph 1 nohead lc rgb "#0000cc" lw 2
	set object 1 rect from l, graph 0 to h, graph 1 fc rgb "#0000cc" fs transparent solid 0.15 noborder behind
	if (f > 0) { set object 2 rect from -f, graph 0 to f, graph 1 fc rgb "#888888" fs transparent solid 0.2 noborder behind }
	plot data index (i-1) using 1:2:3 with boxes lc rgb "#4a7ab5" notitle
}
unset multiplot
