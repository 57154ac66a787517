module hitcount

go 1.19
