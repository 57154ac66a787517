// Function calls from the debugger (issue 11): plain functions, methods on values and pointers,
// interface methods, closures, every kind of argument, several results, a panic, a call that
// blocks, output. main stops in work (line marked BREAK) on goroutine 1 while a helper
// goroutine waits on a channel.
package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

type Point struct {
	X, Y int
	Name string
}

func (p Point) Sum() int { return p.X + p.Y }

func (p *Point) Label(prefix string) string {
	return fmt.Sprintf("%s%s(%d,%d)", prefix, p.Name, p.X, p.Y)
}

type Shape interface {
	Area() float64
	Describe(s string) string
}

type Rect struct{ W, H float64 }

func (r Rect) Area() float64            { return r.W * r.H }
func (r Rect) Describe(s string) string { return s + ":rect" }

type Circle struct{ R float64 }

func (c *Circle) Area() float64            { return 3 * c.R * c.R }
func (c *Circle) Describe(s string) string { return s + ":circle" }

//go:noinline
func newCircle(r float64) *Circle { return &Circle{R: r} } // on the heap: it escapes

func add(a, b int) int { return a + b } // IN ADD

func divmod(a, b int) (q, r int) { return a / b, a % b }

func lookup(key string) (string, error) {
	if key == "" {
		return "", errors.New("empty key")
	}
	return "value-" + key, nil
}

func greet(p Point, loud bool) string {
	s := "hello " + p.Name
	if loud {
		s = strings.ToUpper(s)
	}
	return s
}

func describeErr(err error) string {
	if err == nil {
		return "no error"
	}
	return "error: " + err.Error()
}

func describeAny(v interface{}) string { return fmt.Sprintf("%T=%v", v, v) }

func mix(f float64, n int32, b bool, s string, p *Point) string {
	return fmt.Sprintf("%g/%d/%t/%s/%s", f*2, n+1, !b, s, p.Name)
}

func boom(msg string) int { panic("boom: " + msg) }

func slow(ms int) int {
	time.Sleep(time.Duration(ms) * time.Millisecond)
	return ms
}

func shout(s string) string {
	fmt.Println("shouting", s)
	return strings.ToUpper(s)
}

func nothing() {}

// Past the nine integer registers: arguments and results on the stack.
func sum12(a, b, c, d, e, f, g, h, i, j, k, l int) int {
	return a + b + c + d + e + f + g + h + i + j + k + l
}

func spread(n int) (int, int, int, int, int, int, int, int, int, int, int) {
	return n, n + 1, n + 2, n + 3, n + 4, n + 5, n + 6, n + 7, n + 8, n + 9, n + 10
}

type Big struct{ A, B, C, D, E, F, G, H, I, J int }

func bigSum(b Big, scale float64) float64 {
	return float64(b.A+b.B+b.C+b.D+b.E+b.F+b.G+b.H+b.I+b.J) * scale
}

var big = Big{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}

var counter = 7
var global = &Point{X: 10, Y: 20, Name: "g"}
var lastErr = errors.New("disk full")

func work(n int, p *Point, sh Shape, c Shape, f func(int) int, ch chan int) int {
	local := Point{X: 1, Y: 2, Name: "local"}
	total := n + p.X + local.Sum() // BREAK
	return total + int(sh.Area()) + f(1)
}

func main() {
	ch := make(chan int)
	go func() { ch <- <-ch }() // a goroutine parked in chan receive
	k := 3
	triple := func(x int) int { return x * k }
	keep := []interface{}{add, divmod, lookup, greet, describeErr, describeAny, mix, boom, slow, shout, nothing, sum12, spread, bigSum, big}
	_ = keep
	var sh Shape = Rect{W: 2, H: 3}
	var c Shape = newCircle(2)
	_ = c.Describe("")
	_ = sh.Describe("")
	_ = global.Label("")
	if len(os.Args) > 1 && os.Args[1] == "serve" { // for attach: work again and again for 8 s
		fmt.Println("serving")
		for i := 0; i < 400; i++ {
			work(5, global, sh, c, triple, ch)
			time.Sleep(20 * time.Millisecond)
		}
		fmt.Println("served")
	}
	r := work(5, global, sh, c, triple, ch)
	ch <- 1
	<-ch
	fmt.Println("result", r, counter)
	os.Exit(0)
}
