# (3) Waiting on I/O: throughput (left) and the io workload's headline, a
# tail latency (right), against the parameter the matrix sweeps (echo:
# connections), one line per runtime. Data: io.dat, a block per runtime
# headed by its name (swept value, ops/s med/min/max, headline med/min/max).
# Error bars span the repetitions. Variables: nblocks, io_title, xparam,
# unit (what one op is), head (the headline and its axis unit).
load scripts.'/common.gp'
set multiplot layout 1,2 title io_title.': throughput and tail latency against '.xparam.' (median; bars: min to max)' margins 0.09,0.98,0.15,0.88 spacing 0.1,0
set logscale x
set xlabel xparam.' (log scale)'
set key top left
set title 'throughput'
# Throughput falls as load grows: the key goes where the lines are not.
set key bottom left
set ylabel unit.'s per second'
set yrange [0:*]
plot for [i=0:nblocks-1] dir.'/io.dat' index i using 1:2:3:4 with yerrorlines lt i+2 title columnheader(1)
unset label 99
set title head
set key top left
set ylabel head.', log scale'
set yrange [*:*]
set logscale y
plot for [i=0:nblocks-1] dir.'/io.dat' index i using 1:5:6:7 with yerrorlines lt i+2 title columnheader(1)
unset multiplot
