# Shared by every picture (loaded first): the terminal from `term`, the
# output `out`, missing values, the look, and the machine caption.
if (term eq 'svg') {
  set terminal svg size 1280,720 dynamic font 'Sans,13' background '#ffffff'
} else {
  set terminal pngcairo size 1280,720 font 'Sans,11' background '#ffffff'
}
set output out
set termoption noenhanced
set datafile missing '?'
set grid ytics mytics lc rgb '#e0e0e0'
set border 3
set tics nomirror
set key top left noenhanced
set style fill solid 0.85 border -1
# One colour per series, the same in every picture.
set linetype 1 lc rgb '#555555' lw 2 pt 7
set linetype 2 lc rgb '#1f77b4' lw 2 pt 7
set linetype 3 lc rgb '#ff7f0e' lw 2 pt 5
set linetype 4 lc rgb '#2ca02c' lw 2 pt 9
set linetype 5 lc rgb '#d62728' lw 2 pt 11
set linetype 6 lc rgb '#9467bd' lw 2 pt 13
set linetype 7 lc rgb '#8c564b' lw 2 pt 3
set linetype 8 lc rgb '#e377c2' lw 2 pt 2
# Up to a dozen runtimes with the peers in: each its own colour.
set linetype 9 lc rgb '#bcbd22' lw 2 pt 4
set linetype 10 lc rgb '#17becf' lw 2 pt 6
set linetype 11 lc rgb '#1a1a1a' lw 2 pt 8
set linetype 12 lc rgb '#ff9896' lw 2 pt 10
set linetype 13 lc rgb '#98df8a' lw 2 pt 12
set linetype 14 lc rgb '#c5b0d5' lw 2 pt 14
set linetype 15 lc rgb '#8c8c00' lw 2 pt 1
set linetype cycle 15
set label 99 caption at screen 0.01, screen 0.02 left font ',9' tc rgb '#555555' noenhanced
