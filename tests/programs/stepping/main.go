// stepping: next / step in / step out over direct calls, closures, interface methods and a
// loop, with another goroutine running the same function (it must not end a step).
package main

import (
	"fmt"
	"time"
)

type Greeter interface{ Greet(name string) string }

type English struct{ prefix string }

func (e English) Greet(name string) string {
	msg := e.prefix + name // STEP greet body
	return msg
}

//go:noinline
func add(a, b int) int {
	sum := a + b // STEP add body
	return sum
}

func background(stop chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
			add(100, 200)
			time.Sleep(time.Millisecond)
		}
	}
}

func main() {
	stop := make(chan struct{})
	go background(stop)
	var g Greeter = English{prefix: "hi "}
	twice := func(x int) int {
		return x * 2 // STEP closure body
	}
	total := 0 // STEP start
	total = add(total, 1)
	total = twice(total)
	s := g.Greet("go")
	for i := 0; i < 2; i++ {
		total += i
	}
	close(stop)
	fmt.Println(total, s) // STEP end
}
