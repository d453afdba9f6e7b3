# (4) CPU-bound work. Left: speed-up over single (one thread, = 1) of each
# cpu workload read by ns per op (a series each: fib, sum, ...) per
# runtime. Right: efficiency of the cpu workload read by a fraction (grain)
# against the parameter it sweeps, one line per runtime, METG (the smallest
# value at 50% efficiency) in the key. Data: cpu.dat (index 0: a header
# row naming the series, then the speed-ups; index 1..: a block per
# runtime). Variables: have_speedup, nseries, nblocks, grain_title, xparam.
load scripts.'/common.gp'
set multiplot layout 1,2 title 'CPU-bound work: speed-up and grain efficiency (median; bars: min to max over repetitions)' margins 0.09,0.98,0.2,0.88 spacing 0.1,0
if (have_speedup) {
  set title 'speed-up over single (one thread); higher is better'
  set style data histograms
  set style histogram errorbars gap 1 lw 1
  set boxwidth 0.8
  # Many runtimes once the peers are in: slanted labels do not collide.
  set xtics rotate by -35 scale 0 font ',9'
  set ylabel 'speed-up (x)'
  set yrange [0:*]
  plot for [i=0:nseries-1] dir.'/cpu.dat' index 0 using (column(3*i+2)):(column(3*i+3)):(column(3*i+4)):xtic(1) lt i+2 title columnheader(3*i+2), \
       1 with lines dt 2 lc rgb '#555555' title 'single = 1'
} else {
  set title 'speed-up: not measured in this run'
  plot [0:1][0:1] -1 notitle
}
unset label 99
set style data lines
set xtics norotate auto scale 1 font ''
if (nblocks > 0) {
  set title grain_title.': useful CPU over elapsed CPU'
  set logscale x
  set xlabel xparam.' (log scale)'
  set ylabel 'efficiency (%)'
  set yrange [0:105]
  set key bottom right
  plot for [i=1:nblocks] dir.'/cpu.dat' index i using 1:2:3:4 with yerrorlines lt i+1 title columnheader(1), \
       50 with lines dt 2 lc rgb '#555555' title 'METG threshold: 50%'
} else {
  set title 'efficiency: not measured in this run'
  plot [0:1][0:1] -1 notitle
}
unset multiplot
