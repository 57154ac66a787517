module example.com/stepping

go 1.19
