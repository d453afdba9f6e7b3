# (1) What does a switch cost? The kernel floor (futex, pipe, sched_yield)
# and every switch workload (a series each: pingpong, yield, ring, ...) on
# each runtime, ns per op, log axis. Data: switch.dat (a header row naming
# the series, then a label and median/min/max for the floor and for each
# series). Error bars span the repetitions. nseries: the series after the
# floor.
load scripts.'/common.gp'
set title 'What does a switch cost? The kernel floor and each runtime (median; bars: min to max over repetitions)'
set ylabel 'ns per op (log scale)'
set logscale y
set yrange [*:*]
set style data histograms
set style histogram errorbars gap 1 lw 1
set boxwidth 0.9
set xtics rotate by -25 scale 0
set bmargin 7
plot dir.'/switch.dat' using 2:3:4:xtic(1) title columnheader(2) lt 1, \
     for [i=1:nseries] '' using (column(3*i+2)):(column(3*i+3)):(column(3*i+4)) title columnheader(3*i+2) lt i+1
