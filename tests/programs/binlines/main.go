// binlines: lines without code inside functions, closures, a method reached through an
// interface, deep recursion (morestack). Used by tests/unit/test_binary.c.
package main

import "fmt"

type Shape interface{ Area() float64 }

type Circle struct{ R float64 }

func (c Circle) Area() float64 { return 3 * c.R * c.R }

func depth(n int) int {
	var pad [64]int
	pad[0] = n
	if n == 0 {
		return 0
	}
	return depth(n-1) + pad[0]
}

func work(x int) int {
	y := x * 2

	// a comment line: no code here
	z := y + 1
	add := func(k int) int {
		return k + z // LINE closure body
	}
	return add(x)
}

func main() {
	var s Shape = Circle{R: 2}
	fmt.Println(s.Area(), work(3), depth(1000))
}
