//go:build go1.24

package main

import "fmt"

// Pair is a generic type alias (Go 1.24).
type Pair[K comparable, V any] = struct {
	Key K
	Val V
}

// Set is a generic alias of a map type.
type Set[T comparable] = map[T]struct{}

func aliasDemo() string {
	p := Pair[string, int]{Key: "k", Val: 7}
	s := Set[int]{1: {}, 2: {}}
	return fmt.Sprint(p.Key, p.Val, len(s)) // ALIAS
}
