// preempt: goroutines spinning in loops without calls on one P, so the runtime can only stop
// them asynchronously (SIGURG, then runtime.asyncPreempt injected at the interrupted
// instruction). Paused, the ones waiting for the P sit under asyncPreempt. Runs for os.Args[1]
// seconds (default 30).
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"
)

var sinks [4]uint64

func spin(id int) {
	x := uint64(id) + 1
	for {
		x = x*6364136223846793005 + 1442695040888963407 // spin loop
		x ^= x >> 29                                     // spin loop
		sinks[id] = x                                    // spin loop
	}
}

func main() {
	secs := 30
	if len(os.Args) > 1 {
		secs, _ = strconv.Atoi(os.Args[1])
	}
	runtime.GOMAXPROCS(1)
	for i := 0; i < 3; i++ {
		go spin(i)
	}
	time.Sleep(time.Duration(secs) * time.Second)
	fmt.Println("done", sinks[0] != 0)
}
