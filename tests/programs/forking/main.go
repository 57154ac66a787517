// forking: starts child processes the way Go programs do (os/exec: clone with CLONE_VFORK,
// the child shares the parent's memory until it execs), checks every child's exit status,
// and can replace itself with syscall.Exec. Exits 0 only if every child behaved.
//
//	forking [children [n [hold_ms]]]  run /bin/true n times (default 5), then /bin/sh -c 'exit 3'
//	                                  once; then stay hold_ms (default 0) so a test can look at it
//	forking spawn-forever             4 goroutines run /bin/true over and over (until killed),
//	                                  printing "spawned N" every 20 children
//	forking forks [n]                 n plain fork(2)s (a copy of the memory, not vfork): each child
//	                                  calls syscall.RawSyscall(exit_group, 42) and must exit 42
//	forking exec-self                 syscall.Exec of itself with "after-exec": prints, exits 7
//	forking exec-echo                 syscall.Exec of /bin/echo replaced-by-echo (exit 0)
//	forking exec-self-when FILE       prints "waiting PID", waits until FILE exists, then exec-self
//	forking after-exec                what exec-self runs
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// spawn runs one child and returns its exit code (-1 and the error if it did not exit normally).
func spawn(name string, args ...string) (int, error) {
	cmd := exec.Command(name, args...)
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ee.Exited() {
			return ee.ExitCode(), nil
		}
		return -1, err // killed by a signal: "signal: trace/breakpoint trap"
	}
	if err != nil {
		return -1, err
	}
	return 0, nil
}

func children(n int) int {
	failures := 0
	for i := 0; i < n; i++ {
		code, err := spawn("/bin/true")
		fmt.Printf("child %d: exit %d err %v\n", i, code, err)
		if code != 0 || err != nil {
			failures++
		}
	}
	code, err := spawn("/bin/sh", "-c", "exit 3") // a child's own exit status arrives intact
	fmt.Printf("child sh: exit %d err %v\n", code, err)
	if code != 3 || err != nil {
		failures++
	}
	fmt.Printf("children done: %d failures\n", failures)
	return failures
}

// forks makes n plain fork(2) children that only make raw syscalls (safe in a forked Go child)
// and checks that each exits 42.
func forks(n int) int {
	failures := 0
	for i := 0; i < n; i++ {
		pid, _, errno := syscall.RawSyscall(syscall.SYS_FORK, 0, 0, 0)
		if errno != 0 {
			fmt.Println("fork failed:", errno)
			return n
		}
		if pid == 0 { // the child: Go code in a copy of the parent's memory
			syscall.RawSyscall(syscall.SYS_EXIT_GROUP, 42, 0, 0)
		}
		var ws syscall.WaitStatus
		_, err := syscall.Wait4(int(pid), &ws, 0, nil)
		fmt.Printf("fork %d: exited %v status %d signaled %v err %v\n", i, ws.Exited(), ws.ExitStatus(), ws.Signaled(), err)
		if err != nil || !ws.Exited() || ws.ExitStatus() != 42 {
			failures++
		}
	}
	fmt.Printf("forks done: %d failures\n", failures)
	return failures
}

func execSelf() {
	self, err := os.Executable()
	if err == nil {
		fmt.Println("exec self")
		err = syscall.Exec(self, []string{self, "after-exec"}, os.Environ())
	}
	fmt.Println("exec failed:", err)
	os.Exit(1)
}

func main() {
	mode := "children"
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	switch mode {
	case "children":
		n := 5
		if len(os.Args) > 2 {
			n, _ = strconv.Atoi(os.Args[2])
		}
		failures := children(n)
		if len(os.Args) > 3 {
			ms, _ := strconv.Atoi(os.Args[3])
			time.Sleep(time.Duration(ms) * time.Millisecond)
		}
		if failures != 0 {
			os.Exit(1)
		}
	case "spawn-forever":
		var mu sync.Mutex
		spawned := 0
		for g := 0; g < 4; g++ {
			go func() {
				for {
					if code, err := spawn("/bin/true"); code != 0 || err != nil {
						fmt.Println("child failed:", code, err)
						os.Exit(1)
					}
					mu.Lock()
					if spawned++; spawned%20 == 0 {
						fmt.Println("spawned", spawned)
					}
					mu.Unlock()
				}
			}()
		}
		select {}
	case "forks":
		n := 3
		if len(os.Args) > 2 {
			n, _ = strconv.Atoi(os.Args[2])
		}
		if forks(n) != 0 {
			os.Exit(1)
		}
	case "exec-self":
		execSelf()
	case "exec-self-when":
		fmt.Println("waiting", os.Getpid())
		for {
			if _, err := os.Stat(os.Args[2]); err == nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		execSelf()
	case "exec-echo":
		fmt.Println("exec echo")
		err := syscall.Exec("/bin/echo", []string{"echo", "replaced-by-echo"}, os.Environ())
		fmt.Println("exec failed:", err)
		os.Exit(1)
	case "after-exec":
		fmt.Println("after exec", os.Getpid())
		os.Exit(7)
	default:
		fmt.Println("unknown mode", mode)
		os.Exit(2)
	}
}
