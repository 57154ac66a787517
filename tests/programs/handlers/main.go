// handlers: functions of every argument and result shape for handler-breakpoint tests. Every
// result is printed, so a forced return or an overwritten argument/result shows in the output.
//
// Usage: handlers MODE [ARGS]
//
//	shapes             call each function once, print "NAME results..." lines, exit 0
//	lookups N          lookup("k1") ... lookup("kN"), one line each
//	loop N             compute(i) every 20 ms, N times ("loop I R")
//	recursion N        depth(N) and bigdepth(N) (a >4 KiB frame: morestack on the way down),
//	                   then the sentinels depth(-1), bigdepth(-1)
//	concurrent G N     G goroutines call tick(i) N times each; prints the program's own count,
//	                   then the sentinel tick(-1)
//	exit CODE          greet("exit"), then exit with CODE
package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

type Point struct {
	X    int
	Y    float64
	Name string
}

type Counter struct{ n int }

//go:noinline
func compute(n int) int {
	return n*n + 1
}

//go:noinline
func pair(a int, s string) (int, string) {
	return a + 1, s + "!"
}

//go:noinline
func lookup(key string) (string, error) {
	return "value-" + key, nil
}

//go:noinline
func read(buf []byte) (int, error) {
	return copy(buf, "data"), nil
}

//go:noinline
func ratio(a, b float64) (float64, bool) {
	if b == 0 {
		return 0, false
	}
	return a / b, true
}

//go:noinline
func point(x int) Point {
	return Point{X: x, Y: float64(x) / 2, Name: "p" + strconv.Itoa(x)}
}

//go:noinline
func many(a int) (int, int, int, int, int, int, int, int, int, int, int) {
	return a + 1, a + 2, a + 3, a + 4, a + 5, a + 6, a + 7, a + 8, a + 9, a + 10, a + 11
}

//go:noinline
func iface(n int) interface{} {
	return n
}

//go:noinline
func (c *Counter) Add(n int) int {
	c.n += n
	return c.n
}

//go:noinline
func (c Counter) Get() int {
	return c.n
}

//go:noinline
func makeAdder(base int) func(int) int {
	return func(x int) int {
		return x + base
	}
}

//go:noinline
func Max[T int | float64](a, b T) T {
	if a > b {
		return a
	}
	return b
}

//go:noinline
func sum(xs ...int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}

//go:noinline
func wide(a, b, c, d, e, f, g, h, i, j, k, l int) int {
	return a + b + c + d + e + f + g + h + i + j + k + l
}

//go:noinline
func greet(name string) string {
	return "hello, " + name
}

//go:noinline
func depth(n int) int {
	if n <= 0 {
		return 0
	}
	return depth(n-1) + 1
}

//go:noinline
func bigdepth(n int) int {
	var frame [600]int // 4800 bytes: the big-frame stack check
	if n <= 0 {
		return 0
	}
	frame[n%600] = n
	return bigdepth(n-1) + 1 + frame[n%600] - n
}

var ticks int64

//go:noinline
func tick(i int) int {
	atomic.AddInt64(&ticks, 1)
	return i + 1
}

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return strconv.Quote(err.Error())
}

func shapes() {
	fmt.Println("compute", compute(5))
	n, s := pair(1, "go")
	fmt.Printf("pair %d %q\n", n, s)
	v, err := lookup("k")
	fmt.Printf("lookup %q %s eof=%v\n", v, errText(err), err == io.EOF)
	buf := make([]byte, 8)
	rn, err := read(buf)
	fmt.Printf("read %d %s eof=%v\n", rn, errText(err), errors.Is(err, io.EOF))
	r, ok := ratio(3, 2)
	fmt.Println("ratio", r, ok)
	p := point(4)
	fmt.Printf("point %d %g %q\n", p.X, p.Y, p.Name)
	m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10 := many(10)
	fmt.Println("many", m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10)
	i := iface(7)
	fmt.Printf("iface %v nil=%v\n", i, i == nil)
	c := &Counter{n: 10}
	fmt.Println("add", c.Add(5))
	cv := Counter{n: 3}
	fmt.Println("get", cv.Get())
	fmt.Println("adder", makeAdder(100)(1))
	fmt.Println("max-int", Max(3, 7))
	fmt.Println("max-float", Max(2.5, 1.5))
	fmt.Println("sum", sum(1, 2, 3, 4))
	fmt.Println("wide", wide(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12))
	fmt.Println("greet", greet("world"))
}

func argInt(i, def int) int {
	if len(os.Args) > i {
		if v, err := strconv.Atoi(os.Args[i]); err == nil {
			return v
		}
	}
	return def
}

func main() {
	mode := "shapes"
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	switch mode {
	case "shapes":
		shapes()
	case "lookups":
		for i := 1; i <= argInt(2, 5); i++ {
			v, err := lookup("k" + strconv.Itoa(i))
			fmt.Printf("lookup %d %q %s eof=%v\n", i, v, errText(err), err == io.EOF)
		}
	case "floats": // ratio(a, b) with NaN, -0 and huge values among ordinary ones
		for i, p := range [][2]float64{{3, 2}, {1.5, 1}, {-2.5, 0}, {math.NaN(), 1}, {math.Copysign(0, -1), 4}, {1e300, -1}, {0, 7}} {
			r, ok := ratio(p[0], p[1])
			fmt.Println("ratio", i+1, r, ok)
		}
	case "longkeys": // keys as long as a 19-byte literal, differing in the last or the first byte
		for i, k := range []string{"a-key-of-19-bytes!!", "a-key-of-19-bytes!?", "b-key-of-19-bytes!!", ""} {
			v, err := lookup(k)
			fmt.Printf("lookup %d %q %s eof=%v\n", i+1, v, errText(err), err == io.EOF)
		}
	case "loop":
		for i := 0; i < argInt(2, 500); i++ {
			fmt.Println("loop", i, compute(i))
			time.Sleep(20 * time.Millisecond)
		}
	case "recursion":
		n := argInt(2, 2000)
		fmt.Println("depth", depth(n))
		fmt.Println("bigdepth", bigdepth(n))
		depth(-1)
		bigdepth(-1)
	case "concurrent":
		runtime.GOMAXPROCS(4)
		g, each := argInt(2, 8), argInt(3, 125000)
		var wg sync.WaitGroup
		var total int64
		for w := 0; w < g; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				local := int64(0)
				for i := 0; i < each; i++ {
					local += int64(tick(i) - i)
				}
				atomic.AddInt64(&total, local)
			}()
		}
		wg.Wait()
		fmt.Println("ticks", atomic.LoadInt64(&ticks), "total", atomic.LoadInt64(&total))
		tick(-1)
	case "badptr": // a pointer argument that is nil, then one that points nowhere
		fmt.Println("visit", visit(&node{val: 1}), visit(nil), visit((*node)(unsafe.Pointer(uintptr(8)))), visit(&node{val: 42}))
	case "exit":
		fmt.Println("greet", greet("exit"))
		os.Exit(argInt(2, 0))
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", mode)
		os.Exit(2)
	}
	os.Exit(0)
}

type node struct{ val int }

//go:noinline
func visit(p *node) int {
	if uintptr(unsafe.Pointer(p)) < 4096 {
		return -1
	}
	return p.val
}
