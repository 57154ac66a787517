// Package gotest is debugged with mode "test": gobp-dap builds its test binary (go test -c).
package gotest

// Add returns the sum of a and b.
func Add(a, b int) int {
	sum := a + b // ADD
	return sum
}
