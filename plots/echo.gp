# (3) Echo over TCP: round trips per second (left) and p99 round-trip
# latency (right) against connections, one line per runtime. Data:
# echo.dat, a block per runtime headed by its name (connections, rt/s
# med/min/max, p99 µs med/min/max). Error bars span the repetitions.
load scripts.'/common.gp'
set multiplot layout 1,2 title 'Echo over TCP ('.echo_params.'): throughput and tail latency against connections (median; bars: min to max)' margins 0.09,0.98,0.15,0.88 spacing 0.1,0
set logscale x
set xlabel 'connections (log scale)'
set key top left
set title 'throughput'
set ylabel 'round trips per second'
set yrange [0:*]
plot for [i=0:nblocks-1] dir.'/echo.dat' index i using 1:2:3:4 with yerrorlines lt i+2 title columnheader(1)
unset label 99
set title 'p99 round-trip latency'
set ylabel 'p99 round trip (µs, log scale)'
set yrange [*:*]
set logscale y
plot for [i=0:nblocks-1] dir.'/echo.dat' index i using 1:5:6:7 with yerrorlines lt i+2 title columnheader(1)
unset multiplot
