// Range-over-func loops (Go 1.23+): the loop body is a closure (main.sumTo-range1) that the
// iterator calls; stepping must stay in the logical function, across iterations and out of
// the loop. alias.go adds a generic type alias (Go 1.24+).
package main

import (
	"fmt"
	"iter"
)

// Count yields 0, 1, ... n-1.
func Count(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; i < n; i++ {
			if !yield(i) {
				return
			}
		}
	}
}

func sumTo(n int) int {
	total := 0
	for i := range Count(n) {
		total += i // BODY
		if i == 3 { // IF
			break // BREAK
		}
	}
	return total // AFTER
}

func main() {
	fmt.Println("sum", sumTo(10))
	fmt.Println(aliasDemo())
}
