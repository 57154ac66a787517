// panics: an unrecovered panic of each kind (an error, a runtime index error, a nil map write), after a recovered one.
package main

import (
	"errors"
	"fmt"
	"os"
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
	}
}

func main() {
	func() {
		defer func() { recover() }()
		boom("str")
	}()
	boom(os.Args[1])
}
