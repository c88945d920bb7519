# SPDX-License-Identifier: GPL-2.0
# Terminal set-up shared by the unmapbench plots. The caller (plot/plots.py)
# loads a variables file first: fmt ("png" or "svg"), out (file name),
# title (may hold "\n"), then this file through each script.
if (fmt eq "png") {
	set terminal pngcairo noenhanced size 1000,650 font "sans,10"
} else {
	set terminal svg noenhanced size 1000,650 font "sans,10" dynamic
}
set output out
set title title
set grid xtics ytics mxtics mytics lc rgb "#dddddd"
set key noenhanced
