// labels: goroutines with pprof labels (job, kind) and without, parked, then a stop in
// main (showPprofLabels and goroutineFilters).
package main

import (
	"context"
	"fmt"
	"runtime/pprof"
	"sync"
	"time"
)

func serve(id int, ch chan int, wg *sync.WaitGroup) {
	defer wg.Done()
	<-ch // parked with labels
}

func idle(ch chan int, wg *sync.WaitGroup) {
	defer wg.Done()
	<-ch // parked without labels
}

func ready() int {
	return 1 // BREAK
}

func main() {
	ch := make(chan int)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		kind := "even"
		if i%2 == 1 {
			kind = "odd"
		}
		wg.Add(1)
		go func(i int, kind string) {
			labels := pprof.Labels("job", fmt.Sprintf("job-%d", i), "kind", kind)
			pprof.Do(context.Background(), labels, func(context.Context) { serve(i, ch, &wg) })
		}(i, kind)
	}
	wg.Add(2)
	go idle(ch, &wg)
	go idle(ch, &wg)
	time.Sleep(200 * time.Millisecond)
	fmt.Println("ready", ready())
	close(ch)
	wg.Wait()
	fmt.Println("done")
}
