// values: every kind of Go value, a call chain for stacks and breakpoints.
package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"unsafe"
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
}

type Base struct{ ID int }

type Employee struct {
	Base
	Person Person
	Salary float64
}

type Shape interface{ Area() float64 }

type Circle struct{ R float64 }

func (c Circle) Area() float64 { return 3 * c.R * c.R }

type Counter struct{ n int }

func (c *Counter) Inc(by int) int {
	c.n += by
	return c.n
}

var counter = 7
var greeting = "hello"

func decide(n int, label string) bool {
	half := n / 2
	ok := half > 1
	return ok && label != ""
}

func values() {
	var i8 int8 = -8
	var i16 int16 = -16
	var i32 int32 = -32
	var i64 int64 = -64
	var u8 uint8 = 8
	var u16 uint16 = 16
	var u32 uint32 = 32
	var u64 uint64 = 64
	var up uintptr = 0x1234
	f32 := float32(0.25)
	f64 := 0.1
	c128 := complex(1.5, -2)
	b := true
	s := "héllo, 世界"
	r := 'é'
	bs := []byte("abc")
	sl := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	var nilSlice []int
	empty := []int{}
	arr := [3]int{10, 20, 30}
	m := map[string]int{"one": 1, "two": 2, "three": 3}
	p := Person{Name: "Ann", Age: 42, Home: &Address{City: "Oslo", Zip: 150}, Tags: []string{"a", "b"}}
	pp := &p
	var nilPtr *Person
	var sh Shape = Circle{R: 2}
	var nilIface Shape
	var any interface{} = 42
	err := errors.New("boom")
	var nilErr error
	ch := make(chan int, 5)
	ch <- 1
	fn := decide
	uptr := unsafe.Pointer(pp)
	e := Employee{Base: Base{ID: 9}, Person: p, Salary: 1234.5}
	ptr := &counter
	// Reassigned, so Go 1.25+ does not convert them to interfaces as constants: Println reads
	// what setVariable wrote at the BREAK line.
	i8, s, f64 = i8+int8(len(os.Args)-1), s+strings.Repeat("!", len(os.Args)-1), f64*float64(len(os.Args))
	fmt.Println(i8, i16, i32, i64, u8, u16, u32, u64, up, f32, f64, c128, b, s, r, bs, sl, nilSlice, empty, arr, m, pp.Name, nilPtr, sh, nilIface, any, err, nilErr, len(ch), fn != nil, uptr != nil, e.ID, *ptr) // BREAK values: all locals set
}

func main() {
	fmt.Println("start")
	values()
	c := &Counter{}
	for i := 0; i < 3; i++ {
		c.Inc(i)
		decide(i, "x")
	}
	func() {
		counter++
		fmt.Println("closure", counter)
	}()
	fmt.Fprintln(os.Stderr, "to stderr")
	fmt.Println("done", c.n, greeting)
	os.Exit(3)
}
