// busystep: six goroutines run the same 100-iteration loop 2 000 times each; a step in one
// of them must end on its next line while the others are still busy in the same code.
package main

import (
	"fmt"
	"sync"
	"sync/atomic"
)

const workers, rounds, iters = 6, 2000, 100

var (
	done     int64 // rounds finished, all goroutines together (workers*rounds at the end)
	finished int64 // goroutines that finished all their rounds
)

//go:noinline
func work(id int) int {
	sum := 0
	for i := 0; i < iters; i++ {
		sum += i * id // BUSY loop body
		sum ^= i      // BUSY next line
	}
	return sum
}

func main() {
	var wg sync.WaitGroup
	results := make([]int, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				results[id] += work(id + 1)
				atomic.AddInt64(&done, 1)
			}
			atomic.AddInt64(&finished, 1)
		}(w)
	}
	wg.Wait()
	fmt.Println("done", atomic.LoadInt64(&done), atomic.LoadInt64(&finished), results[0]) // BUSY end
}
