# (5) The pitfalls: a panel per pitfall workload (timers, blocking, ...),
# its headline (a p99 lateness) per runtime with its 0/1 switch at 0 and at
# 1 (blocking: the burn on the runtime or through spawn_blocking; timers:
# the runtime's sleep or a blocking nanosleep). Log axes. Only runtimes
# with a figure in the panel appear. Data: pitfalls.dat, a block per panel
# (runtime, then two med/min/max triples). Variables: npanels, and per
# panel i: title<i>, sw<i> (the switch's name), what<i> (the axis).
load scripts.'/common.gp'
set multiplot layout 1,npanels title 'Pitfalls: what a blocking call does to the other tasks (median; bars: min to max over repetitions)' margins 0.09,0.98,0.22,0.88 spacing 0.1,0
set style data histograms
set style histogram errorbars gap 1 lw 1
set boxwidth 0.9
# Many runtimes once the peers are in: slanted labels do not collide.
set xtics rotate by -35 scale 0 font ',9'
set logscale y
set key top left
# Room above the tallest bar for the key.
set offsets 0, 0, graph 0.15, 0
do for [i=1:npanels] {
  sw = value('sw'.i)
  set title value('title'.i)
  set ylabel value('what'.i).', log scale'
  plot dir.'/pitfalls.dat' index i-1 using 2:3:4:xtic(1) lt 2 title sw.':0', \
       '' index i-1 using 5:6:7 lt 3 title sw.':1'
  unset label 99
}
unset multiplot
