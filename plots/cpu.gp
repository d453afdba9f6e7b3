# (4) CPU-bound work. Left: speed-up of fib and sum over single (one
# thread, = 1) per runtime. Right: grain efficiency against task grain,
# one line per runtime, METG (the smallest grain at 50% efficiency) in the
# key. Data: cpu.dat (index 0: speed-ups; index 1..: a block per runtime).
load scripts.'/common.gp'
set multiplot layout 1,2 title 'CPU-bound work: speed-up and grain efficiency (median; bars: min to max over repetitions)' margins 0.09,0.98,0.15,0.88 spacing 0.1,0
if (have_speedup) {
  set title 'speed-up over single (one thread); higher is better'
  set style data histograms
  set style histogram errorbars gap 1 lw 1
  set boxwidth 0.8
  set xtics scale 0
  set ylabel 'speed-up (x)'
  set yrange [0:*]
  plot dir.'/cpu.dat' index 0 using 2:3:4:xtic(1) lt 2 title 'fib '.fib_params, \
       '' index 0 using 5:6:7 lt 3 title 'sum '.sum_params, \
       1 with lines dt 2 lc rgb '#555555' title 'single = 1'
} else {
  set title 'fib/sum speed-up: not measured in this run'
  plot [0:1][0:1] -1 notitle
}
unset label 99
set style data lines
set xtics auto scale 1
if (nblocks > 0) {
  set title 'grain efficiency: useful CPU over elapsed CPU'
  set logscale x
  set xlabel 'task grain (µs of CPU per task, log scale)'
  set ylabel 'efficiency (%)'
  set yrange [0:105]
  set key bottom right
  plot for [i=1:nblocks] dir.'/cpu.dat' index i using 1:2:3:4 with yerrorlines lt i+1 title columnheader(1), \
       50 with lines dt 2 lc rgb '#555555' title 'METG threshold: 50%'
} else {
  set title 'grain efficiency: not measured in this run'
  plot [0:1][0:1] -1 notitle
}
unset multiplot
