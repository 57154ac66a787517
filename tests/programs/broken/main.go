// broken: does not compile; launching it in mode "debug" must show the compiler's message.
package main

import "fmt"

func main() {
	fmt.Println(nope)
}
