// cgo: a dynamically linked program whose C code (cside.c) calls back into Go, from the main
// goroutine (Go -> C -> Go) and from threads that C creates.
package main

// #include "cside.h"
import "C"

import "fmt"

//export goCallback
func goCallback(n C.int) C.int {
	v := int(n) * 10
	fmt.Println("callback", n, v) // in callback
	return C.int(v)               // callback returns
}

func add(a, b int) int {
	return a + b
}

func main() {
	r := C.call_from_c(1) // Go calls C
	fmt.Println("call_from_c", r)
	t := C.run_c_threads(3) // C threads call Go
	fmt.Println("threads", t)
	fmt.Println("total", add(int(r), int(t)))
}
