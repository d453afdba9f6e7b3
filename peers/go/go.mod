module switchbench/peers/go

go 1.19
