// Functions of many signatures for tests/unit/test_abi.c: their parameters' DWARF locations at
// entry (registers or stack) are checked against core/abi.c's ABIInternal assignment.
package main

import (
	"errors"
	"fmt"
	"os"
)

type Small struct {
	A int8
	B float64
	C string
}

type Pair struct {
	X, Y int32
}

type WithArray struct {
	N int
	A [2]int
}

type One struct {
	A [1]int
	E [0]int
	F struct{}
	G float32
}

type Empty struct{}

type Recv struct{ V int }

type Big struct {
	A, B, C, D, E, F, G, H, I, J int
}

var sink int

//go:noinline
func fMixed(a int, s string, f float64) (int, error) {
	return a + len(s) + int(f), nil
}

//go:noinline
func fStruct(s Small, p Pair) int { return int(s.A) + len(s.C) + int(s.B) + int(p.X+p.Y) }

//go:noinline
func fArray(a [2]int, b int) int { return a[0] + a[1] + b }

//go:noinline
func fTenInts(a, b, c, d, e, f, g, h, i, j int) int { return a + b + c + d + e + f + g + h + i + j }

//go:noinline
func fComplex(c complex128, d complex64, x float32) float64 {
	return real(c) + float64(imag(d)) + float64(x)
}

//go:noinline
func fResults(a int) (int, string, error) { return a, "x", nil }

//go:noinline
func fIface(e error, x interface{}, sl []byte) int { return len(sl) + sink }

//go:noinline
func fSmallStack(a, b, c, d, e, f, g, h, i int, x int8, y int64, z int8, w int32) int {
	return a + b + c + d + e + f + g + h + i + int(x) + int(y) + int(z) + int(w)
}

//go:noinline
func fStructArray(w WithArray, one One, k uint16, e Empty, u uint8) int {
	return w.N + w.A[0] + one.A[0] + int(one.G) + int(k) + int(u) + len(fmt.Sprint(e))
}

//go:noinline
func (r *Recv) Method(a int, b bool) int {
	if b {
		return r.V + a
	}
	return 0
}

//go:noinline
func (r Recv) ValMethod(s string) int { return r.V + len(s) }

//go:noinline
func fFloats(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p float64, q int) float64 {
	return a + b + c + d + e + f + g + h + i + j + k + l + m + n + o + p + float64(q)
}

//go:noinline
func fBig(b Big, x int) int { return b.A + b.J + x }

//go:noinline
func fPtrs(p *int, m map[string]int, c chan int, fn func() int, b bool) int {
	if b {
		return *p + len(m) + cap(c) + fn()
	}
	return 0
}

//go:noinline
func fSlices(a, b, c []int, d string) int { return len(a) + len(b) + len(c) + len(d) }

//go:noinline
func fBigResults() (a, b, c, d, e, f, g, h, i, j int) { return 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }

//go:noinline
func fStackResults(a [3]int8, b int8, c [2]int16) (r1 int8, r2 [2]int, r3 int8, r4 [2]int32) {
	return a[0] + b, [2]int{int(c[0]), 2}, 3, [2]int32{4, 5}
}

//go:noinline
func fArgsAndResults(a [2]int8, s string) (x [3]int8, y [2]float32, z Big, w WithArray) {
	x[0] = a[0]
	y[1] = float32(len(s))
	z.J = 7
	w.A[1] = 8
	return
}

func main() {
	x := 1
	r := &Recv{V: 3}
	m := map[string]int{"a": 1}
	c := make(chan int, 2)
	n, err := fMixed(1, "ab", 2.5)
	sink += n
	if err != nil {
		os.Exit(1)
	}
	sink += fStruct(Small{A: 1, B: 2, C: "c"}, Pair{3, 4})
	sink += fArray([2]int{1, 2}, 3)
	sink += fTenInts(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
	sink += int(fComplex(1+2i, 3+4i, 5))
	a, s, e := fResults(4)
	sink += a + len(s)
	if e != nil {
		os.Exit(1)
	}
	sink += fIface(errors.New("e"), 42, []byte("xy"))
	sink += fSmallStack(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13)
	sink += fStructArray(WithArray{1, [2]int{2, 3}}, One{A: [1]int{4}, G: 5}, 6, Empty{}, 7)
	sink += r.Method(1, true)
	sink += r.ValMethod("abc")
	sink += int(fFloats(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17))
	sink += fBig(Big{A: 1, J: 2}, 3)
	sink += fPtrs(&x, m, c, func() int { return 1 }, true)
	sink += fSlices([]int{1}, nil, []int{1, 2}, "z")
	b1, _, _, _, _, _, _, _, _, b10 := fBigResults()
	sink += b1 + b10
	r1, r2, r3, r4 := fStackResults([3]int8{1, 2, 3}, 4, [2]int16{5, 6})
	sink += int(r1) + r2[0] + int(r3) + int(r4[1])
	sx, sy, sz, sw := fArgsAndResults([2]int8{1, 2}, "hello")
	sink += int(sx[0]) + int(sy[1]) + sz.J + sw.A[1]
	fmt.Println(sink)
}
