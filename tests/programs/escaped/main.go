// escaped: locals and arguments whose address escapes, so the compiler moves them to the heap
// (DWARF calls them "&p", a pointer to the heap copy); the debugger shows them as p.
//
// Usage: escaped [N]   N rounds (default 5) of locals(i) and visit(i); prints what they see.
package main

import (
	"fmt"
	"os"
	"strconv"
)

type Person struct {
	Name string
	Age  int
}

var (
	people  []*Person
	numbers []*int
	texts   []*string
)

//go:noinline
func visit(p Person, n int, s string) int {
	people = append(people, &p) // VISIT START
	numbers = append(numbers, &n)
	texts = append(texts, &s)
	p.Age += n
	return p.Age + n + len(s) // VISIT END
}

func locals(i int) {
	before := i * 2 // LOCALS BEFORE
	p := Person{Name: "p" + strconv.Itoa(i), Age: i + 1}
	people = append(people, &p)
	n := i * 10
	numbers = append(numbers, &n)
	s := "s" + strconv.Itoa(i)
	texts = append(texts, &s)
	total := 0
	add := func(v int) {
		total += v // CLOSURE
	}
	add(n)
	fmt.Println("locals", before, p.Name, p.Age, n, s, total) // LOCALS BREAK
}

func main() {
	rounds := 5
	if len(os.Args) > 1 {
		rounds, _ = strconv.Atoi(os.Args[1])
	}
	for i := 0; i < rounds; i++ {
		locals(i)
		r := visit(Person{Name: "v" + strconv.Itoa(i), Age: i}, i, "xy")
		fmt.Println("visit", i, r)
	}
}
