// hitcount: a function called from many goroutines at once, with its own call count, so a
// debugger's hit counter can be checked exactly. Usage: hitcount [GOROUTINES [CALLS]].
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
)

var calls int64
var label = "sum"

func work(n int) int {
	atomic.AddInt64(&calls, 1)
	return n%7 + 1
}

func arg(i, def int) int {
	if len(os.Args) > i {
		if v, err := strconv.Atoi(os.Args[i]); err == nil {
			return v
		}
	}
	return def
}

func main() {
	runtime.GOMAXPROCS(4)
	goroutines, each := arg(1, 8), arg(2, 20000)
	var wg sync.WaitGroup
	var sum int64
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			local := 0
			for i := 0; i < each; i++ {
				local += work(i + g)
			}
			atomic.AddInt64(&sum, int64(local))
		}(g)
	}
	wg.Wait()
	fmt.Println("calls", atomic.LoadInt64(&calls))
	fmt.Println(label, sum)
	os.Exit(0)
}
