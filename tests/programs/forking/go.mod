module example.com/forking

go 1.19
