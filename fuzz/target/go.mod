module gobp/fuzztarget

go 1.19
