// deadlock: every goroutine blocks forever (main in a channel receive, others on a mutex, a
// WaitGroup, a select and a channel send) so the runtime throws "all goroutines are asleep".
package main

import (
	"fmt"
	"sync"
)

func lockTwice(mu *sync.Mutex, started *sync.WaitGroup) {
	mu.Lock()
	started.Done()
	mu.Lock() // blocked: mutex
}

func waitForever(wg *sync.WaitGroup, started *sync.WaitGroup) {
	started.Done()
	wg.Wait() // blocked: WaitGroup
}

func selectNothing(a, b chan int, started *sync.WaitGroup) {
	started.Done()
	select { // blocked: select
	case <-a:
	case <-b:
	}
}

func sendForever(c chan int, started *sync.WaitGroup) {
	started.Done()
	c <- 1 // blocked: send
}

func main() {
	var mu sync.Mutex
	var wg, started sync.WaitGroup
	wg.Add(1)
	started.Add(4)
	go lockTwice(&mu, &started)
	go waitForever(&wg, &started)
	go selectNothing(make(chan int), make(chan int), &started)
	go sendForever(make(chan int), &started)
	started.Wait()
	ch := make(chan int)
	fmt.Println("all started")
	v := <-ch // blocked: main receive
	fmt.Println(v)
}
