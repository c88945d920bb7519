# SPDX-License-Identifier: GPL-2.0
# Box plot per path x shape, one panel per path (linear y, ns per op):
# box p25..p75, whiskers p10..p90, black bar the median.
# Data: one index block per path, rows: x p10 p25 median p75 p90 label
# (x 1 = page, 2 = pfn). Vars: data, n, titles, rows, cols.
load dir."/common.gp"
set multiplot layout rows, cols title title
unset title
set ylabel "ns per op"
set boxwidth 0.5
set style fill solid 0.35
set xrange [0.4:2.6]
set offsets 0, 0, graph 0.08, graph 0.08
unset key
do for [i=1:n] {
	set title word(titles, i)." (box p25-p75, whiskers p10-p90, bar median)"
	plot data index (i-1) using 1:3:2:6:5:($1 == 1 ? 0xc05020 : 0x2060b0):xticlabels(7) with candlesticks whiskerbars lc rgb variable lw 1.5, \
	     data index (i-1) using 1:4:4:4:4 with candlesticks lc rgb "black" lw 3
}
unset multiplot
