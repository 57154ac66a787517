module example.com/preempt

go 1.19
