module example.com/busystep

go 1.19
