# (2) What do a spawn and a waiting task cost? Left: ns to spawn and join
# one task per runtime (the spawn workload); right: what a waiting task or
# thread holds (the memory workload's headline, each runtime's largest
# size) against the 2 MiB stack the talks quote. Log axes. Data: spawn.dat,
# index 0: runtime, spawn med/min/max, then the spawn figure of another
# primitive (rayon's scope.spawn), drawn as a series of its own and never
# as a spawn+join bar; index 1: runtime, held med/min/max, size. Each
# holds only the runtimes it has a figure for. Variables: spawn_title,
# held_title, have_spawn, have_memory, have_other.
load scripts.'/common.gp'
set multiplot layout 1,2 title 'What do a spawn and a waiting task cost? (median; bars: min to max over repetitions)' margins 0.09,0.98,0.22,0.88 spacing 0.1,0
set style data histograms
set style histogram errorbars gap 1 lw 1
set boxwidth 0.8
# Many runtimes once the peers are in: slanted labels do not collide.
set xtics rotate by -35 scale 0 font ',9'
set logscale y
if (have_spawn) {
  set title spawn_title.': start and join one task'
  set ylabel 'ns per task (log scale)'
  if (have_other) {
    set key top left
    plot dir.'/spawn.dat' index 0 using 2:3:4:xtic(1) lt 2 title 'spawn+join: one heap task with a join handle', \
         '' index 0 using 5:6:7 lt 4 title 'another primitive (labelled): not a spawned task'
  } else {
    plot dir.'/spawn.dat' index 0 using 2:3:4:xtic(1) lt 2 notitle
  }
} else {
  set title 'spawn: not measured in this run'
  unset logscale y
  plot [0:1][0:1] -1 notitle
  set logscale y
}
unset label 99
if (have_memory) {
  set title held_title
  set ylabel 'bytes per waiting task (log scale)'
  set format y '%.0s%c'
  set key top right
  plot dir.'/spawn.dat' index 1 using 2:3:4:xtic(1) lt 3 notitle, \
       2097152 with lines dt 2 lw 2 lc rgb '#d62728' title '2 MiB: the stack a thread is said to hold'
} else {
  set title 'memory per waiting task: not measured in this run'
  unset logscale y
  plot [0:1][0:1] -1 notitle
}
unset multiplot
