// Test program for call tracing (gobp-dap trace, launch attribute "trace"): modes chosen by
// os.Args[1]. Every traced function is //go:noinline so it exists out of line even in
// optimized builds.
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
)

type User struct {
	ID   int
	Name string
}

// ---- chain ----

//go:noinline
func query(q string, args ...interface{}) (int, error) {
	if len(args) == 1 && args[0] == 123 {
		return 7, nil
	}
	return 0, errors.New("no rows")
}

//go:noinline
func find(id int) (*User, error) {
	n, err := query("SELECT name FROM users WHERE id = ?", id)
	if err != nil {
		return nil, err
	}
	return &User{ID: id, Name: "user" + strconv.Itoa(n)}, nil
}

//go:noinline
func handle(id int) string {
	u, err := find(id)
	if err != nil {
		return "error: " + err.Error()
	}
	return u.Name
}

// ---- recursion ----

//go:noinline
func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

//go:noinline
func depth(n int) int {
	var big [512]int // 4 KiB a frame: the goroutine stack grows (morestack) many times
	big[n%512] = n
	if n == 0 {
		return big[0]
	}
	return depth(n-1) + big[n%512] - n + 1
}

// ---- parallel ----

//go:noinline
func work(id int) int {
	s := 0
	for i := 0; i < 100; i++ {
		s += i * id
	}
	return s
}

// ---- panic ----

//go:noinline
func c(n int) int {
	if n > 0 {
		panic("boom in c")
	}
	return n + 1
}

//go:noinline
func b(n int) int { return c(n) + 1 }

//go:noinline
func a(n int) int { return b(n) + 1 }

func recovered() (res string) {
	defer func() {
		if r := recover(); r != nil {
			res = fmt.Sprint("recovered: ", r)
		}
	}()
	a(1)
	return "not reached"
}

// recoverQuietly recovers in an untraced frame; nothing traced returns above the panic.
func recoverQuietly() {
	defer func() { recover() }()
	a(1)
}

//go:noinline
func after(n int) int { return n * 3 }

//go:noinline
func nest(n int) int {
	var pad [64]int
	pad[n%64] = n
	if n == 0 {
		return after(7)
	}
	return nest(n-1) + pad[n%64] - n
}

// ---- goexit ----

//go:noinline
func g2(n int) int {
	runtime.Goexit()
	return n
}

//go:noinline
func g1(n int) int { return g2(n+1) + 1 }

// ---- methods ----

type Point struct{ X, Y int }

//go:noinline
func (p Point) Sum() int { return p.X + p.Y }

//go:noinline
func (p *Point) Scale(k int) { p.X *= k; p.Y *= k }

//go:noinline
func Max[T int | float64](x, y T) T {
	if x > y {
		return x
	}
	return y
}

// ---- many / loop ----

//go:noinline
func tiny(i int) int { return i + 1 }

//go:noinline
func tickfn(i int) int { return i * 2 }

func main() {
	mode := "chain"
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	switch mode {
	case "chain":
		fmt.Println("handle(123) =", handle(123))
		fmt.Println("handle(5) =", handle(5))
	case "recursion":
		fmt.Println("fib(10) =", fib(10))
		fmt.Println("depth(3000) =", depth(3000))
	case "parallel":
		var wg sync.WaitGroup
		start := make(chan struct{})
		sums := make([]int, 4)
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				<-start
				for i := 0; i < 50; i++ {
					sums[g] += work(g + 1)
				}
			}(g)
		}
		close(start)
		wg.Wait()
		fmt.Println("sums", sums)
		if len(os.Args) > 2 && os.Args[2] == "withmain" {
			m := 0
			for i := 0; i < 10; i++ {
				m += work(9)
			}
			fmt.Println("main", m)
		}
	case "panic":
		fmt.Println(recovered())
		fmt.Println("a(0) =", a(0))
	case "crash":
		fmt.Println("a(0) =", a(0))
		a(1)
	case "goexit":
		go func() {
			g1(1)
		}()
		// wait until the goroutine is gone (a deferred close would let main exit while the
		// goroutine is still inside runtime.Goexit: that is mode goexit-slow)
		for runtime.NumGoroutine() > 1 {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(20 * time.Millisecond)
		fmt.Println("goexit done")
	case "goexit-slow":
		// the goroutine's deferred call signals main and then takes a while: main (and the
		// program) ends while the goroutine is still inside runtime.Goexit
		done := make(chan struct{})
		go func() {
			defer func() {
				close(done)
				time.Sleep(500 * time.Millisecond)
			}()
			g1(1)
		}()
		<-done
		fmt.Println("goexit done")
	case "recover-untraced":
		recoverQuietly()
		time.Sleep(300 * time.Millisecond)
		fmt.Println("after", nest(20))
	case "methods":
		p := Point{X: 2, Y: 3}
		fmt.Println("sum", p.Sum())
		p.Scale(10)
		fmt.Println("scaled", p.X, p.Y)
		add := func(x int) int { return x + p.X }
		fmt.Println("closure", add(1))
		fmt.Println("max", Max(3, 9), Max(2.5, 1.5))
	case "many":
		n, _ := strconv.Atoi(os.Args[2])
		s := 0
		for i := 0; i < n; i++ {
			s += tiny(i)
		}
		fmt.Println("many", n, s)
	case "loop":
		secs, _ := strconv.Atoi(os.Args[2])
		end := time.Now().Add(time.Duration(secs) * time.Second)
		fmt.Println("loop started")
		for i := 0; time.Now().Before(end); i++ {
			tickfn(i)
			time.Sleep(20 * time.Millisecond)
		}
		fmt.Println("loop done")
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", mode)
		os.Exit(1)
	}
}
