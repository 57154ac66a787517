module binlines

go 1.19
