// faults: targets for the fault matrix (tests/e2e/faults.test.mjs).
//
//	faults slow SECS        main calls pause(SECS) (a long call to step over), then ends
//	faults storm N          at least N calls (and on until 200 SIGUSR1 were handled) of hot/cold/traced under a storm of signals: CPU profiling
//	                        (SIGPROF), SIGUSR1 sent to itself and handled by signal.Notify,
//	                        spinning goroutines and runtime.GC (SIGURG preemption)
//	faults threads R G      R rounds of G goroutines locked to their OS threads that end locked
//	                        (each one's thread exits with it); each calls job once
//	faults busy SECS        calls traced and hot in a loop for SECS seconds (bench/soak.py)
//	faults watch N          N rounds writing a global and a heap value (data breakpoints)
package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var calls, usr1, jobs int64

var watched int // data breakpoints: written every round

type Box struct {
	Label string
	Count int64
}

var kept *Box // makes box escape: it lives on the heap

func watchRounds(n int) {
	box := &Box{Label: "box"} // watch: start
	kept = box
	for i := 0; i < n; i++ {
		watched += 10
		box.Count++
		time.Sleep(time.Millisecond)
	}
	fmt.Println("watch", watched, box.Count)
}

func pause(secs int) int {
	time.Sleep(time.Duration(secs) * time.Second)
	return secs
}

func hot(i int) int { return i + 1 } // conditional breakpoint (never true), then one that stops

func cold(i int) int { return i * 2 } // handler (count.so)

func traced(i int) int { return i - 1 } // traced

func storm(n int) {
	if err := pprof.StartCPUProfile(io.Discard); err != nil {
		fmt.Println("profile:", err)
		os.Exit(3)
	}
	sig := make(chan os.Signal, 64)
	signal.Notify(sig, syscall.SIGUSR1)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { // the program's own SIGUSR1 handler
		defer wg.Done()
		for {
			select {
			case <-sig:
				atomic.AddInt64(&usr1, 1)
			case <-stop:
				return
			}
		}
	}()
	go func() { // the storm: SIGUSR1 to itself as fast as it can
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
				syscall.Kill(os.Getpid(), syscall.SIGUSR1)
				runtime.Gosched()
			}
		}
	}()
	go func() { // a spinner and GCs: asynchronous preemption (SIGURG)
		defer wg.Done()
		x := 0
		for k := 0; ; k++ {
			select {
			case <-stop:
				return
			default:
			}
			for j := 0; j < 100000; j++ {
				x += j
			}
			if k%50 == 0 {
				runtime.GC()
			}
		}
	}()
	sum := 0
	// at least n calls, and on until the program has handled 200 of its own signals
	for i := 0; i < n || atomic.LoadInt64(&usr1) < 200; i++ {
		sum += hot(i) + cold(i) + traced(i)
		atomic.AddInt64(&calls, 1)
	}
	close(stop)
	wg.Wait()
	signal.Stop(sig)
	pprof.StopCPUProfile()
	fmt.Printf("storm calls=%d sum=%d usr1>=200=%v\n", atomic.LoadInt64(&calls), sum, atomic.LoadInt64(&usr1) >= 200)
}

func job(i int) int {
	atomic.AddInt64(&jobs, 1)
	return i * 3 // handler, and a step that ends where the thread exits
}

func locked(i int, wg *sync.WaitGroup) {
	defer wg.Done()
	runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
	job(i)
}

func round(r, g int) {
	var wg sync.WaitGroup
	for k := 0; k < g; k++ {
		wg.Add(1)
		go locked(r*g+k, &wg)
	}
	wg.Wait()
}

func threads(rounds, g int) {
	for r := 0; r < rounds; r++ {
		round(r, g) // the step loop: next over round while its threads exit
		time.Sleep(time.Millisecond)
	}
	fmt.Printf("threads jobs=%d\n", atomic.LoadInt64(&jobs))
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
	mode := "slow"
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	fmt.Println("started", os.Getpid())
	switch mode {
	case "slow":
		fmt.Println("paused", pause(arg(2, 30)))
	case "storm":
		storm(arg(2, 20000))
	case "threads":
		threads(arg(2, 20), arg(3, 8))
	case "watch":
		watchRounds(arg(2, 5))
	case "busy":
		end := time.Now().Add(time.Duration(arg(2, 10)) * time.Second)
		n := 0
		for time.Now().Before(end) {
			n = hot(traced(n)) + 1
		}
		fmt.Println("busy", n > 0)
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", mode)
		os.Exit(2)
	}
}
