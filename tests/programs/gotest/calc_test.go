package gotest

import "testing"

func TestAdd(t *testing.T) {
	cases := []struct{ a, b, want int }{{1, 2, 3}, {40, 2, 42}}
	for _, c := range cases {
		got := Add(c.a, c.b) // CALL
		if got != c.want {
			t.Fatalf("Add(%d, %d) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestOther(t *testing.T) {
	t.Log("other ran")
}
