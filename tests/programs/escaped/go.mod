module escaped

go 1.19
