// xolsignal: with GOMAXPROCS 1, a goroutine spins through a loop without preemption points (it
// calls a small leaf function, which has no stack check) while main waits for a 1 ms timer:
// main runs again only when the runtime preempts the spinner by signal (SIGURG). Prints how
// far the spinner was then (N-1 when it finished first). Usage: xolsignal [N].
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"
)

var spins int // written by the spinner, read by main once it runs

//go:noinline
func tick(i int) int { return i + 1 }

func main() {
	n := 20000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	runtime.GOMAXPROCS(1)
	done := make(chan struct{})
	go func() {
		for i := 0; i < n; i = tick(i) {
			spins = i
		}
		close(done)
	}()
	time.Sleep(time.Millisecond)
	at := spins
	<-done
	fmt.Println("main ran at", at, "of", n)
}
