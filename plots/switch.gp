# (1) What does a switch cost? The kernel floor (futex, pipe, sched_yield)
# and every runtime's pingpong, yield and ring, ns per switch, log axis.
# Data: switch.dat (label, then median/min/max for floor, pingpong, yield,
# ring). Error bars span the repetitions.
load scripts.'/common.gp'
set title 'What does a switch cost? The kernel floor and each runtime (median; bars: min to max over repetitions)'
set ylabel 'ns per switch (log scale)'
set logscale y
set yrange [*:*]
set style data histograms
set style histogram errorbars gap 1 lw 1
set boxwidth 0.9
set xtics rotate by -25 scale 0
set bmargin 7
plot dir.'/switch.dat' using 2:3:4:xtic(1) title 'kernel floor (ns per switch)' lt 1, \
     '' using 5:6:7 title 'pingpong '.pingpong_params.' (per message)' lt 2, \
     '' using 8:9:10 title 'yield '.yield_params.' (per yield)' lt 3, \
     '' using 11:12:13 title 'ring '.ring_params.' (per hop)' lt 4
