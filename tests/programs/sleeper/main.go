// sleeper: runs for a while (seconds in os.Args[1], default 5) with busy and sleeping goroutines,
// for pause, disconnect and EOF tests.
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

var spins uint64

func spin(stop chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
			spins++ // busy goroutine: pause must stop it too
		}
	}
}

func tick(i int) int {
	return i + 1 // breakpoint target: called every 10 ms
}

func main() {
	secs := 5
	if len(os.Args) > 1 {
		secs, _ = strconv.Atoi(os.Args[1])
	}
	fmt.Println("started", os.Getpid())
	stop := make(chan struct{})
	go spin(stop)
	deadline := time.Now().Add(time.Duration(secs) * time.Second)
	n := 0
	for time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		n = tick(n)
	}
	close(stop)
	fmt.Println("slept", n > 0)
}
