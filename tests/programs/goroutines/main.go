// goroutines: many goroutines parked in different ways, then a breakpoint in one of them.
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

func worker(id int, ch chan int, wg *sync.WaitGroup) {
	defer wg.Done()
	v := <-ch // parked: chan receive
	_ = v + id
}

func locked(mu *sync.Mutex, wg *sync.WaitGroup) {
	defer wg.Done()
	mu.Lock() // parked: mutex
	mu.Unlock()
}

func selecting(a, b chan int, wg *sync.WaitGroup) {
	defer wg.Done()
	select { // parked: select
	case <-a:
	case <-b:
	}
}

func ready(n int) int {
	return n * 2 // breakpoint here: all goroutines are parked
}

func main() {
	n := 100
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	ch := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	mu.Lock()
	a, b := make(chan int), make(chan int)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go worker(i, ch, &wg)
	}
	wg.Add(2)
	go locked(&mu, &wg)
	go selecting(a, b, &wg)
	time.Sleep(200 * time.Millisecond)
	fmt.Println("ready", ready(n))
	mu.Unlock()
	close(a)
	for i := 0; i < n; i++ {
		ch <- i
	}
	wg.Wait()
	fmt.Println("all done")
}
