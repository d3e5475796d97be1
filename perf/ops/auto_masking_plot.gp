# The auto-masking table (mmn-perf-masking-table --csv) as a PNG: time per batch of the
# grouped, partitioned and masked forms against the number of domains, one panel per
# batch size in `batches` (the batch sizes present in the table). Run:
#   gnuplot -e "csv='auto_masking.csv'; png='auto_masking.png'; batches='256 4096'" auto_masking_plot.gp
set datafile separator ","
set terminal pngcairo size 1200,900 font ",10"
set output png
set logscale xy
set xlabel "domains"
set ylabel "ms per batch"
set key top left
set grid
n = words(batches)
set multiplot layout (n + 1) / 2, (n > 1 ? 2 : 1) title "Auto-masking on the CPU: the CVR tower 272-256-128-1, forward"
do for [i = 1:words(batches)] {
  b = word(batches, i) + 0
  set title sprintf("batch %d", b)
  plot csv every ::1 using 1:(column(2) == b ? column(3) : 1/0) with linespoints title "grouped (routing)", \
       csv every ::1 using 1:(column(2) == b ? column(4) : 1/0) with linespoints title "partitioned", \
       csv every ::1 using 1:(column(2) == b && strlen(strcol(5)) > 0 ? column(5) : 1/0) with linespoints title "masked"
}
unset multiplot
