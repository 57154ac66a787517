// hotloop: calls main.hot N times in a tight loop (N = argv[1], else $BENCH_HITS, else
// 200000). bench/hitbench.py times it alone, under `gobp-dap run --handler main.hot=...`
// and under `dlv dap` with a never-true conditional breakpoint on main.hot.
package main

import (
	"fmt"
	"os"
	"strconv"
)

//go:noinline
func hot(s string, i int) int {
	return len(s) + i
}

func main() {
	n := 200000
	if v := os.Getenv("BENCH_HITS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	s := "hello, handler"
	sum := 0
	for i := 0; i < n; i++ {
		sum += hot(s, i)
	}
	fmt.Println(n, sum)
}
