// Command panicker parks goroutines in known states, then panics, so that
// GOTRACEBACK=all prints a real panic dump of all of them on stderr.
//
//	panicker EXPECT_FILE 2> panic-dump.txt
//
// Before panicking it writes EXPECT_FILE: one line per kind of goroutine it
// started, "state<TAB>function<TAB>creator<TAB>count<TAB>wait_min<TAB>wait_max
// <TAB>locked", where function is a function every such goroutine
// has on its stack and creator the function that started it (names from
// runtime.FuncForPC, so they are the runtime's own). The main goroutine,
// which panics, is the line with state "running". Tests compare a dump
// parser's groups with these lines.
package main

import (
	"fmt"
	"os"
	"reflect"
	"runtime"
	"sync"
	"time"
)

func name(f interface{}) string {
	return runtime.FuncForPC(reflect.ValueOf(f).Pointer()).Name()
}

type expect struct {
	state, function, creator string
	count, waitMin, waitMax  int
	locked                   bool
}

var (
	ready   sync.WaitGroup
	recvOn  = make(chan int) // nobody ever sends here
	sendOn  = make(chan int) // nobody ever receives here
	mu      sync.Mutex       // held by main while the dump is taken
	cond    = sync.NewCond(&sync.Mutex{})
	expects []expect
)

func recvWorker() { ready.Done(); <-recvOn }
func sendWorker() { ready.Done(); sendOn <- 1 }
func selectWorker(c chan int) {
	ready.Done()
	select {
	case <-recvOn:
	case <-c:
	}
}
func mutexWorker() { ready.Done(); mu.Lock() }
func sleeper()     { ready.Done(); time.Sleep(time.Hour) }
func condWorker() {
	cond.L.Lock()
	ready.Done()
	cond.Wait()
}
func foreverWorker() { ready.Done(); select {} }
func lockedWorker() {
	runtime.LockOSThread()
	ready.Done()
	<-recvOn
}

// deep parks at recursion depth n, past the runtime's traceback limit of
// 100 frames (Go 1.19 then prints the first 100 frames with no marker).
func deep(n int) int {
	if n == 0 {
		ready.Done()
		<-recvOn
		return 0
	}
	return deep(n-1) + 1
}
func deepWorker() { deep(150) }

// spawner starts recvWorkers itself, so their creator is spawner, not main.
func spawner(n int) {
	for i := 0; i < n; i++ {
		go recvWorker()
	}
	ready.Done()
}

// start runs n copies of f and records what the dump should show for them:
// goroutines started here are "created by main.start".
func start(n int, f func(), state string, fn interface{}, waitMin, waitMax int, locked bool) {
	ready.Add(n)
	for i := 0; i < n; i++ {
		go f()
	}
	expects = append(expects, expect{state, name(fn), name(start), n, waitMin, waitMax, locked})
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: panicker EXPECT_FILE")
		os.Exit(2)
	}
	mu.Lock()
	sel := make(chan int)
	// Parked for more than a minute before the dump ("1 minutes").
	start(3, recvWorker, "chan receive", recvWorker, 1, 1, false)
	start(4, sendWorker, "chan send", sendWorker, 1, 1, false)
	start(2, func() { selectWorker(sel) }, "select", selectWorker, 1, 1, false)
	start(5, mutexWorker, "semacquire", mutexWorker, 1, 1, false)
	start(2, sleeper, "sleep", sleeper, 1, 1, false)
	start(1, condWorker, "sync.Cond.Wait", condWorker, 1, 1, false)
	start(1, foreverWorker, "select (no cases)", foreverWorker, 1, 1, false)
	start(2, lockedWorker, "chan receive", lockedWorker, 1, 1, true)
	start(1, deepWorker, "chan receive", deep, 1, 1, false)
	ready.Add(1 + 6)
	go spawner(6)
	expects = append(expects, expect{"chan receive", name(recvWorker), name(spawner), 6, 1, 1, false})
	ready.Wait()
	// A GC that finds a goroutine blocked stamps it with the time the
	// previous GC finished (0 before the first one), and the dump prints
	// the wait in whole minutes once it passes one: two GCs, then wait.
	runtime.GC()
	runtime.GC()
	time.Sleep(62 * time.Second)
	// Parked just before the dump: no wait time shown. Same stack and
	// creator as the first recvWorkers, so one group with waits 0..1.
	// No GC after this, so these are never stamped (no wait shown).
	start(2, recvWorker, "chan receive", recvWorker, 0, 0, false)
	ready.Wait()
	expects = expects[:len(expects)-1]
	expects[0].count += 2
	expects[0].waitMin = 0
	expects = append(expects, expect{"running", name(main), "", 1, 0, 0, false})

	f, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	total := 0
	for _, e := range expects {
		fmt.Fprintf(f, "%s\t%s\t%s\t%d\t%d\t%d\t%v\n", e.state, e.function,
			e.creator, e.count, e.waitMin, e.waitMax, e.locked)
		total += e.count
	}
	fmt.Fprintf(f, "total\t%d\n", total)
	f.Close()
	// A recovered panic that panics again: "panic: first [recovered]".
	defer func() {
		r := recover()
		panic(fmt.Sprintf("second after %v", r))
	}()
	panic("first")
}
