// panics: an unrecovered panic of each kind (an error, a runtime index error, a nil map write, a
// nil pointer dereference: a signal, runtime.sigpanic), after a recovered one; and a stack
// overflow (a fatal error thrown on the system stack, for the goroutine that overflowed).
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
)

func boom(kind string) {
	switch kind {
	case "err":
		panic(errors.New("boom"))
	case "str":
		panic("plain string")
	case "index":
		s := []int{1, 2, 3}
		i := len(os.Args) + 4
		fmt.Println(s[i])
	case "map":
		var m map[string]int
		m["x"] = 1
	case "nil":
		fmt.Println(deref(nil, len(os.Args)))
	case "overflow":
		debug.SetMaxStack(1 << 20)
		fmt.Println(recurse(0))
	}
}

type point struct{ x, y int }

// deref faults several lines after its first, on the first instruction of its line (q is
// still in a register): the frame under runtime.sigpanic must show the faulting line, not the
// line of the instruction before it.
func deref(p *point, n int) int {
	a := n + 1
	b := a * 2
	q := p
	return q.x + b // nil dereference
}

func recurse(n int) int {
	var pad [64]byte
	pad[n%64] = byte(n)
	return recurse(n+1) + int(pad[3])
}

func main() {
	func() {
		defer func() { recover() }()
		boom("str")
	}()
	boom(os.Args[1])
}
