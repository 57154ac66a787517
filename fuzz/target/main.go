// The program the stopped-target fuzz harness debugs: it never ends, and every round calls
// work with values of every kind, so a breakpoint in work always hits again.
package main

import (
	"errors"
	"fmt"
	"os"
	"time"
)

type Address struct {
	City string
	Zip  int
}

type Person struct {
	Name string
	Age  int
	Home *Address
	Tags []string
	Next *Person
}

type Shape interface{ Area() float64 }

type Rect struct{ W, H float64 }

func (r Rect) Area() float64 { return r.W * r.H }

var (
	rounds  int
	label   = "fuzz"
	table   = map[string]int{"one": 1, "two": 2, "three": 3}
	ErrGone = errors.New("gone")
)

func work(n int, p *Person, s Shape, err error, m map[int]string, b []byte, f float64, c complex128, ch chan int) int {
	total := n + p.Age + len(p.Tags) + len(m) + len(b) + int(f) + int(real(c))
	arr := [4]int{n, n + 1, n + 2, n + 3}
	var nilp *Person
	fn := func(x int) int { return x + total }
	if err != nil && nilp == nil {
		total += fn(arr[n%4])
	}
	if s != nil {
		total += int(s.Area())
	}
	select {
	case ch <- total:
	default:
	}
	return total % 1000
}

func main() {
	home := &Address{City: "Oslo", Zip: 150}
	ann := &Person{Name: "Ann", Age: 42, Home: home, Tags: []string{"a", "b"}}
	ann.Next = &Person{Name: "Bob", Age: 7, Next: ann}
	ch := make(chan int, 1)
	m := map[int]string{1: "x", 2: "yy"}
	for {
		rounds++
		r := work(rounds, ann, Rect{W: 2, H: 3}, ErrGone, m, []byte(label), 1.5, complex(2, 3), ch)
		select {
		case <-ch:
		default:
		}
		if r < 0 {
			fmt.Fprintln(os.Stderr, "never", table)
		}
		time.Sleep(time.Millisecond)
	}
}
