# (6) Open loop: p50, p99 and p99.9 round-trip latency (from each request's
# intended send time, PROTOCOL.md 6a) against the offered rate, one colour
# per runtime, one dash per quantile; log latency axis, so the saturation
# knee shows as the bend where the tail leaves the floor. Data:
# openloop.dat, a block per runtime (rate, p50, p99, p99.9 in µs).
# Variables: nrt, and rt<i> per runtime.
load scripts.'/common.gp'
set title 'Open loop: tail latency against offered load (median of the repetitions)'
set xlabel 'offered rate, requests/s'
set ylabel 'round trip from the intended send, µs (log scale)'
set logscale y
set key outside right top font ',9'
set grid ytics
set bmargin 5
plot for [i=1:nrt] dir.'/openloop.dat' index i-1 using 1:3 with linespoints lc i dt 1 pt 7 title value('rt'.i).' p99', \
     for [i=1:nrt] dir.'/openloop.dat' index i-1 using 1:2 with lines lc i dt 3 title value('rt'.i).' p50', \
     for [i=1:nrt] dir.'/openloop.dat' index i-1 using 1:4 with lines lc i dt 2 title value('rt'.i).' p99.9'
