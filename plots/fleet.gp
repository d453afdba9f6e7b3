# The fleet pictures (switchbench merge): one figure of many cells, one
# series per machine, bars from min to max over the repetitions. Data:
# dir.'/'.stem.'.dat', a header row naming the machines, then a row per
# cell: its name, then median, min and max on each machine ('?' where the
# machine has no figure). Variables: stem, nseries, title, ylabel, logy.
load scripts.'/common.gp'
set title title
set style data histograms
set style histogram errorbars gap 1 lw 1
set boxwidth 0.8
set bmargin 12
set rmargin 10
# Many cells: slanted labels do not collide.
set xtics rotate by -45 scale 0 font ',8'
set ylabel ylabel
if (logy) { set logscale y } else { set yrange [0:*] }
set key top left
plot for [i=0:nseries-1] dir.'/'.stem.'.dat' using (column(3*i+2)):(column(3*i+3)):(column(3*i+4)):xtic(1) lt i+2 title columnheader(3*i+2)
