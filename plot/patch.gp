# SPDX-License-Identifier: GPL-2.0
# The headline: per path, the change in total time per 4K page (pfn -
# page) with its 95% CI (bar), the A/A floor (grey band: what layout
# alone does) and the equivalence margin (dashed), one panel per granule.
# Data: one index block per granule, rows: y est lo hi floor label.
# Vars: data, n, titles (word list), spans (x half-range per panel),
# margins (0: off scale).
load dir."/common.gp"

set multiplot layout n, 1 title title
unset title
set xlabel "pfn - page, ns per 4K page (negative: pfn faster)"
set style fill transparent solid 0.25 noborder
unset key
set grid xtics nomxtics noytics
do for [i=1:n] {
	s = real(word(spans, i)); m = real(word(margins, i))
	set title word(titles, i)
	set xrange [-s:s]
	set yrange [-0.7:*] reverse
	set offsets 0, 0, 0.7, 0
	unset arrow
	set arrow 1 from 0, graph 0 to 0, graph 1 nohead lc rgb "#444444" lw 1
	if (m > 0) {
		set arrow 2 from -m, graph 0 to -m, graph 1 nohead dt 2 lc rgb "#aa0000" lw 1.5
		set arrow 3 from m, graph 0 to m, graph 1 nohead dt 2 lc rgb "#aa0000" lw 1.5
	}
	plot data index (i-1) using 5:1:(-$5):($5):($1-0.3):($1+0.3) with boxxyerror lc rgb "#888888", \
	     data index (i-1) using 2:1:3:4:ytic(6) with xerrorbars pt 7 ps 1.3 lw 2.5 lc rgb "#1f4e9a"
}
unset multiplot
