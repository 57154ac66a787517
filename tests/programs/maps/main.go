// Maps of every shape a debugger must walk: up to Go 1.23 hash buckets with overflow chains
// and growth, from Go 1.24 Swiss tables (one small group, or a directory of tables with deleted
// slots), big keys and values stored indirectly, nested maps, nil and empty maps.
package main

import "fmt"

// Big is larger than 128 bytes: maps store such keys and values through pointers.
type Big struct {
	A    [20]int64
	Name string
}

//go:noinline
func sum(m map[int]string, k int) int {
	n := 0
	for key := range m {
		n += key
	}
	return n + len(m[k])
}

func main() {
	small := map[string]int{"a": 1, "b": 2, "c": 3}
	large := make(map[int]string)
	for i := 0; i < 3000; i++ {
		large[i] = fmt.Sprint("v", i)
	}
	for i := 0; i < 3000; i += 3 {
		delete(large, i)
	}
	bigKeys := map[Big]Big{}
	for i := 0; i < 3; i++ {
		bigKeys[Big{Name: fmt.Sprint("k", i)}] = Big{A: [20]int64{int64(i)}, Name: fmt.Sprint("v", i)}
	}
	nested := map[string]map[string]int{"x": {"y": 7}}
	var nilMap map[string]int
	emptyMap := map[int]int{}
	fmt.Println(len(small), len(large), len(bigKeys), len(nested), len(nilMap), len(emptyMap)) // BREAK maps
	fmt.Println(sum(large, 1), sum(large, 2999))
}
