# SPDX-License-Identifier: GPL-2.0
# Paired difference pfn vs page, one panel per path: histogram of the
# per-round change (%), the median and its 95% CI (solid), the
# equivalence margin (dashed) and zero (grey).
# Vars: data, n, titles, est, lo, hi (word lists), margin, rows, cols.
load dir."/common.gp"
set multiplot layout rows, cols title title
unset title
set xlabel "pfn vs page per round (%)"
set ylabel "fraction of rounds"
set style fill solid 0.4
set key top right samplen 2 spacing 0.9 opaque
set offsets 0, 0, graph 0.45, 0
do for [i=1:n] {
	unset arrow
	set title word(titles, i)
	e = real(word(est, i)); l = real(word(lo, i)); h = real(word(hi, i))
	set arrow 1 from 0, graph 0 to 0, graph 1 nohead lc rgb "#888888" lw 1
	set arrow 2 from -margin, graph 0 to -margin, graph 1 nohead dt 2 lc rgb "#aa0000" lw 1.5
	set arrow 3 from margin, graph 0 to margin, graph 1 nohead dt 2 lc rgb "#aa0000" lw 1.5
	set arrow 4 from e, graph 0 to e, graph 1 nohead lc rgb "#0000cc" lw 2
	set arrow 5 from l, graph 0 to l, graph 1 nohead lc rgb "#0000cc" lw 1
	set arrow 6 from h, graph 0 to h, graph 1 nohead lc rgb "#0000cc" lw 1
	set object 1 rect from l, graph 0 to h, graph 1 fc rgb "#0000cc" fs transparent solid 0.15 noborder behind
	plot data index (i-1) using 1:2:3 with boxes lc rgb "#4a7ab5" title "rounds", \
	     NaN with lines lc rgb "#0000cc" lw 2 title "median, 95% CI", \
	     NaN with lines dt 2 lc rgb "#aa0000" lw 1.5 title sprintf("margin +-%g%%", margin)
}
unset multiplot
