# (5) The pitfalls. Left: p99 lateness of 1 ms probe sleeps while one task
# burns CPU without yielding, on the executor (offload:0) or through
# spawn_blocking (offload:1). Right: p99 timer lateness with the runtime's
# sleep (blocking:0) or a blocking nanosleep (blocking:1). Log axes.
# Data: pitfalls.dat (runtime, then four med/min/max triples, µs).
load scripts.'/common.gp'
set multiplot layout 1,2 title 'Pitfalls: blocking the executor (median p99 lateness; bars: min to max over repetitions)' margins 0.09,0.98,0.15,0.88 spacing 0.1,0
set style data histograms
set style histogram errorbars gap 1 lw 1
set boxwidth 0.9
set xtics scale 0
set logscale y
set key top left
# Room above the tallest bar for the key.
set offsets 0, 0, graph 0.15, 0
set ylabel 'p99 lateness (µs, log scale)'
if (have_blocking) {
  set title 'a CPU burn beside 1 ms sleepers ('.blocking_params.')'
  plot dir.'/pitfalls.dat' using 2:3:4:xtic(1) lt 5 title 'burn on the runtime (offload:0)', \
       '' using 5:6:7 lt 4 title 'burn through spawn_blocking (offload:1)'
} else {
  set title 'blocking: not measured in this run'
  unset logscale y
  plot [0:1][0:1] -1 notitle
  set logscale y
}
unset label 99
if (have_timers) {
  set title 'timers ('.timers_params.')'
  plot dir.'/pitfalls.dat' using 8:9:10:xtic(1) lt 4 title 'runtime sleep (blocking:0)', \
       '' using 11:12:13 lt 5 title 'blocking nanosleep (blocking:1)'
} else {
  set title 'timers: not measured in this run'
  unset logscale y
  plot [0:1][0:1] -1 notitle
}
unset multiplot
