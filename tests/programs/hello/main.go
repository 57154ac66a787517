// hello: the smallest program; output, arguments, environment, exit code.
package main

import (
	"bufio"
	"fmt"
	"os"
)

func greet(name string) string {
	return "hello, " + name
}

func main() {
	fmt.Println(greet("world"))
	fmt.Println("args:", os.Args[1:])
	fmt.Println("env:", os.Getenv("GOBP_TEST_VAR"))
	if os.Getenv("GOBP_READ_STDIN") != "" {
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			fmt.Println("stdin:", sc.Text())
		}
	}
	wd, _ := os.Getwd()
	fmt.Println("cwd:", wd)
	for i := 0; i < 200; i++ {
		fmt.Println("line", i)
	}
	fmt.Fprintln(os.Stderr, "bye")
	os.Exit(0)
}
