module example.com/xolsignal

go 1.19
