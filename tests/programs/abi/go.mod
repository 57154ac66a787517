module example.com/abi

go 1.19
